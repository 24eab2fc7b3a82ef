using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using EcsService = FinTech.Portal.Platform.Ecs.Service;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// One refresh of one dashboard: a single batched <c>GetMetricData</c> (paged by NextToken when
/// CloudWatch splits it), <c>DescribeAlarms</c> and one call per topology part, turned into panel
/// data. A failed source keeps the previous data and says why, so one broken panel never blanks the page.
/// </summary>
internal sealed class DashboardRefresher(TimeProvider time, TimeSpan upstreamTimeout, FinTech.Portal.Hosting.PortalMetrics metrics)
{
    public async Task<DashboardSnapshot> RefreshAsync(
        PlatformConnection platform,
        DashboardDefinition dashboard,
        TimeRange range,
        DashboardKey key,
        DashboardSnapshot? previous,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (start, end) = range.WindowEndingAt(now);
        var plan = QueryPlan.For(dashboard, range);

        var resources = platform.Environment.Resources;
        var metricsTask = Attempt("cloudwatch-metrics", ct => FetchMetricsAsync(platform.Get<ICloudWatch>(), plan, start, end, ct), cancellationToken);
        var alarmsTask = Attempt("cloudwatch-alarms", ct => FetchAlarmsAsync(platform.Get<ICloudWatch>(), resources, ct), cancellationToken);
        var parts = dashboard.TopologyParts;
        var serviceTask = Part(parts, TopologyPart.Service, "ecs", ct => DescribeServiceAsync(platform.Get<IEcs>(), resources, ct), cancellationToken);
        var databaseTask = Part(parts, TopologyPart.Database, "rds", ct => DescribeClusterAsync(platform.Get<IRds>(), resources, ct), cancellationToken);
        var cacheTask = Part(parts, TopologyPart.Cache, "elasticache", ct => DescribeReplicationGroupAsync(platform.Get<IElastiCache>(), resources, ct), cancellationToken);
        var sessionsTask = Part(parts, TopologyPart.Sessions, "dynamodb", ct => DescribeSessionTableAsync(platform.Get<IDynamoDb>(), resources, ct), cancellationToken);
        await Task.WhenAll(metricsTask, alarmsTask, serviceTask, databaseTask, cacheTask, sessionsTask);

        var metrics = await metricsTask;
        var panels = dashboard.Panels.ToDictionary(
            p => p.Id,
            p => PanelFrom(p, plan, range, start, end, metrics, previous?.Panel(p.Id), now));
        var alarms = await alarmsTask;
        var topology = new DashboardTopology(
            SourceFrom(await serviceTask, previous?.Topology.Service, now, "ECS service"),
            SourceFrom(await databaseTask, previous?.Topology.Database, now, "Aurora cluster"),
            SourceFrom(await cacheTask, previous?.Topology.Cache, now, "Redis replication group"),
            SourceFrom(await sessionsTask, previous?.Topology.Sessions, now, "session table"));
        return new DashboardSnapshot(
            key, now, start, end, panels,
            SourceFrom(alarms.Map(a => a.Where(dashboard.Alarms.Includes).ToList() as IReadOnlyList<Alarm>), previous?.Alarms, now, "alarms"),
            topology);
    }

    private static async Task<IReadOnlyDictionary<string, MetricDataResult>> FetchMetricsAsync(
        ICloudWatch cloudWatch, QueryPlan plan, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, MetricDataResult>();
        // CloudWatch takes up to 500 queries a call: one call for any dashboard we define, more
        // pages only when the answer exceeds 100,800 datapoints.
        foreach (var batch in plan.Queries.Chunk(GetMetricDataRequest.MaxQueries))
        {
            var request = new GetMetricDataRequest { MetricDataQueries = batch, StartTime = start, EndTime = end, ScanBy = ScanBy.TimestampAscending };
            var answer = await cloudWatch.GetAllMetricDataAsync(request, cancellationToken);
            foreach (var result in answer.MetricDataResults)
            {
                results[result.Id] = result;
            }
        }
        return results;
    }

    /// <summary>The environment's alarms (its name prefix, which is also what IAM allows), metric and composite.</summary>
    private static async Task<IReadOnlyList<Alarm>> FetchAlarmsAsync(ICloudWatch cloudWatch, PlatformResources resources, CancellationToken cancellationToken)
    {
        var answer = await cloudWatch.DescribeAllAlarmsAsync(new DescribeAlarmsRequest
        {
            AlarmNamePrefix = resources.AlarmNamePrefix,
            AlarmTypes = [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
            MaxRecords = 100,
        }, cancellationToken);
        return [.. answer.MetricAlarms, .. answer.CompositeAlarms];
    }

    private static async Task<EcsService> DescribeServiceAsync(IEcs ecs, PlatformResources resources, CancellationToken cancellationToken)
    {
        var answer = await ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = resources.EcsCluster, Services = [resources.EcsService] }, cancellationToken);
        return answer.Services.FirstOrDefault(s => s.ServiceName == resources.EcsService)
            ?? throw new PlatformUnavailableException(
                $"ECS reports the service {resources.EcsService} in cluster {resources.EcsCluster} as {answer.Failures.FirstOrDefault()?.Reason ?? "missing"}: check Resources:EcsCluster and Resources:EcsService.");
    }

    private static async Task<DBCluster> DescribeClusterAsync(IRds rds, PlatformResources resources, CancellationToken cancellationToken)
    {
        var answer = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = resources.AuroraCluster }, cancellationToken);
        return answer.DBClusters.FirstOrDefault(c => c.DBClusterIdentifier == resources.AuroraCluster)
            ?? throw new PlatformUnavailableException($"RDS does not report the cluster {resources.AuroraCluster}: check Resources:AuroraCluster.");
    }

    private static async Task<ReplicationGroup> DescribeReplicationGroupAsync(IElastiCache elastiCache, PlatformResources resources, CancellationToken cancellationToken)
    {
        var answer = await elastiCache.DescribeReplicationGroupsAsync(new DescribeReplicationGroupsRequest { ReplicationGroupId = resources.RedisReplicationGroup }, cancellationToken);
        return answer.ReplicationGroups.FirstOrDefault(g => g.ReplicationGroupId == resources.RedisReplicationGroup)
            ?? throw new PlatformUnavailableException($"ElastiCache does not report the replication group {resources.RedisReplicationGroup}: check Resources:RedisReplicationGroup.");
    }

    private static async Task<SessionTable> DescribeSessionTableAsync(IDynamoDb dynamoDb, PlatformResources resources, CancellationToken cancellationToken)
    {
        var table = dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = resources.SessionTable }, cancellationToken);
        var backups = dynamoDb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = resources.SessionTable }, cancellationToken);
        return new SessionTable((await table).Table, (await backups).ContinuousBackupsDescription.PointInTimeRecoveryDescription);
    }

    private Task<Outcome<T>> Part<T>(IReadOnlyList<TopologyPart> parts, TopologyPart part, string source, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        parts.Contains(part) ? Attempt(source, call, cancellationToken) : Task.FromResult(Outcome<T>.NotAsked);

    /// <summary>One upstream source: its answer or why not, counted in the portal's metrics under <paramref name="source"/>.</summary>
    private async Task<Outcome<T>> Attempt<T>(string source, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        // The timeout runs on the injected clock, so tests can stall a source and move time on.
        using var timeout = new CancellationTokenSource(upstreamTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        Outcome<T> Counted(Outcome<T> outcome, string how)
        {
            metrics.UpstreamCalled(source, how, time.GetElapsedTime(started));
            return outcome;
        }
        try
        {
            return Counted(Outcome<T>.Success(await call(linked.Token)), UpstreamOutcome.Success);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Counted(Outcome<T>.Failure($"no answer within {upstreamTimeout.TotalSeconds:0} s"), UpstreamOutcome.Timeout);
        }
        catch (Exception error) when (error is PlatformUnavailableException or PlatformServiceException)
        {
            return Counted(Outcome<T>.Failure(error.Message), UpstreamOutcome.Failure);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return Counted(Outcome<T>.Failure($"unexpected error ({error.GetType().Name}: {error.Message})"), UpstreamOutcome.Failure);
        }
    }

    private static PanelData PanelFrom(
        PanelDefinition panel,
        QueryPlan plan,
        TimeRange range,
        DateTimeOffset start,
        DateTimeOffset end,
        Outcome<IReadOnlyDictionary<string, MetricDataResult>> metrics,
        PanelData? previous,
        DateTimeOffset now)
    {
        if (metrics.Value is null)
        {
            return Degraded(previous, $"Metrics unavailable: {metrics.Problem}");
        }
        var answers = panel.Series.SelectMany(s => s.Metrics).Select(m => metrics.Value.GetValueOrDefault(plan.IdOf(m))).ToList();
        var refused = answers.FirstOrDefault(a => a is { StatusCode: StatusCode.Forbidden or StatusCode.InternalError });
        if (refused is not null)
        {
            var why = refused.StatusCode == StatusCode.Forbidden ? "access denied" : "internal error";
            var message = refused.Messages.FirstOrDefault()?.Value;
            return Degraded(previous, $"CloudWatch answered {why} for {refused.Label ?? refused.Id}{(message is null ? "" : $": {message}")}");
        }
        var series = panel.Series.Select(s => new ChartSeries(s.Label, PointsOf(s, plan, range, start, end, metrics.Value))).ToList();
        var partial = answers.Any(a => a is { StatusCode: StatusCode.PartialData });
        return new PanelData(PanelState.Current, series, now, partial ? "Partial data: CloudWatch did not return every datapoint." : null);
    }

    private static PanelData Degraded(PanelData? previous, string problem) =>
        previous is { Series.Count: > 0, DataAsOf: not null }
            ? new PanelData(PanelState.Stale, previous.Series, previous.DataAsOf, problem)
            : new PanelData(PanelState.Failed, [], null, problem);

    private static SourceData<T> SourceFrom<T>(Outcome<T> outcome, SourceData<T>? previous, DateTimeOffset now, string what) where T : class
    {
        if (outcome.Skipped)
        {
            return SourceData<T>.Loading;
        }
        if (outcome.Value is not null)
        {
            return new SourceData<T>(PanelState.Current, outcome.Value, now, null);
        }
        var problem = $"The {what} could not be read: {outcome.Problem}";
        return previous is { Value: not null }
            ? new SourceData<T>(PanelState.Stale, previous.Value, previous.DataAsOf, problem)
            : new SourceData<T>(PanelState.Failed, null, null, problem);
    }

    internal static IReadOnlyList<MetricPoint> PointsOf(SeriesDefinition series, QueryPlan plan, TimeRange range,
        DateTimeOffset start, DateTimeOffset end, IReadOnlyDictionary<string, MetricDataResult> results)
    {
        IReadOnlyList<MetricPoint> Raw(MetricSpec spec) => results.GetValueOrDefault(plan.IdOf(spec))?.Points() ?? [];
        switch (series)
        {
            case MetricSeriesDefinition metric:
                var factor = metric.Scale switch
                {
                    SeriesScale.PerSecond => 1.0 / range.PeriodSeconds,
                    SeriesScale.SecondsToMilliseconds => 1000.0,
                    SeriesScale.BytesToGibibytes => 1.0 / (1024 * 1024 * 1024),
                    _ => 1.0,
                };
                var raw = metric.FillZero ? FillZero(Raw(metric.Metric), range, start, end) : Raw(metric.Metric);
                return raw.Select(p => p with { Value = p.Value * factor }).ToList();
            case PercentSeriesDefinition percent:
                var parts = Raw(percent.Part).ToDictionary(p => p.Timestamp, p => p.Value);
                // FILL(part, 0): a period without errors publishes no error count. A period without
                // requests has no rate at all, rather than a rate of zero.
                return Raw(percent.Whole)
                    .Where(p => p.Value > 0)
                    .Select(p => p with { Value = 100 * parts.GetValueOrDefault(p.Timestamp) / p.Value })
                    .ToList();
            default:
                throw new ArgumentOutOfRangeException(nameof(series), series.GetType().Name, "Unknown series definition.");
        }
    }

    /// <summary><c>FILL(m, 0)</c>: every period of the window that has no datapoint reads 0.</summary>
    internal static IReadOnlyList<MetricPoint> FillZero(IReadOnlyList<MetricPoint> points, TimeRange range, DateTimeOffset start, DateTimeOffset end)
    {
        var known = points.ToDictionary(p => p.Timestamp, p => p.Value);
        var period = TimeSpan.FromSeconds(range.PeriodSeconds);
        var first = new DateTimeOffset(start.UtcTicks - start.UtcTicks % period.Ticks, TimeSpan.Zero);
        var filled = new List<MetricPoint>();
        for (var t = first; t < end; t += period)
        {
            filled.Add(new MetricPoint(t, known.GetValueOrDefault(t)));
        }
        return filled;
    }

    /// <summary>The distinct metrics of a dashboard, each with a query id.</summary>
    internal sealed class QueryPlan
    {
        private readonly Dictionary<string, string> _ids;

        private QueryPlan(Dictionary<string, string> ids, IReadOnlyList<MetricDataQuery> queries)
        {
            _ids = ids;
            Queries = queries;
        }

        public IReadOnlyList<MetricDataQuery> Queries { get; }

        public string IdOf(MetricSpec spec) => _ids[spec.Key];

        public static QueryPlan For(DashboardDefinition dashboard, TimeRange range)
        {
            var ids = new Dictionary<string, string>();
            var queries = new List<MetricDataQuery>();
            foreach (var spec in dashboard.Panels.SelectMany(p => p.Series).SelectMany(s => s.Metrics))
            {
                if (!ids.ContainsKey(spec.Key))
                {
                    // CloudWatch query ids must start with a lower-case letter.
                    var id = $"m{ids.Count}";
                    ids[spec.Key] = id;
                    queries.Add(spec.ToQuery(id, range.PeriodSeconds));
                }
            }
            return new QueryPlan(ids, queries);
        }
    }

    private sealed record Outcome<T>(T? Value, string? Problem, bool Skipped = false)
    {
        public static Outcome<T> Success(T value) => new(value, null);

        public static Outcome<T> Failure(string problem) => new(default, problem);

        public static readonly Outcome<T> NotAsked = new(default, null, true);

        public Outcome<TOut> Map<TOut>(Func<T, TOut> map) =>
            Value is not null ? Outcome<TOut>.Success(map(Value)) : new Outcome<TOut>(default, Problem, Skipped);
    }
}
