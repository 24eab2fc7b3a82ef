using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FinTech.Portal.Operations;

/// <summary>What someone asks for on the request form.</summary>
public sealed class OperationRequestForm
{
    public string Kind { get; set; } = "";
    public string Environment { get; set; } = "";
    public string Target { get; set; } = "";
    public string Reason { get; set; } = "";
    public string ChangeTicket { get; set; } = "";

    /// <summary>Asked during a change freeze: needs two approvers and a reason.</summary>
    public bool Emergency { get; set; }

    /// <summary>Alarm names; empty means the kind's defaults.</summary>
    public List<string> StopConditions { get; set; } = [];

    public Dictionary<string, string> Options { get; set; } = [];
}

public sealed record DryRunResult(OperationParameters Parameters, string ParametersHash, IReadOnlyList<PreflightCheck> Preflight, OperationPlan Plan, TargetSnapshot Target);

/// <summary>
/// What people do with operations: request, dry-run, approve, reject, abort, and the safety
/// switch. The caller comes from <see cref="PortalCaller"/> (one scoped place); every check is
/// made here on the loaded run inside the transition's transaction, whatever the page showed.
/// </summary>
public sealed class OperationsService(
    PortalCaller caller,
    OperationStore store,
    OperationTransitions transitions,
    OperationPreflight preflight,
    OperationKinds kinds,
    EnvironmentCatalog environments,
    PortalAuthorization authorization,
    AuditTrail trail,
    OperationWorkerSignal workerSignal,
    IOptions<OperationsOptions> options,
    TimeProvider time)
{
    private readonly OperationsOptions _options = options.Value;

    public PortalCaller Caller => caller;

    /// <summary>Form errors by field name (empty when the form may be sent).</summary>
    public IReadOnlyDictionary<string, string> Validate(OperationRequestForm form)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var environment = environments.Find(form.Environment);
        if (environment is null)
        {
            errors[nameof(form.Environment)] = $"Pick one of the environments: {string.Join(", ", environments.All.Select(e => e.Key))}.";
        }
        var kind = kinds.Find(form.Kind);
        if (kind is null)
        {
            errors[nameof(form.Kind)] = $"Pick one of the operation kinds: {string.Join(", ", kinds.All.Select(k => k.Key))}.";
        }
        if (kind is not null && environment is not null && !kind.Targets(environment).Contains(form.Target, StringComparer.Ordinal))
        {
            errors[nameof(form.Target)] = $"Pick a target of {kind.DisplayName} in {environment.DisplayName}: {string.Join(", ", kind.Targets(environment))}.";
        }
        if (kind is not null && environment is not null && StopConditionsOf(form, kind, environment).Count == 0)
        {
            errors[nameof(form.StopConditions)] = $"{kind.DisplayName} has no default stop conditions in {environment.DisplayName}: name at least one CloudWatch alarm that stops the run.";
        }
        if (string.IsNullOrWhiteSpace(form.Reason) || form.Reason.Trim().Length < 10)
        {
            errors[nameof(form.Reason)] = "Say why, in at least 10 characters (PCI DSS 6.5.1 asks for the reason and the impact).";
        }
        else if (form.Reason.Length > 1000)
        {
            errors[nameof(form.Reason)] = "Keep the reason under 1,000 characters.";
        }
        if (!Regex.IsMatch(form.ChangeTicket?.Trim() ?? "", _options.ChangeTicketPattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)))
        {
            errors[nameof(form.ChangeTicket)] = $"The change ticket must match {_options.ChangeTicketPattern} (for example {ExampleTicket()}).";
        }
        return errors;
    }

    /// <summary>The parameters a form asks for, as they will be hashed and approved.</summary>
    public OperationParameters ParametersOf(OperationRequestForm form)
    {
        var kind = kinds.Get(form.Kind);
        var environment = environments.Get(form.Environment);
        return new OperationParameters(kind.Key, environment.Key, form.Target, StopConditionsOf(form, kind, environment), form.Options);
    }

    /// <summary>The alarms named on the form, else the kind's defaults: never empty for a run that may be requested.</summary>
    private static IReadOnlyList<string> StopConditionsOf(OperationRequestForm form, IOperationKind kind, PortalEnvironment environment)
    {
        var stops = form.StopConditions.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).Distinct(StringComparer.Ordinal).ToList();
        return stops.Count > 0 ? stops : kind.DefaultStopConditions(environment);
    }

    /// <summary>Preflight and plan without acting, recorded as <c>operation.dry-run</c>.</summary>
    public async Task<DryRunResult> DryRunAsync(OperationRequestForm form, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        await authorization.EnsureCanRequestOperationsAsync(user, caller.SourceIp, form.Environment, form.Target, cancellationToken);
        ThrowIfInvalid(form);
        var parameters = ParametersOf(form);
        var kind = kinds.Get(parameters.Kind);
        var context = preflight.ContextFor(environments.Get(parameters.Environment), parameters);
        var checks = await preflight.CheckAsync(kind, context, null, cancellationToken);
        var plan = await kind.PlanAsync(context, cancellationToken);
        var target = await kind.DescribeTargetAsync(context, cancellationToken);
        var hash = OperationJson.Sha256(parameters.ToCanonicalJson());
        await trail.RecordAsync(new AuditEntry("operation.dry-run", await caller.ActorAsync(), AuditOutcome.Succeeded, parameters.Environment,
            $"{parameters.Kind}/{parameters.Target}", new Dictionary<string, string?>
            {
                ["kind"] = parameters.Kind,
                ["parametersHash"] = hash,
                ["preflight"] = checks.All(c => c.Passed) ? "passed" : "failed",
                ["changeTicket"] = form.ChangeTicket.Trim(),
            }, form.Reason.Trim()), cancellationToken);
        return new DryRunResult(parameters, hash, checks, plan, target);
    }

    /// <summary>
    /// Requests a run. Refused (with the reason, and the refusal recorded) during a freeze unless
    /// an emergency, while the safety switch is engaged, and when another active run holds the
    /// target or a dependency: the lock rows' primary key decides, not a check in memory.
    /// </summary>
    public async Task<OperationRun> RequestAsync(OperationRequestForm form, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        await authorization.EnsureCanRequestOperationsAsync(user, caller.SourceIp, form.Environment, form.Target, cancellationToken);
        ThrowIfInvalid(form);
        var actor = await caller.ActorAsync();
        var parameters = ParametersOf(form);
        var environment = environments.Get(parameters.Environment);
        var kind = kinds.Get(parameters.Kind);
        var now = time.GetUtcNow();
        var parametersJson = parameters.ToCanonicalJson();
        var hash = OperationJson.Sha256(parametersJson);
        var refusalTarget = $"{kind.Key}/{parameters.Target}";

        if (_options.FreezeAt(now, environment.Key) is { } freeze && !form.Emergency)
        {
            await RefuseAsync(actor, environment.Key, refusalTarget, hash,
                $"{freeze.Reason}: no changes on {environment.DisplayName} until {freeze.End.UtcDateTime:yyyy-MM-dd HH:mm} UTC. An emergency request needs two approvers.", cancellationToken);
        }
        var safety = await store.SafetySwitchAsync(environment.Key, cancellationToken);
        if (safety.Engaged)
        {
            await RefuseAsync(actor, environment.Key, refusalTarget, hash,
                $"The safety switch of {environment.DisplayName} is engaged ({safety.Reason}); no new runs until an Approver releases it.", cancellationToken);
        }

        var context = preflight.ContextFor(environment, parameters);
        var checks = await preflight.CheckAsync(kind, context, null, cancellationToken);
        var skipApproval = !form.Emergency && !environment.IsProduction && _options.SkipsApproval(environment.Key);
        TargetSnapshot? snapshot = skipApproval ? await kind.DescribeTargetAsync(context, cancellationToken) : null;
        var lockKeys = kind.LockKeys(environment, parameters.Target);
        var run = new OperationRun
        {
            Id = NewRunId(now),
            Kind = kind.Key,
            Environment = environment.Key,
            Target = parameters.Target,
            ParametersJson = parametersJson,
            ParametersHash = hash,
            Reason = form.Reason.Trim(),
            ChangeTicket = form.ChangeTicket.Trim(),
            Emergency = form.Emergency,
            ApprovalsRequired = skipApproval ? 0 : form.Emergency ? 2 : 1,
            State = OperationState.Requested,
            RequesterId = actor.UserId,
            RequesterName = actor.DisplayName,
            CreatedAt = now,
            UpdatedAt = now,
            PreflightJson = System.Text.Json.JsonSerializer.Serialize(checks, OperationJson.Options),
            Version = 0,
        };

        try
        {
            await using var connection = await store.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var holders = await store.HoldersAsync(connection, transaction, lockKeys, cancellationToken);
            if (holders.Count > 0)
            {
                throw new LockConflict(OperationPreflight.ConflictMessage(holders));
            }
            await store.InsertAsync(transaction, run, cancellationToken);
            await store.LockAsync(transaction, run.Id, lockKeys, now, cancellationToken);
            await store.AddTimelineAsync(connection, transaction, run.Id, now, OperationTimelineCategories.State,
                $"Requested by {actor.DisplayName}: {run.Reason} ({run.ChangeTicket}){(run.Emergency ? ", emergency" : "")}.", null, cancellationToken);
            await trail.RecordAsync(OperationTransitions.Entry(run, "operation.requested", actor, AuditOutcome.Succeeded, run.Reason,
                new Dictionary<string, string?> { ["target"] = run.Target, ["emergency"] = run.Emergency ? "true" : "false", ["locks"] = string.Join(",", lockKeys) }),
                transaction, cancellationToken);
            var next = skipApproval
                ? await transitions.WriteAsync(transaction, run, ApproveChange(run, actor, now, "Approval skipped: non-production environment configured to skip it."), cancellationToken)
                : await transitions.WriteAsync(transaction, run, new OperationChange(run with { State = OperationState.AwaitingApproval },
                    OperationTransitions.Entry(run with { State = OperationState.AwaitingApproval }, "operation.awaiting-approval", actor, AuditOutcome.Succeeded, null,
                        new Dictionary<string, string?> { ["approvalsRequired"] = run.ApprovalsRequired.ToString(CultureInfo.InvariantCulture) }),
                    $"Waiting for {(run.ApprovalsRequired == 2 ? "two Approvers (emergency)" : "an Approver")}."), cancellationToken);
            if (skipApproval)
            {
                await store.AddApprovalAsync(transaction, new OperationApproval(run.Id, "portal", "Approval skipped (non-production)", now, hash, snapshot!.Hash,
                    snapshot.ToCanonicalJson(), now + _options.ApprovalLifetime), cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            if (skipApproval)
            {
                workerSignal.Wake();
            }
            return next;
        }
        catch (Exception e) when (e is LockConflict || IsUniqueViolation(e))
        {
            var message = e is LockConflict ? e.Message : await ConflictNowAsync(lockKeys, cancellationToken);
            await RefuseAsync(actor, environment.Key, refusalTarget, hash, $"Another active run holds what this one needs. {message}", cancellationToken);
            throw; // unreachable: RefuseAsync throws
        }
    }

    /// <summary>An Approver approves: bound to the run's parameter hash and the target's state now; never the requester.</summary>
    public async Task<OperationRun> ApproveAsync(string runId, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        var actor = await caller.ActorAsync();
        // Role and live session first; who requested it is decided on the loaded run below.
        await authorization.EnsureAsync(user, caller.SourceIp, PortalPolicies.ApproveOperations, null, null, $"operation/{runId}", cancellationToken);
        var current = await store.GetAsync(runId, cancellationToken) ?? throw new OperationRefusedException($"There is no operation run '{runId}'.");
        // Described before the transaction (platform I/O); the approval binds to what the approver saw.
        var kind = kinds.Get(current.Kind);
        var environment = environments.Get(current.Environment);
        var snapshot = await kind.DescribeTargetAsync(preflight.ContextFor(environment, current.Parameters), cancellationToken);
        var run = await transitions.ApplyAsync(runId, async (loaded, transaction) =>
        {
            var decision = PortalAccessRules.Evaluate(PortalPolicies.ApproveOperations, user, new ApprovalResource(loaded.RequesterId));
            if (!decision.IsAllowed)
            {
                return new TransitionDecision.Deny(user, caller.SourceIp, decision);
            }
            var approvals = await store.ApprovalsAsync(transaction.Connection!, transaction, loaded.Id, cancellationToken);
            if (approvals.Any(a => a.ApproverId == actor.UserId))
            {
                return new TransitionDecision.Deny(user, caller.SourceIp, AccessDecision.Deny(PortalPolicies.ApproveOperations,
                    "You have already approved this emergency run; a second, different Approver must approve it too."));
            }
            if (loaded.State != OperationState.AwaitingApproval)
            {
                throw new IllegalTransitionException(loaded.State, OperationState.Approved);
            }
            if (OperationJson.Sha256(loaded.ParametersJson) != loaded.ParametersHash)
            {
                throw new OperationRefusedException($"Run {loaded.Id}'s parameters no longer match their hash; it cannot be approved.");
            }
            await EnsureNoSafetySwitchAsync(transaction, loaded.Environment, cancellationToken);
            var now = time.GetUtcNow();
            await store.AddApprovalAsync(transaction, new OperationApproval(loaded.Id, actor.UserId, actor.DisplayName, now, loaded.ParametersHash,
                snapshot.Hash, snapshot.ToCanonicalJson(), now + _options.ApprovalLifetime), cancellationToken);
            if (approvals.Count + 1 < loaded.ApprovalsRequired)
            {
                // First of two emergency approvals: recorded, the run still waits.
                return new TransitionDecision.Apply(new OperationChange(loaded,
                    OperationTransitions.Entry(loaded, "operation.approval-recorded", actor, AuditOutcome.Succeeded, null,
                        new Dictionary<string, string?> { ["targetStateHash"] = snapshot.Hash, ["approvals"] = $"{approvals.Count + 1}/{loaded.ApprovalsRequired}" }),
                    $"Approved by {actor.DisplayName} (1 of {loaded.ApprovalsRequired}); waiting for a second Approver."));
            }
            return new TransitionDecision.Apply(ApproveChange(loaded, actor, now, $"Approved by {actor.DisplayName}.", snapshot.Hash));
        }, cancellationToken);
        if (run.State == OperationState.Approved)
        {
            workerSignal.Wake();
        }
        return run;
    }

    public async Task<OperationRun> RejectAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        var actor = await caller.ActorAsync();
        await authorization.EnsureAsync(user, caller.SourceIp, PortalPolicies.ApproveOperations, null, null, $"operation/{runId}", cancellationToken);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new OperationRefusedException("Say why the run is rejected.");
        }
        return await transitions.ApplyAsync(runId, (loaded, _) =>
        {
            var decision = PortalAccessRules.Evaluate(PortalPolicies.ApproveOperations, user, new ApprovalResource(loaded.RequesterId));
            TransitionDecision result = !decision.IsAllowed
                ? new TransitionDecision.Deny(user, caller.SourceIp, decision)
                : new TransitionDecision.Apply(Terminal(loaded, OperationState.Rejected, actor, AuditOutcome.Succeeded, reason.Trim(),
                    $"Rejected by {actor.DisplayName}: {reason.Trim()}"));
            return Task.FromResult(result);
        }, cancellationToken);
    }

    /// <summary>
    /// Stops a run. Before execution it ends at once (Aborted); while the worker executes it, the
    /// abort is requested and the worker stops at its next check (within the stop-check interval).
    /// </summary>
    public async Task<OperationRun> AbortAsync(string runId, string reason, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        var actor = await caller.ActorAsync();
        await authorization.EnsureAsync(user, caller.SourceIp, PortalPolicies.StopOperations, null, null, $"operation/{runId}", cancellationToken);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new OperationRefusedException("Say why the run is aborted.");
        }
        return await transitions.ApplyAsync(runId, (loaded, _) =>
        {
            var decision = PortalAccessRules.Evaluate(PortalPolicies.StopOperations, user);
            if (!decision.IsAllowed)
            {
                return Task.FromResult<TransitionDecision>(new TransitionDecision.Deny(user, caller.SourceIp, decision));
            }
            if (loaded.IsTerminal)
            {
                throw new IllegalTransitionException(loaded.State, OperationState.Aborted);
            }
            var text = $"Abort requested by {actor.DisplayName}: {reason.Trim()}";
            TransitionDecision result = loaded.State is OperationState.AwaitingApproval or OperationState.Approved && loaded.LeaseOwner is null
                ? new TransitionDecision.Apply(Terminal(loaded, OperationState.Aborted, actor, AuditOutcome.Succeeded, reason.Trim(), text))
                : new TransitionDecision.Apply(new OperationChange(loaded with { AbortRequested = true, OutcomeReason = $"{reason.Trim()} (by {actor.DisplayName})" },
                    OperationTransitions.Entry(loaded, "operation.abort-requested", actor, AuditOutcome.Succeeded, reason.Trim()), text));
            return Task.FromResult(result);
        }, cancellationToken);
    }

    /// <summary>Engages or releases an environment's safety switch. Engaging stops running runs at their next check and refuses new ones.</summary>
    public async Task<SafetySwitch> SetSafetySwitchAsync(string environmentKey, bool engaged, string reason, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        var environment = environments.Get(environmentKey);
        // Anyone responsible may stop; releasing needs an Approver.
        await authorization.EnsureAsync(user, caller.SourceIp, engaged ? PortalPolicies.StopOperations : PortalPolicies.ApproveOperations, null,
            environment.Key, "operations/safety-switch", cancellationToken);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new OperationRefusedException($"Say why the safety switch is {(engaged ? "engaged" : "released")}.");
        }
        var actor = await caller.ActorAsync();
        var value = new SafetySwitch(environment.Key, engaged, actor.DisplayName, time.GetUtcNow(), reason.Trim());
        await using var connection = await store.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await store.SetSafetySwitchAsync(transaction, value, cancellationToken);
        await trail.RecordAsync(new AuditEntry(engaged ? "operation.safety-switch-engaged" : "operation.safety-switch-released", actor, AuditOutcome.Succeeded,
            environment.Key, "operations/safety-switch", null, reason.Trim()), transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        workerSignal.Wake();
        return value;
    }

    public Task<SafetySwitch> SafetySwitchAsync(string environmentKey, CancellationToken cancellationToken) =>
        store.SafetySwitchAsync(environmentKey, cancellationToken);

    public async Task<IReadOnlyList<OperationRun>> ListAsync(string? environment, CancellationToken cancellationToken)
    {
        await authorization.EnsureCanViewDashboardsAsync(await caller.UserAsync(), caller.SourceIp, cancellationToken);
        return await store.ListAsync(environment, 200, cancellationToken);
    }

    public async Task<OperationRunDetail?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        await authorization.EnsureCanViewDashboardsAsync(await caller.UserAsync(), caller.SourceIp, cancellationToken);
        var run = await store.GetAsync(runId, cancellationToken);
        if (run is null)
        {
            return null;
        }
        return new OperationRunDetail(run, await store.ApprovalsAsync(runId, cancellationToken), await store.TimelineAsync(runId, cancellationToken));
    }

    private OperationChange ApproveChange(OperationRun run, AuditActor actor, DateTimeOffset now, string text, string? targetStateHash = null)
    {
        var approved = run with { State = OperationState.Approved, ApprovalExpiresAt = now + _options.ApprovalLifetime };
        return new OperationChange(approved, OperationTransitions.Entry(approved, "operation.approved", actor, AuditOutcome.Succeeded, null,
            new Dictionary<string, string?>
            {
                ["targetStateHash"] = targetStateHash,
                ["approvalExpiresAt"] = AuditCanonical.FormatTimestamp(approved.ApprovalExpiresAt!.Value),
            }), text);
    }

    internal static OperationChange Terminal(OperationRun run, OperationState state, AuditActor actor, AuditOutcome outcome, string reason, string text)
    {
        var ended = run with { State = state, OutcomeReason = reason };
        return new OperationChange(ended, OperationTransitions.Entry(ended, OperationTransitions.EventTypeOf(state), actor, outcome, reason), text);
    }

    private async Task EnsureNoSafetySwitchAsync(DbTransaction transaction, string environment, CancellationToken cancellationToken)
    {
        var safety = await store.SafetySwitchAsync(transaction.Connection!, transaction, environment, cancellationToken);
        if (safety.Engaged)
        {
            throw new OperationRefusedException($"The safety switch of {environment} is engaged ({safety.Reason}); nothing is approved or started until it is released.");
        }
    }

    private void ThrowIfInvalid(OperationRequestForm form)
    {
        var errors = Validate(form);
        if (errors.Count > 0)
        {
            throw new OperationRefusedException(string.Join(" ", errors.Values));
        }
    }

    private async Task RefuseAsync(AuditActor actor, string environment, string target, string parametersHash, string reason, CancellationToken cancellationToken)
    {
        await trail.RecordAsync(new AuditEntry("operation.request-refused", actor, AuditOutcome.Failed, environment, target,
            new Dictionary<string, string?> { ["parametersHash"] = parametersHash }, reason), cancellationToken);
        throw new OperationRefusedException(reason);
    }

    private async Task<string> ConflictNowAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken);
        var holders = await store.HoldersAsync(connection, null, keys, cancellationToken);
        return holders.Count > 0 ? OperationPreflight.ConflictMessage(holders) : "It has just ended; try again.";
    }

    private static bool IsUniqueViolation(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == 19,
        _ => false,
    };

    private string ExampleTicket() => _options.ChangeTicketPattern == "^CHG[0-9]{7}$" ? "CHG0012345" : "a ticket id";

    private static string NewRunId(DateTimeOffset now) =>
        $"op-{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    private sealed class LockConflict(string message) : Exception(message);
}

public sealed record OperationRunDetail(OperationRun Run, IReadOnlyList<OperationApproval> Approvals, IReadOnlyList<OperationTimelineEntry> Timeline);
