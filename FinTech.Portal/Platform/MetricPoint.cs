namespace FinTech.Portal.Platform;

/// <summary>One datapoint of a chart: the start of its period and its value.</summary>
public readonly record struct MetricPoint(DateTimeOffset Timestamp, double Value);
