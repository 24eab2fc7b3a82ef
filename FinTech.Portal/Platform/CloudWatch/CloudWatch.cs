namespace FinTech.Portal.Platform.CloudWatch;

/// <summary>
/// The CloudWatch actions the portal takes, shaped like the AWS SDK's <c>IAmazonCloudWatch</c> so
/// that the SDK can replace the Aws adapter later. One call is one request: callers page with
/// <see cref="CloudWatchPaginators"/> (<c>NextToken</c>), as the SDK's paginators do.
/// </summary>
public interface ICloudWatch
{
    /// <summary>
    /// <c>GetMetricData</c>: up to 500 queries over one time range, at most 100,800 datapoints per
    /// call; the rest comes with a <see cref="GetMetricDataResponse.NextToken"/>.
    /// </summary>
    Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeAlarms</c>: metric alarms (plain and metric math) and composite alarms, paged by <c>NextToken</c>.</summary>
    Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A metric dimension, e.g. <c>LoadBalancer=app/fintech-prod-api/0123456789abcdef</c>.</summary>
public sealed record Dimension(string Name, string Value);

/// <summary>A metric: namespace, name and the full set of dimensions (CloudWatch matches them exactly).</summary>
public sealed record Metric(string Namespace, string MetricName, IReadOnlyList<Dimension> Dimensions);

/// <summary>A metric with a statistic and a period: what a <see cref="MetricDataQuery"/> reads.</summary>
public sealed record MetricStat(Metric Metric, int Period, Statistic Stat)
{
    /// <summary>Only datapoints stored in this unit; null for any (the portal never filters by unit).</summary>
    public string? Unit { get; init; }
}

/// <summary>
/// One query of <c>GetMetricData</c> or one member of a metric-math alarm: exactly one of
/// <see cref="MetricStat"/> or <see cref="Expression"/>.
/// </summary>
public sealed record MetricDataQuery
{
    /// <summary>Starts with a lower-case letter; letters, digits and underscores.</summary>
    public required string Id { get; init; }

    public MetricStat? MetricStat { get; init; }

    /// <summary>Metric math over the other queries' ids, e.g. <c>100*(FILL(m1,0)+FILL(m2,0))/m3</c>.</summary>
    public string? Expression { get; init; }

    public string? Label { get; init; }

    /// <summary>False for queries that only feed an expression.</summary>
    public bool ReturnData { get; init; } = true;

    /// <summary>The period of an <see cref="Expression"/> query (a <see cref="MetricStat"/> carries its own).</summary>
    public int? Period { get; init; }

    public static MetricDataQuery ForMetric(string id, Metric metric, Statistic stat, int period, string? label = null) =>
        new() { Id = id, MetricStat = new MetricStat(metric, period, stat), Label = label };
}

/// <summary>The order of the datapoints in each result.</summary>
public enum ScanBy { TimestampDescending, TimestampAscending }

public sealed record GetMetricDataRequest
{
    /// <summary>CloudWatch's limit of queries per call.</summary>
    public const int MaxQueries = 500;

    /// <summary>CloudWatch's limit of datapoints per call, over all queries.</summary>
    public const int MaxDatapointsPerCall = 100_800;

    public required IReadOnlyList<MetricDataQuery> MetricDataQueries { get; init; }

    /// <summary>Inclusive; CloudWatch rounds it down to the period's retention granularity.</summary>
    public required DateTimeOffset StartTime { get; init; }

    /// <summary>Exclusive.</summary>
    public required DateTimeOffset EndTime { get; init; }

    public string? NextToken { get; init; }

    /// <summary>CloudWatch's default is descending; the portal asks for ascending.</summary>
    public ScanBy ScanBy { get; init; } = ScanBy.TimestampDescending;

    /// <summary>At most this many datapoints in this call (CloudWatch's default and maximum: 100,800).</summary>
    public int? MaxDatapoints { get; init; }
}

/// <summary><c>StatusCode</c> of a <see cref="MetricDataResult"/>.</summary>
public enum StatusCode { Complete, PartialData, Forbidden, InternalError }

/// <summary>A message CloudWatch attaches to a result or to the response (<c>MessageData</c>).</summary>
public sealed record MessageData(string Code, string Value);

/// <summary>
/// The answer to one query, exactly what CloudWatch returns: no unit (CloudWatch does not say
/// one), timestamps with their values in the order of <see cref="GetMetricDataRequest.ScanBy"/>.
/// Timestamps are the start of each period. A period without data has no entry.
/// </summary>
public sealed record MetricDataResult
{
    public required string Id { get; init; }

    public string? Label { get; init; }

    public required IReadOnlyList<DateTimeOffset> Timestamps { get; init; }

    public required IReadOnlyList<double> Values { get; init; }

    /// <summary><see cref="StatusCode.PartialData"/> when more datapoints follow with the response's NextToken.</summary>
    public StatusCode StatusCode { get; init; } = StatusCode.Complete;

    public IReadOnlyList<MessageData> Messages { get; init; } = [];
}

public sealed record GetMetricDataResponse
{
    public required IReadOnlyList<MetricDataResult> MetricDataResults { get; init; }

    /// <summary>Pass back with the same queries and range for the next page; null on the last page.</summary>
    public string? NextToken { get; init; }

    public IReadOnlyList<MessageData> Messages { get; init; } = [];
}

/// <summary>Which kind of alarm <c>DescribeAlarms</c> returns.</summary>
public enum AlarmType { MetricAlarm, CompositeAlarm }

/// <summary>An alarm's state (<c>StateValue</c>: <c>OK</c>, <c>ALARM</c>, <c>INSUFFICIENT_DATA</c> on the wire).</summary>
public enum StateValue { Ok, Alarm, InsufficientData }

public sealed record DescribeAlarmsRequest
{
    public IReadOnlyList<string>? AlarmNames { get; init; }

    public string? AlarmNamePrefix { get; init; }

    /// <summary>Null returns metric alarms only, as CloudWatch does; ask for both to see composite alarms.</summary>
    public IReadOnlyList<AlarmType>? AlarmTypes { get; init; }

    public StateValue? StateValue { get; init; }

    /// <summary>1 to 100; null means 50, CloudWatch's default.</summary>
    public int? MaxRecords { get; init; }

    public string? NextToken { get; init; }
}

public sealed record DescribeAlarmsResponse
{
    public required IReadOnlyList<MetricAlarm> MetricAlarms { get; init; }

    public required IReadOnlyList<CompositeAlarm> CompositeAlarms { get; init; }

    public string? NextToken { get; init; }
}

/// <summary>What metric and composite alarms have in common, as <c>DescribeAlarms</c> returns it.</summary>
public abstract record Alarm
{
    public required string AlarmName { get; init; }

    public required string AlarmArn { get; init; }

    public string? AlarmDescription { get; init; }

    public required StateValue StateValue { get; init; }

    public required string StateReason { get; init; }

    /// <summary>JSON CloudWatch attaches to the reason (the datapoints evaluated), as it sent it.</summary>
    public string? StateReasonData { get; init; }

    /// <summary>The last change of state or of the reason.</summary>
    public required DateTimeOffset StateUpdatedTimestamp { get; init; }

    /// <summary>The last change of state only.</summary>
    public DateTimeOffset? StateTransitionedTimestamp { get; init; }

    public DateTimeOffset? AlarmConfigurationUpdatedTimestamp { get; init; }

    public bool ActionsEnabled { get; init; } = true;

    public IReadOnlyList<string> AlarmActions { get; init; } = [];

    public IReadOnlyList<string> OKActions { get; init; } = [];

    public IReadOnlyList<string> InsufficientDataActions { get; init; } = [];
}

/// <summary>How an alarm treats periods without a datapoint (camelCase on the wire: <c>notBreaching</c>, ...).</summary>
public enum TreatMissingData { Missing, Breaching, NotBreaching, Ignore }

/// <summary>The comparison of a metric alarm; the names are the wire values.</summary>
public enum ComparisonOperator
{
    GreaterThanOrEqualToThreshold,
    GreaterThanThreshold,
    LessThanThreshold,
    LessThanOrEqualToThreshold,
    LessThanLowerOrGreaterThanUpperThreshold,
    LessThanLowerThreshold,
    GreaterThanUpperThreshold,
}

/// <summary>
/// A metric alarm: either on one metric (<see cref="Namespace"/>, <see cref="MetricName"/>,
/// <see cref="Dimensions"/>, <see cref="Statistic"/> or <see cref="ExtendedStatistic"/>,
/// <see cref="Period"/>) or on metric math (<see cref="Metrics"/>, one of which returns data).
/// </summary>
public sealed record MetricAlarm : Alarm
{
    public string? Namespace { get; init; }

    public string? MetricName { get; init; }

    public IReadOnlyList<Dimension> Dimensions { get; init; } = [];

    /// <summary>A standard statistic (<c>Average</c>, <c>Sum</c>, ...); null when <see cref="ExtendedStatistic"/> is set.</summary>
    public string? Statistic { get; init; }

    /// <summary>A percentile such as <c>p99</c>.</summary>
    public string? ExtendedStatistic { get; init; }

    public int? Period { get; init; }

    public string? Unit { get; init; }

    /// <summary>The metric-math queries of the alarm; empty for a single-metric alarm.</summary>
    public IReadOnlyList<MetricDataQuery> Metrics { get; init; } = [];

    public required int EvaluationPeriods { get; init; }

    /// <summary>M of "M out of N"; null means all <see cref="EvaluationPeriods"/>.</summary>
    public int? DatapointsToAlarm { get; init; }

    public double? Threshold { get; init; }

    public string? ThresholdMetricId { get; init; }

    public required ComparisonOperator ComparisonOperator { get; init; }

    /// <summary>Null when the alarm never set it; CloudWatch then treats missing data as <see cref="CloudWatch.TreatMissingData.Missing"/>.</summary>
    public TreatMissingData? TreatMissingData { get; init; }

    /// <summary>The namespaces the alarm reads: its metric's, or those of its metric-math queries.</summary>
    public IEnumerable<string> Namespaces =>
        Namespace is not null
            ? [Namespace]
            : Metrics.Where(m => m.MetricStat is not null).Select(m => m.MetricStat!.Metric.Namespace).Distinct(StringComparer.Ordinal);
}

/// <summary>A composite alarm: a rule over other alarms' states, e.g. <c>ALARM("a") OR ALARM("b")</c>.</summary>
public sealed record CompositeAlarm : Alarm
{
    public required string AlarmRule { get; init; }

    public string? ActionsSuppressor { get; init; }

    /// <summary><c>WaitPeriod</c>, <c>ExtensionPeriod</c> or <c>Alarm</c> when actions are suppressed.</summary>
    public string? ActionsSuppressedBy { get; init; }

    public string? ActionsSuppressedReason { get; init; }
}

/// <summary>The wire spellings of the enums whose C# names differ from them.</summary>
public static class CloudWatchWire
{
    public static string ToWire(this StateValue value) => value switch
    {
        StateValue.Ok => "OK",
        StateValue.Alarm => "ALARM",
        _ => "INSUFFICIENT_DATA",
    };

    public static StateValue ParseStateValue(string wire) => wire switch
    {
        "OK" => StateValue.Ok,
        "ALARM" => StateValue.Alarm,
        "INSUFFICIENT_DATA" => StateValue.InsufficientData,
        _ => throw new FormatException($"'{wire}' is not a CloudWatch alarm state (OK, ALARM, INSUFFICIENT_DATA)."),
    };

    public static string ToWire(this TreatMissingData value) => value switch
    {
        TreatMissingData.Breaching => "breaching",
        TreatMissingData.NotBreaching => "notBreaching",
        TreatMissingData.Ignore => "ignore",
        _ => "missing",
    };

    public static TreatMissingData ParseTreatMissingData(string wire) => wire switch
    {
        "breaching" => TreatMissingData.Breaching,
        "notBreaching" => TreatMissingData.NotBreaching,
        "ignore" => TreatMissingData.Ignore,
        "missing" => TreatMissingData.Missing,
        _ => throw new FormatException($"'{wire}' is not a TreatMissingData value (breaching, notBreaching, ignore, missing)."),
    };
}

public static class MetricDataResultExtensions
{
    /// <summary>The result's datapoints in ascending time order, whatever order they came in.</summary>
    public static IReadOnlyList<MetricPoint> Points(this MetricDataResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var points = new MetricPoint[Math.Min(result.Timestamps.Count, result.Values.Count)];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new MetricPoint(result.Timestamps[i], result.Values[i]);
        }
        Array.Sort(points, (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return points;
    }
}
