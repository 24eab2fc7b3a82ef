using System.Text.Json;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations;

/// <summary>A stop condition, an abort request or the safety switch ended the run; the message says which.</summary>
public sealed class OperationStoppedException(string message) : Exception(message);

/// <summary>The worker lost its lease on the run (another worker took over); it must stop touching the run.</summary>
public sealed class LeaseLostException(string runId) : Exception($"This worker no longer holds the lease on run {runId}.");

/// <summary>
/// What a kind gets while it executes a run: the run, its checkpoint (what it did already, kept
/// across restarts), a way to record a call before making it and the events the service
/// reports, and a delay that keeps the lease and checks the stop conditions.
/// </summary>
public sealed class OperationExecution : OperationContext
{
    private readonly OperationWorker _worker;
    private readonly Dictionary<string, string> _checkpoint;
    private DateTimeOffset _lastCheck;

    internal OperationExecution(OperationWorker worker, OperationRun run, PortalEnvironment environment, PlatformConnection platform, TimeProvider time)
        : base(environment, platform, run.Parameters, time)
    {
        _worker = worker;
        Run = run;
        _checkpoint = run.CheckpointJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(run.CheckpointJson) ?? [];
        _lastCheck = time.GetUtcNow();
    }

    public OperationRun Run { get; internal set; }

    public IReadOnlyDictionary<string, string> Checkpoint => _checkpoint;

    /// <summary>Keeps <paramref name="key"/> across restarts (committed before this returns).</summary>
    public async Task SaveAsync(string key, string value, CancellationToken cancellationToken)
    {
        _checkpoint[key] = value;
        Run = await _worker.SaveCheckpointAsync(this, JsonSerializer.Serialize(_checkpoint), cancellationToken);
    }

    /// <summary>
    /// Records that the action <paramref name="call"/> is about to be made: the timeline line, the
    /// audit event (<c>operation.action-started</c>) and the checkpoint <paramref name="key"/>
    /// commit before the call, so a restart knows it may have happened and describes first.
    /// </summary>
    public async Task RecordCallAsync(string key, string call, CancellationToken cancellationToken)
    {
        _checkpoint[key] = AuditCanonical.FormatTimestamp(Time.GetUtcNow());
        Run = await _worker.RecordCallAsync(this, call, JsonSerializer.Serialize(_checkpoint), cancellationToken);
    }

    /// <summary>An event the service reported (read again after a restart: recorded once per <paramref name="eventKey"/>).</summary>
    public Task RecordEventAsync(string eventKey, DateTimeOffset at, string text, CancellationToken cancellationToken) =>
        _worker.RecordTimelineAsync(Run.Id, at, OperationTimelineCategories.Event, text, eventKey, cancellationToken);

    public Task RecordMeasurementAsync(string text, CancellationToken cancellationToken) =>
        _worker.RecordTimelineAsync(Run.Id, Time.GetUtcNow(), OperationTimelineCategories.Measurement, text, null, cancellationToken);

    /// <summary>Waits, renewing the lease, and throws <see cref="OperationStoppedException"/> when the run must stop.</summary>
    public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var due = Time.GetUtcNow() + delay;
        var timer = Task.Delay(delay, Time, cancellationToken);
        // The timer is set: a fake clock moved now reaches it (tests advance on this, not on real time).
        _worker.OnWaitingOnClock(due);
        await timer;
        await CheckAsync(force: false, cancellationToken);
    }

    /// <summary>Renews the lease and checks abort, safety switch and stop conditions (at most once per stop-check interval unless forced).</summary>
    public async Task CheckAsync(bool force, CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        if (!force && now - _lastCheck < _worker.StopCheckInterval)
        {
            return;
        }
        _lastCheck = now;
        await _worker.RenewAndCheckAsync(this, cancellationToken);
    }
}
