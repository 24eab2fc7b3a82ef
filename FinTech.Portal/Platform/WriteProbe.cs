namespace FinTech.Portal.Platform;

/// <summary>
/// A synthetic write probe: one small write a second against a data store, as a canary would do,
/// so that evidence can measure how long writes failed during a failover. The Sandbox simulates
/// the probe from its model; on AWS it is derived from metrics and events.
/// </summary>
public interface IWriteProbe
{
    /// <summary>One sample per whole second in [<see cref="WriteProbeRequest.StartTime"/>, <see cref="WriteProbeRequest.EndTime"/>), oldest first.</summary>
    Task<IReadOnlyList<WriteProbeSample>> GetWriteProbeSamplesAsync(WriteProbeRequest request, CancellationToken cancellationToken = default);
}

public enum WriteProbeTarget { AuroraWriter, RedisPrimary }

public sealed record WriteProbeRequest(WriteProbeTarget Target, DateTimeOffset StartTime, DateTimeOffset EndTime);

/// <summary>One probe write: whether it committed, how long it took, and the error a client saw when it did not.</summary>
public sealed record WriteProbeSample(DateTimeOffset Time, bool Succeeded, double LatencyMilliseconds, string? Error);

/// <summary>
/// What a write probe saw over a range, as evidence reports it: the stretches of consecutive failed
/// writes, their total, the first and last failure.
/// </summary>
public sealed record WriteUnavailability(
    int Samples,
    int FailedSamples,
    TimeSpan Unavailable,
    DateTimeOffset? FirstFailure,
    DateTimeOffset? LastFailure,
    IReadOnlyList<WriteOutage> Outages)
{
    /// <summary>Summarizes per-second samples (oldest first): each failed sample stands for its second.</summary>
    public static WriteUnavailability From(IReadOnlyList<WriteProbeSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var outages = new List<WriteOutage>();
        var second = TimeSpan.FromSeconds(1);
        foreach (var sample in samples.Where(s => !s.Succeeded))
        {
            if (outages.Count > 0 && outages[^1].End == sample.Time)
            {
                outages[^1] = outages[^1] with { End = sample.Time + second, FailedSamples = outages[^1].FailedSamples + 1, LastError = sample.Error };
            }
            else
            {
                outages.Add(new WriteOutage(sample.Time, sample.Time + second, 1, sample.Error, sample.Error));
            }
        }
        return new WriteUnavailability(
            samples.Count,
            outages.Sum(o => o.FailedSamples),
            TimeSpan.FromSeconds(outages.Sum(o => o.FailedSamples)),
            outages.Count > 0 ? outages[0].Start : null,
            outages.Count > 0 ? outages[^1].End - second : null,
            outages);
    }
}

/// <summary>One stretch of consecutive failed probe writes, [<see cref="Start"/>, <see cref="End"/>).</summary>
public sealed record WriteOutage(DateTimeOffset Start, DateTimeOffset End, int FailedSamples, string? FirstError, string? LastError)
{
    public TimeSpan Duration => End - Start;
}
