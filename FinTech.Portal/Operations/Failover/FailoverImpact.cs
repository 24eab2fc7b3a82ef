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
        var resources = context.Environment.Resources;
        MetricDimension[] loadBalancer = [new("LoadBalancer", resources.LoadBalancer)];
        var baselineStart = windowStart - Baseline;
        var series = await context.Platform.Metrics.GetMetricDataAsync(new MetricDataRequest(
        [
            new MetricQuery("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", loadBalancer, Statistic.Sum, 60),
            new MetricQuery("p99", "AWS/ApplicationELB", "TargetResponseTime", loadBalancer, Statistic.P99, 60),
        ], baselineStart, windowEnd), cancellationToken);
        var errors = series.FirstOrDefault(s => s.Id == "errors")?.Points ?? [];
        var p99 = series.FirstOrDefault(s => s.Id == "p99")?.Points ?? [];
        // Whole minutes that overlap the window; the baseline is every minute before it.
        var windowFrom = Truncate(windowStart);
        figures["api5xxDuringWindow"] = Format(errors.Where(p => p.Timestamp >= windowFrom && p.Timestamp <= windowEnd).Sum(p => p.Value));
        figures["api5xxPerMinuteBaseline"] = Format(Average(errors.Where(p => p.Timestamp < windowFrom)));
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
