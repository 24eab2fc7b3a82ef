using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The synthetic write probe of the simulated platform: one small write a second to the Aurora
/// writer (an INSERT through the cluster endpoint) or the Redis primary (a SET through the primary
/// endpoint), as a canary would. A write fails while a failover keeps the writer or primary away,
/// first at the connection, then, for as long as clients still resolve the old endpoint, as a write
/// refused by the demoted node. Latencies follow the model's commit latency, with a deterministic
/// per-second jitter, and stay high for a while after a failover as pools reconnect.
/// Only seconds that have passed are probed.
/// </summary>
public sealed class SandboxWriteProbe : IWriteProbe
{
    /// <summary>The longest range one request may ask for (six hours of seconds).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromHours(6);

    /// <summary>A write that gets no answer is given up after this long.</summary>
    public const double TimeoutMilliseconds = 1000;

    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;
    private readonly ulong _auroraJitter;
    private readonly ulong _redisJitter;

    internal SandboxWriteProbe(SandboxPlatform platform, SandboxModel model)
    {
        _platform = platform;
        _model = model;
        _auroraJitter = SandboxNoise.Stream(platform.Seed, "WriteProbe", (int)WriteProbeTarget.AuroraWriter);
        _redisJitter = SandboxNoise.Stream(platform.Seed, "WriteProbe", (int)WriteProbeTarget.RedisPrimary);
    }

    public async Task<IReadOnlyList<WriteProbeSample>> GetWriteProbeSamplesAsync(WriteProbeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        await _platform.TryCatchUpAsync(cancellationToken);
        return Samples(request);
    }

    public IReadOnlyList<WriteProbeSample> Samples(WriteProbeRequest request)
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
        var state = _platform.State;
        var first = (long)Math.Ceiling(request.StartTime.ToUnixTimeMilliseconds() / 1000.0);
        var end = Math.Min(request.EndTime.ToUnixTimeMilliseconds(), _platform.Now.ToUnixTimeMilliseconds());
        var last = (long)Math.Ceiling(end / 1000.0) - 1;
        if (last < first)
        {
            return [];
        }
        var timeline = new SandboxTimeline(_model, state, SandboxNoise.FloorDiv(first, 60), SandboxNoise.FloorDiv(last, 60));
        var samples = new List<WriteProbeSample>((int)(last - first + 1));
        for (var second = first; second <= last; second++)
        {
            var time = DateTimeOffset.FromUnixTimeSeconds(second);
            var minute = timeline.At(SandboxNoise.FloorDiv(second, 60));
            samples.Add(request.Target == WriteProbeTarget.AuroraWriter ? Aurora(state, time, minute) : Redis(state, time, minute));
        }
        return samples;
    }

    private WriteProbeSample Aurora(SandboxState state, DateTimeOffset time, SandboxMinute minute)
    {
        var cluster = _platform.Resources.AuroraCluster;
        var failover = LastStartedBy(state.AuroraFailovers, f => f.StartedAt, time);
        if (failover is not null && time >= failover.WritesFailFrom && time < failover.WritesResumeAt)
        {
            return time < failover.CompletedAt
                ? new WriteProbeSample(time, false, TimeoutMilliseconds,
                    $"could not write through {cluster}'s cluster endpoint: server closed the connection unexpectedly (failover to {failover.ToInstance} in progress)")
                : new WriteProbeSample(time, false, Jittered(_auroraJitter, time, 1.1),
                    $"ERROR: cannot execute INSERT in a read-only transaction ({failover.FromInstance}, now a reader, still answers the cached writer endpoint)");
        }
        // One INSERT is one commit plus a round trip in the VPC.
        var commit = _model.AuroraCommitLatency(minute, minute.Writer);
        var latency = Jittered(_auroraJitter, time, commit + 1.2) + Reconnecting(failover?.WritesResumeAt, time, 20, 25);
        return new WriteProbeSample(time, true, latency, null);
    }

    private WriteProbeSample Redis(SandboxState state, DateTimeOffset time, SandboxMinute minute)
    {
        var group = _platform.Resources.RedisReplicationGroup;
        var failover = LastStartedBy(state.RedisFailovers, f => f.StartedAt, time);
        if (failover is not null && time >= failover.WritesFailFrom && time < failover.WritesResumeAt)
        {
            return time < failover.PromotedAt
                ? new WriteProbeSample(time, false, TimeoutMilliseconds,
                    $"SET through {group}'s primary endpoint failed: Connection reset by peer (test failover of node group {failover.NodeGroupId} in progress)")
                : new WriteProbeSample(time, false, Jittered(_redisJitter, time, 0.5),
                    $"READONLY You can't write against a read only replica. ({failover.FromNode} still answers the cached primary endpoint)");
        }
        var latency = Jittered(_redisJitter, time, 0.45 + 0.35 * minute.LoadFraction) + Reconnecting(failover?.WritesResumeAt, time, 10, 5);
        return new WriteProbeSample(time, true, latency, null);
    }

    private static T? LastStartedBy<T>(IReadOnlyList<T> failovers, Func<T, DateTimeOffset> startedAt, DateTimeOffset time) where T : class
    {
        for (var i = failovers.Count - 1; i >= 0; i--)
        {
            if (startedAt(failovers[i]) <= time)
            {
                return failovers[i];
            }
        }
        return null;
    }

    /// <summary>Extra latency in the seconds after writes resume, fading linearly: pools reconnect, buffers warm.</summary>
    private static double Reconnecting(DateTimeOffset? resumedAt, DateTimeOffset time, double seconds, double extraMilliseconds)
    {
        if (resumedAt is not { } resumed || time < resumed)
        {
            return 0;
        }
        var since = (time - resumed).TotalSeconds;
        return since >= seconds ? 0 : extraMilliseconds * (1 - since / seconds);
    }

    private static double Jittered(ulong stream, DateTimeOffset time, double milliseconds) =>
        Math.Round(milliseconds * (1 + 0.15 * SandboxNoise.Jitter(stream, time.ToUnixTimeSeconds())), 3);
}
