using FinTech.Portal.Platform;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// One refresh of one dashboard: a single batched <c>GetMetricData</c> (plus alarms and topology),
/// turned into panel data. A failed source keeps the previous data and says why, so one broken
/// panel never blanks the page.
/// </summary>
internal sealed class DashboardRefresher(TimeProvider time, TimeSpan upstreamTimeout)
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

        var metricsTask = Attempt(ct => FetchMetricsAsync(platform.Metrics, plan, start, end, ct), cancellationToken);
        var alarmsTask = Attempt(platform.Alarms.DescribeAlarmsAsync, cancellationToken);
        var topologyTask = dashboard.Topology == TopologyView.None
            ? Task.FromResult(Outcome<PlatformTopology>.NotAsked)
            : Attempt(platform.Topology.DescribeTopologyAsync, cancellationToken);
        await Task.WhenAll(metricsTask, alarmsTask, topologyTask);

        var metrics = await metricsTask;
        var panels = dashboard.Panels.ToDictionary(
            p => p.Id,
            p => PanelFrom(p, plan, range, metrics, previous?.Panel(p.Id), now));
        var alarms = await alarmsTask;
        var topology = await topologyTask;
        return new DashboardSnapshot(
            key, now, start, end, panels,
            SourceFrom(alarms.Map(a => a.Where(dashboard.Alarms.Includes).ToList() as IReadOnlyList<Alarm>), previous?.Alarms, now, "alarms"),
            SourceFrom(topology, previous?.Topology, now, "topology"));
    }

    private static async Task<IReadOnlyDictionary<string, MetricSeries>> FetchMetricsAsync(
        IMetricSource source, QueryPlan plan, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, MetricSeries>();
        // CloudWatch takes up to 500 queries a call: one call for any dashboard we define.
        foreach (var batch in plan.Queries.Chunk(MetricDataRequest.MaxQueries))
        {
            var answer = await source.GetMetricDataAsync(new MetricDataRequest(batch, start, end), cancellationToken);
            foreach (var series in answer)
            {
                results[series.Id] = series;
            }
        }
        return results;
    }

    private async Task<Outcome<T>> Attempt<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        // The timeout runs on the injected clock, so tests can stall a source and move time on.
        using var timeout = new CancellationTokenSource(upstreamTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return Outcome<T>.Success(await call(linked.Token));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Outcome<T>.Failure($"no answer within {upstreamTimeout.TotalSeconds:0} s");
        }
        catch (PlatformUnavailableException error)
        {
            return Outcome<T>.Failure(error.Message);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return Outcome<T>.Failure($"unexpected error ({error.GetType().Name}: {error.Message})");
        }
    }

    private static PanelData PanelFrom(
        PanelDefinition panel,
        QueryPlan plan,
        TimeRange range,
        Outcome<IReadOnlyDictionary<string, MetricSeries>> metrics,
        PanelData? previous,
        DateTimeOffset now)
    {
        if (metrics.Value is null)
        {
            return Degraded(previous, $"Metrics unavailable: {metrics.Problem}");
        }
        var answers = panel.Series.SelectMany(s => s.Metrics).Select(m => metrics.Value.GetValueOrDefault(plan.IdOf(m))).ToList();
        var refused = answers.FirstOrDefault(a => a is { Status: MetricDataStatus.Forbidden or MetricDataStatus.InternalError });
        if (refused is not null)
        {
            var why = refused.Status == MetricDataStatus.Forbidden ? "access denied" : "internal error";
            return Degraded(previous, $"CloudWatch answered {why} for {refused.Label}{(refused.Message is null ? "" : $": {refused.Message}")}");
        }
        var series = panel.Series.Select(s => new ChartSeries(s.Label, PointsOf(s, plan, range, metrics.Value))).ToList();
        var partial = answers.Any(a => a is { Status: MetricDataStatus.PartialData });
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

    internal static IReadOnlyList<MetricPoint> PointsOf(
        SeriesDefinition series, QueryPlan plan, TimeRange range, IReadOnlyDictionary<string, MetricSeries> results)
    {
        IReadOnlyList<MetricPoint> Raw(MetricSpec spec) => results.GetValueOrDefault(plan.IdOf(spec))?.Points ?? [];
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
                return Raw(metric.Metric).Select(p => p with { Value = p.Value * factor }).ToList();
            case PercentSeriesDefinition percent:
                var wholes = Raw(percent.Whole).ToDictionary(p => p.Timestamp, p => p.Value);
                // A period with no requests has no error rate, rather than a rate of zero.
                return Raw(percent.Part)
                    .Where(p => wholes.TryGetValue(p.Timestamp, out var whole) && whole > 0)
                    .Select(p => p with { Value = 100 * p.Value / wholes[p.Timestamp] })
                    .ToList();
            default:
                throw new ArgumentOutOfRangeException(nameof(series), series.GetType().Name, "Unknown series definition.");
        }
    }

    /// <summary>The distinct metrics of a dashboard, each with a query id.</summary>
    internal sealed class QueryPlan
    {
        private readonly Dictionary<string, string> _ids;

        private QueryPlan(Dictionary<string, string> ids, IReadOnlyList<MetricQuery> queries)
        {
            _ids = ids;
            Queries = queries;
        }

        public IReadOnlyList<MetricQuery> Queries { get; }

        public string IdOf(MetricSpec spec) => _ids[spec.Key];

        public static QueryPlan For(DashboardDefinition dashboard, TimeRange range)
        {
            var ids = new Dictionary<string, string>();
            var queries = new List<MetricQuery>();
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
