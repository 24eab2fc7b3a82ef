using System.Globalization;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Aws;

/// <summary>
/// The write probe of an AWS environment, read from CloudWatch: a canary in the environment (one
/// small write a second through the Aurora cluster endpoint and the Redis primary endpoint) publishes
/// high-resolution metrics <see cref="PlatformCatalogue.WriteProbeNamespace"/> per second, and this
/// reads them back with <c>GetMetricData</c> at a 1-second period.
/// <para>
/// Why a canary's metric and not the ALB's or RDS's: those are per minute (RDS's <c>CommitLatency</c>,
/// ALB 5xx), so they can say a minute had failures but not which seconds. A failover's write outage
/// is 20–60 s; per-minute data would round it to one or two whole minutes.
/// </para>
/// <para>
/// Resolution, honestly: CloudWatch keeps 1-second datapoints for 3 hours, then only per minute; a
/// range reaching further back is refused with that reason (evidence is measured right after a run).
/// A second in which the canary published nothing has no sample (the evidence's sample count shows
/// the coverage) rather than an invented success. Metrics carry no error text, so a failed sample
/// says how many writes failed and where the client's own message is (the canary's log group).
/// </para>
/// </summary>
public sealed class AwsWriteProbe(ICloudWatch cloudWatch, TimeProvider time) : IWriteProbe
{
    /// <summary>How long CloudWatch keeps 1-second datapoints of a high-resolution metric.</summary>
    public static readonly TimeSpan HighResolutionRetention = TimeSpan.FromHours(3);

    /// <summary>The longest range one request may ask for, as the Sandbox's probe.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromHours(6);

    public async Task<IReadOnlyList<WriteProbeSample>> GetWriteProbeSamplesAsync(WriteProbeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Target))
        {
            throw new InvalidParameterValueException($"There is no write probe '{request.Target}'. Probes: {string.Join(", ", Enum.GetNames<WriteProbeTarget>())}.");
        }
        if (request.StartTime > request.EndTime)
        {
            throw new InvalidParameterValueException($"StartTime ({request.StartTime:u}) is after EndTime ({request.EndTime:u}).");
        }
        if (request.EndTime - request.StartTime > MaxRange)
        {
            throw new InvalidParameterValueException($"A write-probe range may span at most {MaxRange.TotalHours:0} hours; ask for {request.StartTime:u} to {request.EndTime:u} in parts.");
        }
        var now = time.GetUtcNow();
        if (request.StartTime < now - HighResolutionRetention)
        {
            throw new InvalidParameterValueException(
                $"CloudWatch keeps the write probe's per-second datapoints for {HighResolutionRetention.TotalHours:0} hours; {request.StartTime:u} is older, so only per-minute data is left, which cannot say which seconds failed.");
        }
        var first = DateTimeOffset.FromUnixTimeSeconds((long)Math.Ceiling(request.StartTime.ToUnixTimeMilliseconds() / 1000.0));
        var end = request.EndTime < now ? request.EndTime : now;
        if (end <= first)
        {
            return [];
        }
        var target = request.Target.ToString();
        Metric Probe(string name) => new(PlatformCatalogue.WriteProbeNamespace, name, [new Dimension("Target", target)]);
        var response = await cloudWatch.GetAllMetricDataAsync(new GetMetricDataRequest
        {
            MetricDataQueries =
            [
                MetricDataQuery.ForMetric("writes", Probe(PlatformCatalogue.WriteProbeAttempts), Statistic.Sum, 1),
                MetricDataQuery.ForMetric("failures", Probe(PlatformCatalogue.WriteProbeFailures), Statistic.Sum, 1),
                MetricDataQuery.ForMetric("latency", Probe(PlatformCatalogue.WriteProbeLatency), Statistic.Average, 1),
            ],
            StartTime = first,
            EndTime = end,
            ScanBy = ScanBy.TimestampAscending,
        }, cancellationToken);
        var series = response.MetricDataResults.ToDictionary(
            r => r.Id, r => r.Timestamps.Zip(r.Values).ToDictionary(p => p.First, p => p.Second), StringComparer.Ordinal);
        var failures = series.GetValueOrDefault("failures") ?? [];
        var latency = series.GetValueOrDefault("latency") ?? [];
        return (series.GetValueOrDefault("writes") ?? [])
            .Where(p => p.Value > 0 && p.Key >= first && p.Key < end)
            .OrderBy(p => p.Key)
            .Select(p =>
            {
                var failed = failures.GetValueOrDefault(p.Key);
                return new WriteProbeSample(p.Key, failed == 0, Math.Round(latency.GetValueOrDefault(p.Key), 3), failed == 0 ? null
                    : string.Create(CultureInfo.InvariantCulture,
                        $"the write-probe canary counted {failed:0} failed write(s) of {p.Value:0} to the {target} in this second ({PlatformCatalogue.WriteProbeNamespace} {PlatformCatalogue.WriteProbeFailures}); the client's error is in the canary's log"));
            })
            .ToList();
    }
}
