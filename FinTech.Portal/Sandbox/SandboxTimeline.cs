using System.Collections.Immutable;

namespace FinTech.Portal.Sandbox;

/// <summary>From which minute on an instance or node holds a role (the writer, the primary).</summary>
internal readonly record struct RoleChange(long FromMinute, int Index);

/// <summary>
/// The history that, with the seed, determines every number: when each fault was on, the
/// failovers, and from which minute which instance was the Aurora writer and which node the Redis
/// primary. Immutable, so readers take a snapshot without locking while a knob is turned.
/// A failover is recorded whole when it starts (its timings follow from the seed), and each
/// reader asks for the moment it sees, so nothing shows before its time.
/// </summary>
internal sealed record SandboxState(
    ImmutableArray<SandboxFaultInterval> Faults,
    ImmutableArray<RoleChange> WriterChanges,
    ImmutableArray<RoleChange> PrimaryChanges,
    ImmutableArray<SandboxAuroraFailover> AuroraFailovers,
    ImmutableArray<SandboxRedisTestFailover> RedisFailovers)
{
    public static readonly SandboxState Initial = new([], [new RoleChange(long.MinValue, 0)], [new RoleChange(long.MinValue, 0)], [], []);

    /// <summary>The API service's task definitions and deployments (null only in a state no platform has adopted).</summary>
    public SandboxEcsHistory? Ecs { get; init; }

    public int WriterAt(long minute) => RoleAt(WriterChanges, minute);

    public int PrimaryAt(long minute) => RoleAt(PrimaryChanges, minute);

    /// <summary>The share of the minute during which writes to Aurora failed (a failover's outage), 0 to 1.</summary>
    public double DatabaseOutage(long minute) => Outage(AuroraFailovers, f => (f.WritesFailFrom, f.WritesResumeAt), minute);

    /// <summary>The share of the minute during which writes to Redis failed (a test failover's outage), 0 to 1.</summary>
    public double CacheOutage(long minute) => Outage(RedisFailovers, f => (f.WritesFailFrom, f.WritesResumeAt), minute);

    /// <summary>The Aurora failover running at <paramref name="time"/>, if any.</summary>
    public SandboxAuroraFailover? AuroraFailoverAt(DateTimeOffset time) =>
        AuroraFailovers.Length > 0 && AuroraFailovers[^1].IsRunningAt(time) ? AuroraFailovers[^1] : null;

    /// <summary>The Redis test failover running at <paramref name="time"/>, if any.</summary>
    public SandboxRedisTestFailover? RedisFailoverAt(DateTimeOffset time) =>
        RedisFailovers.Length > 0 && RedisFailovers[^1].IsRunningAt(time) ? RedisFailovers[^1] : null;

    /// <summary>
    /// The minute from which a role taken over at <paramref name="time"/> counts. A minute is judged
    /// at its middle, like fault levels: a takeover in its first half makes it the new holder's.
    /// </summary>
    public static long FirstMinuteFrom(DateTimeOffset time) =>
        (long)Math.Floor((time.ToUnixTimeMilliseconds() / 1000.0 - 30) / 60) + 1;

    private static double Outage<T>(ImmutableArray<T> failovers, Func<T, (DateTimeOffset From, DateTimeOffset To)> window, long minute)
    {
        var start = minute * 60.0;
        var end = start + 60;
        var seconds = 0.0;
        // Newest first; failovers do not overlap and last minutes, so only the last few can touch a minute.
        for (var i = failovers.Length - 1; i >= 0; i--)
        {
            var (from, to) = window(failovers[i]);
            var outageFrom = from.ToUnixTimeMilliseconds() / 1000.0;
            var outageTo = to.ToUnixTimeMilliseconds() / 1000.0;
            if (outageTo <= start - 3600)
            {
                break;
            }
            seconds += Math.Max(0, Math.Min(end, outageTo) - Math.Max(start, outageFrom));
        }
        return Math.Min(1, seconds / 60);
    }

    private static int RoleAt(ImmutableArray<RoleChange> changes, long minute)
    {
        for (var i = changes.Length - 1; i > 0; i--)
        {
            if (changes[i].FromMinute <= minute)
            {
                return changes[i].Index;
            }
        }
        return changes[0].Index;
    }
}

/// <summary>
/// What the API service's deployments do to one minute: the share of requests served by a crashing
/// build, the share of the minute during which a fresh task set warmed up (cold caches, JIT), and
/// the tasks running beyond the desired count or pending (averaged over the minute).
/// </summary>
internal readonly record struct DeploymentLevels(double CrashingShare, double ColdShare, double ExtraTasks, double PendingTasks)
{
    public bool Any => CrashingShare > 0 || ColdShare > 0 || ExtraTasks > 0 || PendingTasks > 0;
}

/// <summary>How strongly each fault acts in one minute, 0 (off) to 1 (fully on).</summary>
internal readonly record struct FaultLevels(double LatencySpike, double ErrorBurst, double ReplicaLag, double CacheMissStorm, double TaskCrashLoop)
{
    public bool Any => LatencySpike > 0 || ErrorBurst > 0 || ReplicaLag > 0 || CacheMissStorm > 0 || TaskCrashLoop > 0;
}

/// <summary>
/// The inputs of one minute that every metric of that minute shares. <see cref="DatabaseOutage"/>
/// and <see cref="CacheOutage"/> are the share of the minute (0 to 1) during which a failover kept
/// writes from the Aurora writer or the Redis primary.
/// </summary>
internal readonly record struct SandboxMinute(
    long Index, double RequestsPerSecond, FaultLevels Faults, int Writer, int Primary, double DatabaseOutage = 0, double CacheOutage = 0,
    DeploymentLevels Deployment = default)
{
    /// <summary>0 at the night trough, 1 at the evening peak.</summary>
    public double LoadFraction => Math.Clamp((RequestsPerSecond - SandboxModel.TroughRequestsPerSecond) / (SandboxModel.PeakRequestsPerSecond - SandboxModel.TroughRequestsPerSecond), 0, 1.2);

    public double Requests => Math.Round(RequestsPerSecond * 60);
}

/// <summary>Turns a state snapshot into <see cref="SandboxMinute"/>s for a range of minutes.</summary>
internal sealed class SandboxTimeline
{
    /// <summary>Faults build up over this long once switched on ...</summary>
    public const double RampUpSeconds = 90;

    /// <summary>... and fade over this long once cleared (queues drain, caches refill).</summary>
    public const double RampDownSeconds = 120;

    private readonly SandboxModel _model;
    private readonly SandboxState _state;
    private readonly SandboxFaultInterval[] _faults;
    private readonly SandboxEcsRollout? _rollout;
    private readonly (long From, long To)[] _deploymentWindows;

    public SandboxTimeline(SandboxModel model, SandboxState state, long fromMinute, long toMinute)
    {
        _model = model;
        _state = state;
        var from = fromMinute * 60.0;
        var to = (toMinute + 1) * 60.0;
        // Only the intervals that touch the range: a long knob history does not slow every query.
        _faults = state.Faults
            .Where(f => Seconds(f.Start) < to && (f.End is not { } end || Seconds(end) + RampDownSeconds > from))
            .ToArray();
        // Only the deployments that touch the range (a deployment moves the metrics for a few minutes).
        if (state.Ecs is { Deployments.Length: > 0 } ecs)
        {
            var rollout = ecs.Rollout();
            _deploymentWindows = rollout.Windows().Where(w => w.From <= toMinute && w.To >= fromMinute).ToArray();
            _rollout = _deploymentWindows.Length > 0 ? rollout : null;
        }
        else
        {
            _deploymentWindows = [];
        }
    }

    public SandboxMinute At(long minute) =>
        new(minute, _model.RequestsPerSecond(minute), LevelsAt(minute), _state.WriterAt(minute), _state.PrimaryAt(minute),
            _state.DatabaseOutage(minute), _state.CacheOutage(minute), DeploymentAt(minute));

    /// <summary>Whether any fault, failover or deployment acts in the minute; outside such minutes the platform is at its baseline.</summary>
    public bool IsDisturbed(long minute) => LevelsAt(minute).Any || _state.DatabaseOutage(minute) > 0 || _state.CacheOutage(minute) > 0
        || DeploymentAt(minute).Any;

    private DeploymentLevels DeploymentAt(long minute)
    {
        if (_rollout is null || !_deploymentWindows.Any(w => w.From <= minute && minute <= w.To))
        {
            return default;
        }
        var (crashing, cold, extra, pending) = _rollout.MinuteLevels(minute);
        return new DeploymentLevels(crashing, cold, extra, pending);
    }

    /// <summary>
    /// The minute ranges (inclusive) in which some fault may act, merged and ascending, up to
    /// <paramref name="untilMinute"/>. Every disturbed minute lies in one of them.
    /// </summary>
    public IReadOnlyList<(long From, long To)> DisturbedWindows(long untilMinute)
    {
        var windows = new List<(long From, long To)>();
        var faults = _faults
            .Select(f => (From: FirstMinuteAfter(Seconds(f.Start)), To: f.End is { } end ? LastMinuteBefore(Seconds(end) + RampDownSeconds) : untilMinute));
        // A failover's outage touches the minutes it overlaps (not judged at their middle: any second counts).
        var failovers = _state.AuroraFailovers.Select(f => (f.WritesFailFrom, f.WritesResumeAt))
            .Concat(_state.RedisFailovers.Select(f => (f.WritesFailFrom, f.WritesResumeAt)))
            .Select(w => (From: (long)Math.Floor(Seconds(w.Item1) / 60), To: (long)Math.Ceiling(Seconds(w.Item2) / 60) - 1));
        foreach (var (from, to) in faults.Concat(failovers).Concat(_deploymentWindows)
            .Select(w => (w.From, To: Math.Min(w.To, untilMinute)))
            .Where(w => w.From <= w.To)
            .OrderBy(w => w.From))
        {
            if (windows.Count > 0 && from <= windows[^1].To + 1)
            {
                windows[^1] = (windows[^1].From, Math.Max(windows[^1].To, to));
            }
            else
            {
                windows.Add((from, to));
            }
        }
        return windows;
    }

    // A minute is judged at its middle (see LevelsAt).
    private static long FirstMinuteAfter(double seconds) => (long)Math.Floor((seconds - 30) / 60) + 1;

    private static long LastMinuteBefore(double seconds) => (long)Math.Ceiling((seconds - 30) / 60) - 1;

    private FaultLevels LevelsAt(long minute)
    {
        if (_faults.Length == 0)
        {
            return default;
        }
        // The middle of the minute: a knob turned during a minute acts on part of it.
        var t = minute * 60.0 + 30;
        double latency = 0, errors = 0, lag = 0, cache = 0, crash = 0;
        foreach (var interval in _faults)
        {
            var level = Level(interval, t);
            if (level <= 0)
            {
                continue;
            }
            switch (interval.Fault)
            {
                case SandboxFault.LatencySpike: latency = Math.Max(latency, level); break;
                case SandboxFault.ErrorBurst: errors = Math.Max(errors, level); break;
                case SandboxFault.ReplicaLag: lag = Math.Max(lag, level); break;
                case SandboxFault.CacheMissStorm: cache = Math.Max(cache, level); break;
                case SandboxFault.TaskCrashLoop: crash = Math.Max(crash, level); break;
            }
        }
        return new FaultLevels(latency, errors, lag, cache, crash);
    }

    private static double Level(SandboxFaultInterval interval, double t)
    {
        var start = Seconds(interval.Start);
        if (t <= start)
        {
            return 0;
        }
        if (interval.End is not { } endTime || t <= Seconds(endTime))
        {
            return Math.Min(1, (t - start) / RampUpSeconds);
        }
        var end = Seconds(endTime);
        var reached = Math.Min(1, (end - start) / RampUpSeconds);
        return reached * Math.Max(0, 1 - (t - end) / RampDownSeconds);
    }

    private static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;
}
