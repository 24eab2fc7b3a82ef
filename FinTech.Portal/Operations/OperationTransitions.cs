using System.Data.Common;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;

namespace FinTech.Portal.Operations;

/// <summary>
/// What one transition does to a loaded run: the new row, its audit event, the timeline line,
/// and anything else that must commit with it (an approval row, sealed evidence).
/// </summary>
public sealed record OperationChange(OperationRun Updated, AuditEntry Audit, string TimelineText)
{
    /// <summary>Runs in the transaction after the audit event is appended (it gets the event's place in the chain).</summary>
    public Func<DbTransaction, AuditRecorded, Task>? AfterAudit { get; init; }
}

/// <summary>The decision on a loaded run: a change, or a refusal of the caller (recorded as a denial).</summary>
public abstract record TransitionDecision
{
    public sealed record Apply(OperationChange Change) : TransitionDecision;

    public sealed record Deny(ClaimsPrincipal User, string? SourceIp, AccessDecision Decision) : TransitionDecision;
}

/// <summary>
/// The one way a run changes (architecture decision 3): in one transaction, load the row (locked),
/// decide on what was loaded (authorization included, failing closed), check the state machine,
/// write the row guarded by its version, release the locks on a terminal state, append the
/// audit event, commit. A transition whose audit event cannot be written does not happen.
/// </summary>
public sealed class OperationTransitions(OperationStore store, AuditTrail trail, IdentityAudit identityAudit, TimeProvider time, OperationRunFeed feed,
    ILogger<OperationTransitions> logger)
{
    public TimeProvider Time => time;

    public async Task<OperationRun> ApplyAsync(string runId, Func<OperationRun, DbTransaction, Task<TransitionDecision>> decide, CancellationToken cancellationToken)
    {
        TransitionDecision.Deny? denied = null;
        OperationRun updated;
        string? changed = null;
        await using (var connection = await store.OpenAsync(cancellationToken))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var run = await store.GetAsync(connection, transaction, runId, cancellationToken)
                ?? throw new OperationRefusedException($"There is no operation run '{runId}'.");
            var decision = await decide(run, transaction);
            if (decision is TransitionDecision.Deny deny)
            {
                denied = deny;
                await transaction.RollbackAsync(cancellationToken);
                updated = run;
            }
            else
            {
                var change = ((TransitionDecision.Apply)decision).Change;
                updated = await WriteAsync(transaction, run, change, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                changed = change.TimelineText;
            }
        }
        if (denied is not null)
        {
            // Recorded after the rollback: on SQLite the transaction held the only write lock.
            await RecordDenialAsync(denied, updated, cancellationToken);
            throw new PortalAccessDeniedException(denied.Decision);
        }
        feed.Publish(runId);
        logger.LogInformation("Run {RunId} ({Kind}) is {State}: {Change}", runId, updated.Kind, updated.State, changed);
        return updated;
    }

    /// <summary>Writes a change inside a transaction the caller owns (the request inserts and moves its run in one).</summary>
    public async Task<OperationRun> WriteAsync(DbTransaction transaction, OperationRun run, OperationChange change, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var next = change.Updated with { Version = run.Version + 1, UpdatedAt = now };
        if (next.State != run.State)
        {
            if (!OperationStateMachine.Allows(run.State, next.State))
            {
                throw new IllegalTransitionException(run.State, next.State);
            }
            if (OperationStateMachine.IsTerminal(next.State))
            {
                next = next with { FinishedAt = now, LeaseOwner = null, LeaseUntil = null };
            }
        }
        if (!await store.UpdateAsync(transaction, next, run.Version, cancellationToken))
        {
            throw new OperationRefusedException($"Run {run.Id} was changed by someone else meanwhile; reload it and try again.");
        }
        if (next.IsTerminal)
        {
            await store.ReleaseLocksAsync(transaction, run.Id, cancellationToken);
        }
        await store.AddTimelineAsync(transaction.Connection!, transaction, run.Id, now, OperationTimelineCategories.State, change.TimelineText, null, cancellationToken);
        var recorded = await trail.RecordAsync(change.Audit, transaction, cancellationToken);
        if (change.AfterAudit is not null)
        {
            await change.AfterAudit(transaction, recorded);
        }
        return next;
    }

    private async Task RecordDenialAsync(TransitionDecision.Deny deny, OperationRun run, CancellationToken cancellationToken)
    {
        try
        {
            await identityAudit.AccessDeniedAsync(deny.User, deny.SourceIp, deny.Decision, run.Environment, $"operation/{run.Id}", cancellationToken);
        }
        catch (AuditUnavailableException e)
        {
            logger.LogError(e, "A denial on run {RunId} ({Policy}) could not be recorded in the audit trail.", run.Id, deny.Decision.Policy);
        }
    }

    /// <summary>The audit event of a run's transition: <c>operation.{state}</c> with the run's identity.</summary>
    public static AuditEntry Entry(OperationRun run, string eventType, AuditActor actor, AuditOutcome outcome, string? reason,
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["runId"] = run.Id,
            ["kind"] = run.Kind,
            ["state"] = run.State.ToString(),
            ["parametersHash"] = run.ParametersHash,
            ["changeTicket"] = run.ChangeTicket,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            parameters[key] = value;
        }
        return new AuditEntry(eventType, actor, outcome, run.Environment, $"operation/{run.Id}", parameters, reason);
    }

    public static string EventTypeOf(OperationState state) => state switch
    {
        OperationState.AwaitingApproval => "operation.awaiting-approval",
        _ => "operation." + state.ToString().ToLowerInvariant(),
    };
}
