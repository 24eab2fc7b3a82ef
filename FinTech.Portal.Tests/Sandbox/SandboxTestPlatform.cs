using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>A metric query as the tests write it: one metric, one statistic, one period.</summary>
internal sealed record MetricQuery(string Id, string Namespace, string MetricName, IReadOnlyList<Dimension> Dimensions, Statistic Statistic, int PeriodSeconds, string? Label = null)
{
    public MetricDataQuery ToDataQuery() =>
        MetricDataQuery.ForMetric(Id, new Metric(Namespace, MetricName, Dimensions), Statistic, PeriodSeconds, Label);
}

/// <summary>A GetMetricData result with its datapoints in ascending order (every page joined).</summary>
internal sealed record MetricSeries(string Id, string Label, IReadOnlyList<MetricPoint> Points, StatusCode Status);

/// <summary>A Sandbox platform on a fake clock, and the queries the tests ask it.</summary>
internal sealed class SandboxTestPlatform
{
    /// <summary>A Tuesday morning, near the morning peak.</summary>
    public static readonly DateTimeOffset TuesdayMorning = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    public const int Seed = 20261124;

    public SandboxTestPlatform(int seed = Seed, DateTimeOffset? now = null, PlatformResources? resources = null)
    {
        Time = new FakeTimeProvider(now ?? TuesdayMorning);
        Resources = resources ?? PlatformResources.Sandbox();
        Platform = new SandboxPlatform(seed, Resources, Time);
    }

    public FakeTimeProvider Time { get; }

    public PlatformResources Resources { get; }

    public SandboxPlatform Platform { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>GetMetricData, ascending, every page followed.</summary>
    public IReadOnlyList<MetricSeries> GetMetricData(IEnumerable<MetricQuery> queries, DateTimeOffset start, DateTimeOffset end)
    {
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = queries.Select(q => q.ToDataQuery()).ToList(),
            StartTime = start,
            EndTime = end,
            ScanBy = ScanBy.TimestampAscending,
        };
        return Platform.CloudWatch.GetAllMetricDataAsync(request).GetAwaiter().GetResult().MetricDataResults
            .Select(r => new MetricSeries(r.Id, r.Label ?? r.Id, r.Points(), r.StatusCode))
            .ToList();
    }

    public MetricSeries Series(MetricQuery query, DateTimeOffset start, DateTimeOffset end) => GetMetricData([query], start, end).Single();

    public MetricSeries Series(MetricQuery query, TimeSpan lastPeriod) => Series(query, Now - lastPeriod, Now);

    /// <summary>The value of the last complete minute.</summary>
    public double LatestOrZero(MetricQuery query) =>
        Series(query with { PeriodSeconds = 60 }, TimeSpan.FromMinutes(1)).Points.SingleOrDefault().Value;

    public double Latest(MetricQuery query) =>
        Series(query with { PeriodSeconds = 60 }, TimeSpan.FromMinutes(1)).Points.Single().Value;

    public MetricAlarm Alarm(string key) => Platform.CloudWatch.Alarms.Single(a => a.AlarmName == Platform.AlarmName(key));

    public IReadOnlyList<MetricAlarm> Alarms => Platform.CloudWatch.Alarms;

    public static MetricQuery Query(string ns, string metric, Statistic statistic, int period = 60, params (string Name, string Value)[] dimensions) =>
        new("q" + metric.Replace("_", "", StringComparison.Ordinal), ns, metric, dimensions.Select(d => new Dimension(d.Name, d.Value)).ToList(), statistic, period);

    public MetricQuery Alb(string metric, Statistic statistic, int period = 60) =>
        Query("AWS/ApplicationELB", metric, statistic, period, ("LoadBalancer", Resources.LoadBalancer));

    public MetricQuery TargetGroup(string metric, Statistic statistic, int period = 60) =>
        Query("AWS/ApplicationELB", metric, statistic, period, ("LoadBalancer", Resources.LoadBalancer), ("TargetGroup", Resources.TargetGroup));

    public MetricQuery Ecs(string ns, string metric, Statistic statistic, int period = 60) =>
        Query(ns, metric, statistic, period, ("ClusterName", Resources.EcsCluster), ("ServiceName", Resources.EcsService));

    public MetricQuery PortalEcs(string ns, string metric, Statistic statistic, int period = 60) =>
        Query(ns, metric, statistic, period, ("ClusterName", Resources.EcsCluster), ("ServiceName", Resources.PortalService!));

    public MetricQuery Instance(string metric, string instance, Statistic statistic, int period = 60) =>
        Query("AWS/RDS", metric, statistic, period, ("DBInstanceIdentifier", instance));

    public MetricQuery Cluster(string metric, Statistic statistic, int period = 60) =>
        Query("AWS/RDS", metric, statistic, period, ("DBClusterIdentifier", Resources.AuroraCluster));

    public MetricQuery Role(string metric, string role, Statistic statistic, int period = 60) =>
        Query("AWS/RDS", metric, statistic, period, ("DBClusterIdentifier", Resources.AuroraCluster), ("Role", role));

    public MetricQuery Node(string metric, string node, Statistic statistic, int period = 60) =>
        Query("AWS/ElastiCache", metric, statistic, period, ("CacheClusterId", node));

    public MetricQuery Table(string metric, Statistic statistic, int period = 60) =>
        Query("AWS/DynamoDB", metric, statistic, period, ("TableName", Resources.SessionTable));

    public MetricQuery Operation(string metric, string operation, Statistic statistic, int period = 60) =>
        Query("AWS/DynamoDB", metric, statistic, period, ("TableName", Resources.SessionTable), ("Operation", operation));

    public MetricQuery Business(string metric, Statistic statistic, int period = 60) =>
        Query(Resources.BusinessNamespace, metric, statistic, period, ("Service", Resources.BusinessService));
}
