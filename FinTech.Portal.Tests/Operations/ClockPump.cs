using FinTech.Portal.Operations;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Operations;

/// <summary>Moves a fake clock to exactly the moment the operation worker waits for (its <c>WaitingOnClock</c>), so runs advance without real-time pauses.</summary>
public sealed class ClockPump : IDisposable
{
    private readonly OperationWorker _worker;
    private readonly FakeTimeProvider _time;
    private readonly System.Threading.Channels.Channel<DateTimeOffset> _waits = System.Threading.Channels.Channel.CreateUnbounded<DateTimeOffset>();

    public ClockPump(OperationWorker worker, FakeTimeProvider time)
    {
        _worker = worker;
        _time = time;
        _worker.WaitingOnClock += OnWaiting;
    }

    private Task<DateTimeOffset>? _next;

    private void OnWaiting(DateTimeOffset due) => _waits.Writer.TryWrite(due);

    /// <summary>
    /// Waits until the worker waits on the clock (true: the clock moved to the due moment) or
    /// <paramref name="work"/> ends (false). Also false when the next due moment is past <paramref name="end"/>.
    /// </summary>
    public async Task<bool> StepAsync(Task work, DateTimeOffset end)
    {
        // A read that lost to the work is kept for the next step, so that no wait is dropped.
        var next = _next ??= _waits.Reader.ReadAsync().AsTask();
        if (await Task.WhenAny(work, next) != next)
        {
            return false;
        }
        _next = null;
        var due = await next;
        if (due > end)
        {
            return false;
        }
        if (due > _time.GetUtcNow())
        {
            _time.Advance(due - _time.GetUtcNow());
        }
        return true;
    }

    public void Dispose() => _worker.WaitingOnClock -= OnWaiting;
}
