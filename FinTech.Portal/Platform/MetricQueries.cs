namespace FinTech.Portal.Platform;

/// <summary>A CloudWatch metric dimension, e.g. <c>LoadBalancer=app/portal-alb/123</c>.</summary>
public sealed record MetricDimension(string Name, string Value);

/// <summary>
/// One query of a <c>GetMetricData</c> call, in CloudWatch's vocabulary: the metric
/// (namespace, name, dimensions), the statistic and the period. The Sandbox answers it from its
/// model, the Aws backend sends it as a <c>MetricDataQuery</c>.
/// </summary>
public sealed record MetricQuery(
    string Id,
    string Namespace,
    string MetricName,
    IReadOnlyList<MetricDimension> Dimensions,
    Statistic Statistic,
    int PeriodSeconds,
    string? Label = null);

/// <summary>A <c>GetMetricData</c> request: up to 500 queries over one time range.</summary>
public sealed record MetricDataRequest(IReadOnlyList<MetricQuery> Queries, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>CloudWatch's limit of queries per GetMetricData call.</summary>
    public const int MaxQueries = 500;
}

/// <summary>CloudWatch's <c>StatusCode</c> of a metric data result.</summary>
public enum MetricDataStatus { Complete, PartialData, Forbidden, InternalError }

/// <summary>
/// The answer to one <see cref="MetricQuery"/>: points in ascending time order (CloudWatch returns
/// them descending by default; adapters reorder). Timestamps are the start of each period.
/// </summary>
public sealed record MetricSeries(
    string Id,
    string Label,
    MetricUnit Unit,
    IReadOnlyList<MetricPoint> Points,
    MetricDataStatus Status = MetricDataStatus.Complete,
    string? Message = null);

public readonly record struct MetricPoint(DateTimeOffset Timestamp, double Value);

/// <summary>The CloudWatch units the portal shows.</summary>
public enum MetricUnit { None, Milliseconds, Seconds, Percent, Count, CountPerSecond, Bytes, Megabytes }
