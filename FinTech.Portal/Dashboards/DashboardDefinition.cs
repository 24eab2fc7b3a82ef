using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Dashboards;

/// <summary>A dashboard as data: panels of series, each series a CloudWatch metric.</summary>
public sealed record DashboardDefinition(
    string Id,
    string Title,
    string Description,
    IReadOnlyList<PanelDefinition> Panels,
    AlarmFilter Alarms,
    IReadOnlyList<TopologyPart>? Topology = null)
{
    /// <summary>The parts of the platform shown beside the panels, each read by its own call.</summary>
    public IReadOnlyList<TopologyPart> TopologyParts => Topology ?? [];
}

public enum PanelKind
{
    /// <summary>A time-series chart with axes and a legend.</summary>
    TimeSeries,

    /// <summary>The latest value of each series, large, for at-a-glance numbers.</summary>
    Stat,
}

/// <summary>
/// A part of the platform topology, each from its own call (ECS <c>DescribeServices</c>, RDS
/// <c>DescribeDBClusters</c>, ElastiCache <c>DescribeReplicationGroups</c>, DynamoDB
/// <c>DescribeTable</c>), so one failing service never blanks the others.
/// </summary>
public enum TopologyPart { Service, Database, Cache, Sessions }

/// <summary>
/// Which alarms a dashboard lists: all of them, or the metric alarms that read some CloudWatch
/// namespaces (a metric-math alarm by the namespaces of its metrics). Composite alarms watch the
/// whole platform, so they are listed where all alarms are.
/// </summary>
public sealed record AlarmFilter(IReadOnlyList<string>? Namespaces)
{
    public static readonly AlarmFilter All = new((IReadOnlyList<string>?)null);

    public static AlarmFilter Of(params string[] namespaces) => new(namespaces);

    public bool Includes(Alarm alarm) => Namespaces is null || (alarm is MetricAlarm metric && metric.Namespaces.Any(Namespaces.Contains));
}

/// <summary>
/// One panel. <see cref="Unit"/> is what the reader sees on the axis (ms, req/s, %), after
/// each series' <see cref="SeriesScale"/> has converted CloudWatch's unit.
/// </summary>
public sealed record PanelDefinition(
    string Id,
    string Title,
    PanelKind Kind,
    DisplayUnit Unit,
    IReadOnlyList<SeriesDefinition> Series,
    double? WarningThreshold = null,
    int Columns = 6);

/// <summary>What CloudWatch is asked: a metric and a statistic; the period comes from the time range.</summary>
public sealed record MetricSpec(string Namespace, string MetricName, IReadOnlyList<Dimension> Dimensions, Statistic Statistic)
{
    /// <summary>A stable key, so the same metric needed by two panels is queried once.</summary>
    public string Key { get; } = $"{Namespace}|{MetricName}|{string.Join(",", Dimensions.Select(d => $"{d.Name}={d.Value}"))}|{Statistic}";

    public MetricDataQuery ToQuery(string id, int periodSeconds) =>
        MetricDataQuery.ForMetric(id, new Metric(Namespace, MetricName, Dimensions), Statistic, periodSeconds);
}

/// <summary>How a CloudWatch value becomes the panel's unit.</summary>
public enum SeriesScale
{
    None,

    /// <summary>A Sum over the period divided by the period: requests per second.</summary>
    PerSecond,

    /// <summary>ALB's TargetResponseTime is in seconds; people read latency in ms.</summary>
    SecondsToMilliseconds,

    BytesToGibibytes,
}

/// <summary>A line on a panel.</summary>
public abstract record SeriesDefinition(string Label)
{
    public abstract IEnumerable<MetricSpec> Metrics { get; }
}

/// <summary>
/// A metric, scaled into the panel's unit. <paramref name="FillZero"/> for counts CloudWatch does
/// not publish when they are zero (ALB <c>HTTPCode_*</c>, DynamoDB throttles): every period of the
/// window without a datapoint reads 0, like <c>FILL(m, 0)</c> in metric math.
/// </summary>
public sealed record MetricSeriesDefinition(string Label, MetricSpec Metric, SeriesScale Scale = SeriesScale.None, bool FillZero = false)
    : SeriesDefinition(Label)
{
    public override IEnumerable<MetricSpec> Metrics => [Metric];
}

/// <summary>
/// 100 × part / whole per timestamp, e.g. the 5xx rate: CloudWatch metric math
/// <c>100*FILL(m1,0)/m2</c>, since a period without errors has no error count at all. Computed here
/// rather than as a math expression so both backends answer it the same way.
/// </summary>
public sealed record PercentSeriesDefinition(string Label, MetricSpec Part, MetricSpec Whole)
    : SeriesDefinition(Label)
{
    public override IEnumerable<MetricSpec> Metrics => [Part, Whole];
}

/// <summary>The units panels display.</summary>
public enum DisplayUnit { Milliseconds, RequestsPerSecond, PerSecond, Percent, Count, Gibibytes, Seconds }
