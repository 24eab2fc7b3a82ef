using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests;

/// <summary>
/// A fake clock that says when code arms a timer on it (<c>Task.Delay</c>, <c>PeriodicTimer</c>,
/// <c>CancelAfter</c>) and when that timer is due, so that a test moves time on that signal
/// instead of polling in real time until a background loop has got round to arming it.
/// </summary>
public sealed class WatchedClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    /// <summary>Raised on the arming thread, once the timer exists, with the moment it is due.</summary>
    public event Action<DateTimeOffset>? TimerArmed;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            TimerArmed?.Invoke(GetUtcNow() + dueTime);
        }
        return timer;
    }
}
