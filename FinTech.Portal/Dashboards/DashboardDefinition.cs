using FinTech.Portal.Platform;

namespace FinTech.Portal.Dashboards;

/// <summary>A dashboard as data: panels of series, each series a CloudWatch metric.</summary>
public sealed record DashboardDefinition(
    string Id,
    string Title,
    string Description,
    IReadOnlyList<PanelDefinition> Panels,
    AlarmFilter Alarms,
    TopologyView Topology = TopologyView.None);

public enum PanelKind
{
    /// <summary>A time-series chart with axes and a legend.</summary>
    TimeSeries,

    /// <summary>The latest value of each series, large, for at-a-glance numbers.</summary>
    Stat,
}

/// <summary>Which part of the platform topology a dashboard shows beside its panels.</summary>
public enum TopologyView { None, Service, Database, Cache, Sessions }

/// <summary>Which alarms a dashboard lists: all of them, or those of some CloudWatch namespaces.</summary>
public sealed record AlarmFilter(IReadOnlyList<string>? Namespaces)
{
    public static readonly AlarmFilter All = new((IReadOnlyList<string>?)null);

    public static AlarmFilter Of(params string[] namespaces) => new(namespaces);

    public bool Includes(Alarm alarm) => Namespaces is null || Namespaces.Contains(alarm.Namespace);
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
public sealed record MetricSpec(string Namespace, string MetricName, IReadOnlyList<MetricDimension> Dimensions, Statistic Statistic)
{
    /// <summary>A stable key, so the same metric needed by two panels is queried once.</summary>
    public string Key { get; } = $"{Namespace}|{MetricName}|{string.Join(",", Dimensions.Select(d => $"{d.Name}={d.Value}"))}|{Statistic}";

    public MetricQuery ToQuery(string id, int periodSeconds) =>
        new(id, Namespace, MetricName, Dimensions, Statistic, periodSeconds);
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

/// <summary>A metric, scaled into the panel's unit.</summary>
public sealed record MetricSeriesDefinition(string Label, MetricSpec Metric, SeriesScale Scale = SeriesScale.None)
    : SeriesDefinition(Label)
{
    public override IEnumerable<MetricSpec> Metrics => [Metric];
}

/// <summary>
/// 100 × part / whole per timestamp (CloudWatch metric math <c>100*m1/m2</c>), e.g. the 5xx rate.
/// Computed here rather than as a math expression so both backends answer it the same way.
/// </summary>
public sealed record PercentSeriesDefinition(string Label, MetricSpec Part, MetricSpec Whole)
    : SeriesDefinition(Label)
{
    public override IEnumerable<MetricSpec> Metrics => [Part, Whole];
}

/// <summary>The units panels display.</summary>
public enum DisplayUnit { Milliseconds, RequestsPerSecond, PerSecond, Percent, Count, Gibibytes, Seconds }
