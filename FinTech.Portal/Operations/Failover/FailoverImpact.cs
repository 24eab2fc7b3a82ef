using FinTech.Portal.Platform.CloudWatch;
using System.Globalization;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations.Failover;

/// <summary>
/// The customer impact of a failover window, measured the same way for both kinds: write
/// unavailability as the synthetic probe saw it, and the API's 5xx count and p99 latency during
/// the window against the five minutes before the run (the baseline).
/// </summary>
internal static class FailoverImpact
{
    public static readonly TimeSpan Baseline = TimeSpan.FromMinutes(5);

    public static async Task<Dictionary<string, string>> MeasureAsync(OperationContext context, WriteProbeTarget probeTarget,
        DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.Platform.Has<IWriteProbe>())
        {
            var samples = await context.Platform.Get<IWriteProbe>().GetWriteProbeSamplesAsync(
                new WriteProbeRequest(probeTarget, windowStart, windowEnd), cancellationToken);
            var failed = samples.Where(s => !s.Succeeded).ToList();
            figures["writeUnavailableSeconds"] = failed.Count.ToString(CultureInfo.InvariantCulture);
            figures["probeSamples"] = samples.Count.ToString(CultureInfo.InvariantCulture);
            if (failed.Count > 0)
            {
                figures["firstFailedWrite"] = failed[0].Time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                figures["lastFailedWrite"] = failed[^1].Time.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
                figures["probeError"] = failed[0].Error ?? "write failed";
            }
        }
        var baselineStart = windowStart - Baseline;
        var series = await OperationMetrics.PointsAsync(context.Platform,
        [
            MetricDataQuery.ForMetric("errors", OperationMetrics.ApiMetric(context.Environment, "HTTPCode_Target_5XX_Count"), Statistic.Sum, 60),
            MetricDataQuery.ForMetric("p99", OperationMetrics.ApiMetric(context.Environment, "TargetResponseTime"), Statistic.P99, 60),
        ], baselineStart, windowEnd, cancellationToken);
        // CloudWatch publishes no datapoint for a minute without a 5xx: an absent minute is a zero.
        var errors = series["errors"];
        var p99 = series["p99"];
        // Whole minutes that overlap the window; the baseline is every minute before it.
        var windowFrom = Truncate(windowStart);
        figures["api5xxDuringWindow"] = Format(errors.Where(p => p.Timestamp >= windowFrom && p.Timestamp <= windowEnd).Sum(p => p.Value));
        figures["api5xxPerMinuteBaseline"] = Format(errors.Where(p => p.Timestamp < windowFrom).Sum(p => p.Value) / Math.Max(1, (windowFrom - Truncate(baselineStart)).TotalMinutes));
        figures["apiP99MsDuringWindow"] = Format(1000 * Max(p99.Where(p => p.Timestamp >= windowFrom && p.Timestamp <= windowEnd)));
        figures["apiP99MsBaseline"] = Format(1000 * Average(p99.Where(p => p.Timestamp < windowFrom)));
        return figures;
    }

    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static double Average(IEnumerable<MetricPoint> points) => points.Select(p => p.Value).DefaultIfEmpty(0).Average();

    private static double Max(IEnumerable<MetricPoint> points) => points.Select(p => p.Value).DefaultIfEmpty(0).Max();

    public static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
