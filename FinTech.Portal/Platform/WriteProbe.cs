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
