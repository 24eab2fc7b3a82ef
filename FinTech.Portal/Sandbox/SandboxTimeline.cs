using System.Collections.Immutable;

namespace FinTech.Portal.Sandbox;

/// <summary>From which minute on an instance or node holds a role (the writer, the primary).</summary>
internal readonly record struct RoleChange(long FromMinute, int Index);

/// <summary>
/// The history that, with the seed, determines every number: when each fault was on, and which
/// instance was the Aurora writer and which node the Redis primary. Immutable, so readers take a
/// snapshot without locking while a knob is turned.
/// </summary>
internal sealed record SandboxState(
    ImmutableArray<SandboxFaultInterval> Faults,
    ImmutableArray<RoleChange> WriterChanges,
    ImmutableArray<RoleChange> PrimaryChanges)
{
    public static readonly SandboxState Initial = new([], [new RoleChange(long.MinValue, 0)], [new RoleChange(long.MinValue, 0)]);

    public int WriterAt(long minute) => RoleAt(WriterChanges, minute);

    public int PrimaryAt(long minute) => RoleAt(PrimaryChanges, minute);

    /// <summary>Whether a new writer took over at the start of the minute (the disruption of a failover).</summary>
    public bool WriterTookOverAt(long minute) => TookOverAt(WriterChanges, minute);

    public bool PrimaryTookOverAt(long minute) => TookOverAt(PrimaryChanges, minute);

    public int CurrentWriter => WriterChanges[^1].Index;

    public int CurrentPrimary => PrimaryChanges[^1].Index;

    private static bool TookOverAt(ImmutableArray<RoleChange> changes, long minute)
    {
        for (var i = changes.Length - 1; i > 0 && changes[i].FromMinute >= minute; i--)
        {
            if (changes[i].FromMinute == minute)
            {
                return true;
            }
        }
        return false;
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

/// <summary>How strongly each fault acts in one minute, 0 (off) to 1 (fully on).</summary>
internal readonly record struct FaultLevels(double LatencySpike, double ErrorBurst, double ReplicaLag, double CacheMissStorm, double TaskCrashLoop)
{
    public bool Any => LatencySpike > 0 || ErrorBurst > 0 || ReplicaLag > 0 || CacheMissStorm > 0 || TaskCrashLoop > 0;
}

/// <summary>
/// The inputs of one minute that every metric of that minute shares. <see cref="DatabaseFailover"/>
/// and <see cref="CacheFailover"/> mark the first minute under a new writer or primary.
/// </summary>
internal readonly record struct SandboxMinute(
    long Index, double RequestsPerSecond, FaultLevels Faults, int Writer, int Primary, bool DatabaseFailover = false, bool CacheFailover = false)
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
    }

    public SandboxMinute At(long minute) =>
        new(minute, _model.RequestsPerSecond(minute), LevelsAt(minute), _state.WriterAt(minute), _state.PrimaryAt(minute),
            _state.WriterTookOverAt(minute), _state.PrimaryTookOverAt(minute));

    /// <summary>Whether any fault acts in the minute; outside such minutes the platform is at its baseline.</summary>
    public bool IsDisturbed(long minute) => LevelsAt(minute).Any;

    /// <summary>
    /// The minute ranges (inclusive) in which some fault may act, merged and ascending, up to
    /// <paramref name="untilMinute"/>. Every disturbed minute lies in one of them.
    /// </summary>
    public IReadOnlyList<(long From, long To)> DisturbedWindows(long untilMinute)
    {
        var windows = new List<(long From, long To)>();
        foreach (var (from, to) in _faults
            .Select(f => (From: FirstMinuteAfter(Seconds(f.Start)), To: f.End is { } end ? LastMinuteBefore(Seconds(end) + RampDownSeconds) : untilMinute))
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
