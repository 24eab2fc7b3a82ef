using FinTech.Portal.Platform.CloudWatch;
using System.Collections.Concurrent;
using FinTech.Portal.Audit;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Operations;

/// <summary>
/// Executes approved runs. Each portal task runs one worker; they share the work through leases
/// on the run rows (<see cref="OperationStore.ClaimAsync"/>): a worker that dies loses its runs
/// when the lease lapses and another one resumes them from what the platform reports. Every
/// move is a transition guarded by the lease, so a worker that lost its lease changes nothing.
/// </summary>
public sealed class OperationWorker(
    OperationStore store,
    OperationTransitions transitions,
    OperationPreflight preflight,
    OperationKinds kinds,
    EnvironmentCatalog environments,
    OperationEvidence evidence,
    OperationWorkerSignal signal,
    PortalInstance instance,
    IOptions<OperationsOptions> options,
    TimeProvider time,
    ILogger<OperationWorker> logger) : BackgroundService
{
    private readonly OperationsOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Task> _active = new(StringComparer.Ordinal);

    /// <summary>Runs one worker executes at the same time.</summary>
    public const int MaxParallelRuns = 8;

    /// <summary>Lease owner: the portal task plus a per-start nonce, so a restarted task does not inherit its old leases.</summary>
    public string Owner { get; } = $"{instance.Id}/{Guid.NewGuid().ToString("N")[..8]}";

    public AuditActor Actor => new("operations-worker", $"Operations worker ({instance.Id})", [], null);

    internal TimeSpan StopCheckInterval => _options.StopCheckInterval;

    /// <summary>
    /// Raised when a run waits on the clock, once its timer is set, with the moment it is due.
    /// Tests on a fake clock advance it on this signal instead of guessing with real-time delays.
    /// </summary>
    public event Action<DateTimeOffset>? WaitingOnClock;

    internal void OnWaitingOnClock(DateTimeOffset due) => WaitingOnClock?.Invoke(due);

    /// <summary>
    /// Raised with the run's id when this worker's claim loop renews the lapsed lease of a run it is
    /// still processing (a step outlived the lease). Tests wait on it instead of polling the run.
    /// </summary>
    public event Action<string>? LeaseReclaimed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.RunWorker)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExpireAsync(stoppingToken);
                while (_active.Count < MaxParallelRuns && await ClaimAsync(stoppingToken) is { } runId)
                {
                    if (_active.ContainsKey(runId))
                    {
                        // A run of ours whose lease lapsed while a step took long: the claim renewed
                        // it, and the processor already on it carries on. Never two on one run.
                        logger.LogWarning("Run {RunId} outlived its lease while a step ran; the lease is renewed and its processor carries on.", runId);
                        LeaseReclaimed?.Invoke(runId);
                        continue;
                    }
                    _active[runId] = Task.Run(async () =>
                    {
                        try
                        {
                            await ProcessAsync(runId, stoppingToken);
                        }
                        finally
                        {
                            _active.TryRemove(runId, out _);
                            signal.Wake();
                        }
                    }, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The operations worker could not claim runs; trying again in {Interval}.", _options.PollInterval);
            }
            try
            {
                await signal.WaitAsync(_options.PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(_active.Values.ToList()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task<string?> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return store.ClaimAsync(Owner, now, now + _options.LeaseDuration, cancellationToken);
    }

    /// <summary>Claims and processes runs until none is ready (tests drive the worker with this on a fake clock).</summary>
    public async Task<int> RunUntilIdleAsync(CancellationToken cancellationToken)
    {
        var processed = 0;
        await ExpireAsync(cancellationToken);
        while (await ClaimAsync(cancellationToken) is { } runId)
        {
            await ProcessAsync(runId, cancellationToken);
            processed++;
        }
        return processed;
    }

    /// <summary>Ends runs whose request or approval has outlived its lifetime.</summary>
    public async Task ExpireAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var runId in await store.ExpiredAsync(now, now - _options.RequestLifetime, cancellationToken))
        {
            try
            {
                await transitions.ApplyAsync(runId, (run, _) =>
                {
                    var expired = run.State == OperationState.AwaitingApproval
                        ? run.CreatedAt + _options.RequestLifetime <= now
                        : run.State == OperationState.Approved && run.ApprovalExpiresAt <= now && (run.LeaseUntil is null || run.LeaseUntil < now);
                    if (!expired)
                    {
                        throw new OperationRefusedException($"Run {run.Id} is no longer due to expire.");
                    }
                    var reason = run.State == OperationState.AwaitingApproval
                        ? $"Nobody approved it within {_options.RequestLifetime:g}."
                        : $"The approval expired at {run.ApprovalExpiresAt:yyyy-MM-dd HH:mm:ss} UTC before the run started; request it again.";
                    return Task.FromResult<TransitionDecision>(new TransitionDecision.Apply(
                        OperationsService.Terminal(run, OperationState.Expired, Actor, AuditOutcome.Failed, reason, "Expired: " + reason)));
                }, cancellationToken);
            }
            catch (OperationRefusedException)
            {
                // Moved on meanwhile (approved, started by another worker).
            }
        }
    }

    /// <summary>Drives one claimed run as far as it goes: to a terminal state, or until the lease is lost.</summary>
    public async Task ProcessAsync(string runId, CancellationToken cancellationToken)
    {
        try
        {
            var run = await store.GetAsync(runId, cancellationToken);
            while (run is { IsTerminal: false } && run.LeaseOwner == Owner)
            {
                run = await StepAsync(run, cancellationToken);
            }
        }
        catch (LeaseLostException e)
        {
            logger.LogWarning("{Message} It stops here; the new holder resumes it.", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The run keeps its state; its lease lapses and a worker (this one or another) resumes it.
            logger.LogError(e, "Run {RunId} could not be advanced; it is resumed when its lease lapses.", runId);
        }
    }

    private async Task<OperationRun> StepAsync(OperationRun run, CancellationToken cancellationToken)
    {
        // Each step starts with a full lease (a step such as preflight does not renew it on its way).
        if (!await store.RenewLeaseAsync(run.Id, Owner, time.GetUtcNow() + _options.LeaseDuration, cancellationToken))
        {
            throw new LeaseLostException(run.Id);
        }
        var kind = kinds.Get(run.Kind);
        var environment = environments.Get(run.Environment);
        var execution = new OperationExecution(this, run, environment, preflight.ContextFor(environment, run.Parameters).Platform, time);
        if (StopReason(run, await store.SafetySwitchAsync(run.Environment, cancellationToken)) is { } stop)
        {
            if (run.State == OperationState.Running)
            {
                // The action may have happened before the stop: the kind puts back what it changed.
                try
                {
                    stop = await kind.UndoAfterStopAsync(execution, stop, cancellationToken);
                }
                catch (OperationFailedException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Failed, e.Message, cancellationToken);
                }
                catch (PlatformUnavailableException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Failed, $"{stop} Undoing the action failed, the platform did not answer: {e.Message}", cancellationToken);
                }
            }
            return await FinishAsync(execution, kind, OperationState.Aborted, stop, cancellationToken);
        }
        switch (run.State)
        {
            case OperationState.Approved:
                if (run.ApprovalExpiresAt <= time.GetUtcNow())
                {
                    return await FinishAsync(execution, kind, OperationState.Expired, "The approval expired before the run started; request it again.", cancellationToken);
                }
                return await MoveAsync(run, run with { State = OperationState.Preflight }, "Preflight started.", null, cancellationToken);

            case OperationState.Preflight:
                return await PreflightAsync(execution, kind, cancellationToken);

            case OperationState.Running:
                try
                {
                    await kind.ExecuteAsync(execution, cancellationToken);
                }
                catch (OperationFailedException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Failed, e.Message, cancellationToken);
                }
                catch (OperationStoppedException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Aborted, e.Message, cancellationToken);
                }
                catch (PlatformUnavailableException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Failed, $"The platform did not answer: {e.Message}", cancellationToken);
                }
                return await MoveAsync(execution.Run, execution.Run with { State = OperationState.Verifying },
                    $"Action completed; watching stop conditions for {kind.VerificationWindow:g} before the verdict.", null, cancellationToken);

            case OperationState.Verifying:
                try
                {
                    var since = execution.Run.UpdatedAt;
                    while (time.GetUtcNow() < since + kind.VerificationWindow)
                    {
                        var left = since + kind.VerificationWindow - time.GetUtcNow();
                        await execution.DelayAsync(left < _options.StopCheckInterval ? left : _options.StopCheckInterval, cancellationToken);
                    }
                    await execution.CheckAsync(force: true, cancellationToken);
                }
                catch (OperationStoppedException e)
                {
                    return await FinishAsync(execution, kind, OperationState.Aborted, e.Message, cancellationToken);
                }
                return await FinishAsync(execution, kind, null, null, cancellationToken);

            default:
                throw new InvalidOperationException($"The worker does not drive runs in state {run.State}.");
        }
    }

    private async Task<OperationRun> PreflightAsync(OperationExecution execution, IOperationKind kind, CancellationToken cancellationToken)
    {
        var run = execution.Run;
        var approvals = await store.ApprovalsAsync(run.Id, cancellationToken);
        // The approval binds to the exact parameters and the target's state: any drift voids it.
        if (OperationJson.Sha256(run.ParametersJson) != run.ParametersHash || approvals.Any(a => a.ParametersHash != run.ParametersHash))
        {
            return await FinishAsync(execution, kind, OperationState.Failed, "The approval is void: the parameters differ from the approved ones.", cancellationToken);
        }
        if (approvals.Count < run.ApprovalsRequired || approvals.Count == 0)
        {
            return await FinishAsync(execution, kind, OperationState.Failed, $"The run has {approvals.Count} of the {Math.Max(1, run.ApprovalsRequired)} approvals it needs.", cancellationToken);
        }
        TargetSnapshot now;
        try
        {
            now = await kind.DescribeTargetAsync(execution, cancellationToken);
        }
        catch (PlatformUnavailableException e)
        {
            return await FinishAsync(execution, kind, OperationState.Failed, $"The target could not be described before execution: {e.Message}", cancellationToken);
        }
        if (approvals.FirstOrDefault(a => a.TargetStateHash != now.Hash) is { } drifted)
        {
            return await FinishAsync(execution, kind, OperationState.Failed,
                $"The approval is void: the target changed since {drifted.ApproverName} approved it ({Drift(drifted.TargetState, now)}).", cancellationToken);
        }
        var checks = await preflight.CheckAsync(kind, execution, run.Id, cancellationToken);
        var failed = checks.Where(c => !c.Passed).ToList();
        var json = System.Text.Json.JsonSerializer.Serialize(checks, OperationJson.Options);
        if (failed.Count > 0)
        {
            execution.Run = run with { PreflightJson = json };
            return await FinishAsync(execution, kind, OperationState.Failed,
                "Preflight failed: " + string.Join(" ", failed.Select(c => $"{c.Name}: {c.Detail}")), cancellationToken);
        }
        return await MoveAsync(run, run with { State = OperationState.Running, PreflightJson = json, StartedAt = time.GetUtcNow() },
            "Preflight passed; running.", null, cancellationToken);
    }

    private static string Drift(string approvedJson, TargetSnapshot now)
    {
        var approved = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(approvedJson) ?? [];
        var changes = now.Facts.Keys.Union(approved.Keys).Order(StringComparer.Ordinal)
            .Where(k => approved.GetValueOrDefault(k) != now.Facts.GetValueOrDefault(k))
            .Select(k => $"{k} was {approved.GetValueOrDefault(k) ?? "absent"}, now {now.Facts.GetValueOrDefault(k) ?? "absent"}");
        return string.Join("; ", changes);
    }

    private static string? StopReason(OperationRun run, SafetySwitch safety) =>
        run.AbortRequested ? $"Aborted on request: {run.OutcomeReason ?? "no reason given"}"
        : safety.Engaged ? $"The safety switch of {run.Environment} was engaged by {safety.ChangedBy}: {safety.Reason}"
        : null;

    /// <summary>Ends the run; a run that reached preflight gets its evidence sealed in the same transaction.</summary>
    private async Task<OperationRun> FinishAsync(OperationExecution execution, IOperationKind kind, OperationState? state, string? reason, CancellationToken cancellationToken)
    {
        var run = execution.Run;
        OperationMeasurements? measurements = null;
        if (run.StartedAt is not null)
        {
            try
            {
                measurements = await kind.MeasureAsync(execution, cancellationToken);
            }
            catch (Exception e) when (e is PlatformUnavailableException or OperationFailedException)
            {
                await RecordTimelineAsync(run.Id, time.GetUtcNow(), OperationTimelineCategories.Measurement, $"Measurements unavailable: {e.Message}", null, cancellationToken);
            }
        }
        var final = state ?? (measurements is { MeetsObjective: false } ? OperationState.Failed : OperationState.Succeeded);
        var finalReason = reason ?? measurements?.Verdict ?? "Completed.";
        var outcome = final == OperationState.Succeeded ? AuditOutcome.Succeeded : AuditOutcome.Failed;
        var seal = OperationStateMachine.HasEvidence(run.State);
        return await LeasedAsync(run.Id, async (loaded, transaction) =>
        {
            var ended = loaded with { State = final, OutcomeReason = finalReason, PreflightJson = run.PreflightJson ?? loaded.PreflightJson };
            var change = OperationsService.Terminal(ended with { State = loaded.State }, final, Actor, outcome, finalReason, $"{final}: {finalReason}");
            if (!seal)
            {
                return change;
            }
            var document = await evidence.BuildAsync(transaction, ended with { FinishedAt = time.GetUtcNow() }, measurements, cancellationToken);
            var audit = change.Audit with
            {
                Parameters = new Dictionary<string, string?>(change.Audit.Parameters!) { ["evidenceSha256"] = document.Sha256 },
            };
            return change with
            {
                Audit = audit,
                AfterAudit = (tx, recorded) => store.InsertEvidenceAsync(tx, new SealedEvidence(run.Id, document.Content, document.Sha256, recorded.Sequence, time.GetUtcNow()), cancellationToken),
            };
        }, cancellationToken);
    }

    private Task<OperationRun> MoveAsync(OperationRun run, OperationRun next, string text, IReadOnlyDictionary<string, string?>? extra, CancellationToken cancellationToken) =>
        LeasedAsync(run.Id, (loaded, _) => Task.FromResult(new OperationChange(
            next with { Version = loaded.Version, AbortRequested = loaded.AbortRequested, LeaseOwner = loaded.LeaseOwner, LeaseUntil = loaded.LeaseUntil },
            OperationTransitions.Entry(next, OperationTransitions.EventTypeOf(next.State), Actor, AuditOutcome.Succeeded, null, extra), text)), cancellationToken);

    /// <summary>A transition by this worker: refused unless it still holds the lease.</summary>
    private Task<OperationRun> LeasedAsync(string runId, Func<OperationRun, System.Data.Common.DbTransaction, Task<OperationChange>> change, CancellationToken cancellationToken) =>
        transitions.ApplyAsync(runId, async (loaded, transaction) =>
        {
            if (loaded.LeaseOwner != Owner || loaded.IsTerminal)
            {
                throw new LeaseLostException(runId);
            }
            return new TransitionDecision.Apply(await change(loaded, transaction));
        }, cancellationToken);

    internal async Task<OperationRun> SaveCheckpointAsync(OperationExecution execution, string checkpointJson, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var loaded = await store.GetAsync(connection, transaction, execution.Run.Id, cancellationToken);
        if (loaded is null || loaded.LeaseOwner != Owner || loaded.IsTerminal)
        {
            throw new LeaseLostException(execution.Run.Id);
        }
        var next = loaded with { CheckpointJson = checkpointJson, Version = loaded.Version + 1 };
        if (!await store.UpdateAsync(transaction, next, loaded.Version, cancellationToken))
        {
            throw new LeaseLostException(execution.Run.Id);
        }
        await transaction.CommitAsync(cancellationToken);
        return next;
    }

    /// <summary>The call is in the timeline, the trail and the checkpoint before it is made (one transaction).</summary>
    internal Task<OperationRun> RecordCallAsync(OperationExecution execution, string call, string checkpointJson, CancellationToken cancellationToken) =>
        LeasedAsync(execution.Run.Id, async (loaded, transaction) =>
        {
            await store.AddTimelineAsync(transaction.Connection!, transaction, loaded.Id, time.GetUtcNow(), OperationTimelineCategories.Call, call, null, cancellationToken);
            return new OperationChange(loaded with { CheckpointJson = checkpointJson },
                OperationTransitions.Entry(loaded, "operation.action-started", Actor, AuditOutcome.Succeeded, null, new Dictionary<string, string?> { ["call"] = call }),
                $"Calling {call}.");
        }, cancellationToken);

    internal async Task RecordTimelineAsync(string runId, DateTimeOffset at, string category, string text, string? dedupeKey, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken);
        await store.AddTimelineAsync(connection, null, runId, at, category, text, dedupeKey, cancellationToken);
        logger.LogInformation("Run {RunId} {Category}: {Text}", runId, category, text);
    }

    internal async Task RenewAndCheckAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await store.RenewLeaseAsync(execution.Run.Id, Owner, now + _options.LeaseDuration, cancellationToken))
        {
            throw new LeaseLostException(execution.Run.Id);
        }
        var run = await store.GetAsync(execution.Run.Id, cancellationToken) ?? throw new LeaseLostException(execution.Run.Id);
        execution.Run = run;
        if (StopReason(run, await store.SafetySwitchAsync(run.Environment, cancellationToken)) is { } stop)
        {
            throw new OperationStoppedException(stop);
        }
        var alarms = await OperationMetrics.AlarmsAsync(execution.Platform, run.Parameters.StopConditions, cancellationToken);
        var inAlarm = run.Parameters.StopConditions
            .Select(name => alarms.FirstOrDefault(a => a.AlarmName == name))
            .FirstOrDefault(a => a is { StateValue: StateValue.Alarm });
        if (inAlarm is not null)
        {
            throw new OperationStoppedException($"Stop condition {inAlarm.AlarmName} went to ALARM: {inAlarm.StateReason}");
        }
    }
}
