using System.Data.Common;
using Dapper;
using FinTech.Portal.Database;

namespace FinTech.Portal.Operations;

/// <summary>
/// SQL over the operations tables (Dapper), written once for both providers. It decides nothing:
/// the rules are in <see cref="OperationsService"/> and <see cref="OperationWorker"/>, which call
/// these inside their transactions.
/// </summary>
public sealed class OperationStore(PortalDatabase database)
{
    private const string RunColumns = """
        id, kind, environment, target, parameters_json, parameters_hash, reason, change_ticket, emergency,
        approvals_required, state, requester_id, requester_name, created_at_ms, updated_at_ms, approval_expires_at_ms,
        preflight_json, checkpoint_json, outcome_reason, abort_requested, lease_owner, lease_until_ms, started_at_ms,
        finished_at_ms, version
        """;

    // Dapper maps snake_case columns onto the rows' PascalCase properties.
    static OperationStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public PortalDatabase Database => database;

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenConnectionAsync(cancellationToken);

    public async Task<OperationRun?> GetAsync(DbConnection connection, DbTransaction? transaction, string id, CancellationToken cancellationToken)
    {
        // FOR UPDATE on PostgreSQL: the transition that loaded the run holds it until it commits.
        // SQLite's immediate transactions already hold the whole database.
        var lockClause = transaction is not null && database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE" : "";
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM operation_runs WHERE id = @id{lockClause}", new { id }, transaction, cancellationToken: cancellationToken));
        return row?.ToRun();
    }

    public async Task<OperationRun?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await GetAsync(connection, null, id, cancellationToken);
    }

    public async Task<IReadOnlyList<OperationRun>> ListAsync(string? environment, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM operation_runs WHERE (@environment IS NULL OR environment = @environment) ORDER BY created_at_ms DESC, id LIMIT @limit",
            new { environment, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRun()).ToList();
    }

    public Task InsertAsync(DbTransaction transaction, OperationRun run, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO operation_runs ({RunColumns})
            VALUES (@Id, @Kind, @Environment, @Target, @ParametersJson, @ParametersHash, @Reason, @ChangeTicket, @Emergency,
                    @ApprovalsRequired, @State, @RequesterId, @RequesterName, @CreatedAtMs, @UpdatedAtMs, @ApprovalExpiresAtMs,
                    @PreflightJson, @CheckpointJson, @OutcomeReason, @AbortRequested, @LeaseOwner, @LeaseUntilMs, @StartedAtMs,
                    @FinishedAtMs, @Version)
            """, RunRow.From(run), transaction, cancellationToken: cancellationToken));

    /// <summary>Writes <paramref name="run"/> if the row is still at <paramref name="expectedVersion"/>; false when someone else moved it.</summary>
    public async Task<bool> UpdateAsync(DbTransaction transaction, OperationRun run, long expectedVersion, CancellationToken cancellationToken)
    {
        var row = RunRow.From(run);
        var changed = await transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            UPDATE operation_runs SET state = @State, updated_at_ms = @UpdatedAtMs, approval_expires_at_ms = @ApprovalExpiresAtMs,
                preflight_json = @PreflightJson, checkpoint_json = @CheckpointJson, outcome_reason = @OutcomeReason,
                abort_requested = @AbortRequested, lease_owner = @LeaseOwner, lease_until_ms = @LeaseUntilMs,
                started_at_ms = @StartedAtMs, finished_at_ms = @FinishedAtMs, version = @Version
            WHERE id = @Id AND version = @ExpectedVersion
            """, new
        {
            row.State, row.UpdatedAtMs, row.ApprovalExpiresAtMs, row.PreflightJson, row.CheckpointJson, row.OutcomeReason,
            row.AbortRequested, row.LeaseOwner, row.LeaseUntilMs, row.StartedAtMs, row.FinishedAtMs, row.Version, row.Id,
            ExpectedVersion = expectedVersion,
        }, transaction, cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>Who holds any of <paramref name="keys"/> now: (key, run id, kind, state).</summary>
    public async Task<IReadOnlyList<LockHolder>> HoldersAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        var rows = await connection.QueryAsync<LockHolder>(new CommandDefinition($"""
            SELECT l.resource_key AS ResourceKey, r.id AS RunId, r.kind AS Kind, r.state AS State
            FROM operation_locks l JOIN operation_runs r ON r.id = l.run_id
            WHERE l.resource_key IN {InList(parameters, "key", keys)} ORDER BY l.resource_key
            """, parameters, transaction, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Takes every key for the run; the primary key refuses a key another run holds (a unique violation).</summary>
    public Task LockAsync(DbTransaction transaction, string runId, IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO operation_locks (resource_key, run_id, locked_at_ms) VALUES (@key, @runId, @at)",
            keys.Select(key => new { key, runId, at = now.ToUnixTimeMilliseconds() }), transaction, cancellationToken: cancellationToken));

    public Task ReleaseLocksAsync(DbTransaction transaction, string runId, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "DELETE FROM operation_locks WHERE run_id = @runId", new { runId }, transaction, cancellationToken: cancellationToken));

    public Task AddApprovalAsync(DbTransaction transaction, OperationApproval approval, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO operation_approvals (run_id, approver_id, approver_name, approved_at_ms, parameters_hash, target_state_hash, target_state, expires_at_ms)
            VALUES (@RunId, @ApproverId, @ApproverName, @ApprovedAtMs, @ParametersHash, @TargetStateHash, @TargetState, @ExpiresAtMs)
            """, new
        {
            approval.RunId, approval.ApproverId, approval.ApproverName, ApprovedAtMs = approval.ApprovedAt.ToUnixTimeMilliseconds(),
            approval.ParametersHash, approval.TargetStateHash, approval.TargetState, ExpiresAtMs = approval.ExpiresAt.ToUnixTimeMilliseconds(),
        }, transaction, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<OperationApproval>> ApprovalsAsync(DbConnection connection, DbTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string RunId, string ApproverId, string ApproverName, long ApprovedAtMs, string ParametersHash, string TargetStateHash, string TargetState, long ExpiresAtMs)>(
            new CommandDefinition("""
                SELECT run_id, approver_id, approver_name, approved_at_ms, parameters_hash, target_state_hash, target_state, expires_at_ms
                FROM operation_approvals WHERE run_id = @runId ORDER BY approved_at_ms, approver_id
                """, new { runId }, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new OperationApproval(r.RunId, r.ApproverId, r.ApproverName, FromMs(r.ApprovedAtMs), r.ParametersHash,
            r.TargetStateHash, r.TargetState, FromMs(r.ExpiresAtMs))).ToList();
    }

    public async Task<IReadOnlyList<OperationApproval>> ApprovalsAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ApprovalsAsync(connection, null, runId, cancellationToken);
    }

    /// <summary>Appends to the timeline; with a <paramref name="dedupeKey"/> an entry already there is not added twice (events read again after a restart).</summary>
    public Task AddTimelineAsync(DbConnection connection, DbTransaction? transaction, string runId, DateTimeOffset at, string category, string text, string? dedupeKey, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO operation_timeline (run_id, at_ms, category, text, dedupe_key) VALUES (@runId, @at, @category, @text, @dedupeKey)
            ON CONFLICT (run_id, dedupe_key) DO NOTHING
            """, new { runId, at = at.ToUnixTimeMilliseconds(), category, text, dedupeKey }, transaction, cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<OperationTimelineEntry>> TimelineAsync(DbConnection connection, DbTransaction? transaction, string runId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Id, string RunId, long AtMs, string Category, string Text)>(new CommandDefinition(
            "SELECT id, run_id, at_ms, category, text FROM operation_timeline WHERE run_id = @runId ORDER BY at_ms, id",
            new { runId }, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new OperationTimelineEntry(r.Id, r.RunId, FromMs(r.AtMs), r.Category, r.Text)).ToList();
    }

    public async Task<IReadOnlyList<OperationTimelineEntry>> TimelineAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await TimelineAsync(connection, null, runId, cancellationToken);
    }

    /// <summary>
    /// Claims one run that needs a worker and whose lease is free or lapsed, for
    /// <paramref name="owner"/> until <paramref name="leaseUntil"/>. PostgreSQL: <c>FOR UPDATE SKIP
    /// LOCKED</c>, so competing workers take different runs without waiting on each other. SQLite:
    /// the single statement runs under the database's one write lock, which is the same guarantee.
    /// </summary>
    public async Task<string?> ClaimAsync(string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var skipLocked = database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE SKIP LOCKED" : "";
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition($"""
            UPDATE operation_runs SET lease_owner = @owner, lease_until_ms = @until, version = version + 1
            WHERE id = (
                SELECT id FROM operation_runs
                WHERE state IN ('Approved', 'Preflight', 'Running', 'Verifying')
                  AND (lease_until_ms IS NULL OR lease_until_ms < @now)
                ORDER BY updated_at_ms, id
                LIMIT 1{skipLocked})
            RETURNING id
            """, new { owner, until = leaseUntil.ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    /// <summary>Extends the lease; false when this worker no longer holds it (it must stop working on the run).</summary>
    public async Task<bool> RenewLeaseAsync(string runId, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE operation_runs SET lease_until_ms = @until WHERE id = @runId AND lease_owner = @owner AND state IN ('Approved', 'Preflight', 'Running', 'Verifying')",
            new { runId, owner, until = leaseUntil.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Runs waiting for people that have outlived their request or approval.</summary>
    public async Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset now, DateTimeOffset requestedBefore, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var ids = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT id FROM operation_runs
            WHERE (state = 'AwaitingApproval' AND created_at_ms < @requestedBefore)
               OR (state = 'Approved' AND approval_expires_at_ms < @now AND (lease_until_ms IS NULL OR lease_until_ms < @now))
            ORDER BY created_at_ms LIMIT 100
            """, new { now = now.ToUnixTimeMilliseconds(), requestedBefore = requestedBefore.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return ids.ToList();
    }

    public async Task<SafetySwitch> SafetySwitchAsync(DbConnection connection, DbTransaction? transaction, string environment, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(long Engaged, string ChangedBy, long ChangedAtMs, string Reason)>(new CommandDefinition(
            "SELECT engaged, changed_by, changed_at_ms, reason FROM operation_safety_switches WHERE environment = @environment",
            new { environment }, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => new SafetySwitch(environment, r.Engaged != 0, r.ChangedBy, FromMs(r.ChangedAtMs), r.Reason)).FirstOrDefault()
            ?? new SafetySwitch(environment, false, null, null, null);
    }

    public async Task<SafetySwitch> SafetySwitchAsync(string environment, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await SafetySwitchAsync(connection, null, environment, cancellationToken);
    }

    public Task SetSafetySwitchAsync(DbTransaction transaction, SafetySwitch value, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO operation_safety_switches (environment, engaged, changed_by, changed_at_ms, reason) VALUES (@environment, @engaged, @by, @at, @reason)
            ON CONFLICT (environment) DO UPDATE SET engaged = excluded.engaged, changed_by = excluded.changed_by, changed_at_ms = excluded.changed_at_ms, reason = excluded.reason
            """, new { environment = value.Environment, engaged = value.Engaged ? 1L : 0L, by = value.ChangedBy, at = value.ChangedAt!.Value.ToUnixTimeMilliseconds(), reason = value.Reason },
            transaction, cancellationToken: cancellationToken));

    public Task InsertEvidenceAsync(DbTransaction transaction, SealedEvidence evidence, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO operation_evidence (run_id, content, sha256, audit_sequence, sealed_at_ms) VALUES (@RunId, @Content, @Sha256, @AuditSequence, @SealedAtMs)",
            new { evidence.RunId, evidence.Content, evidence.Sha256, evidence.AuditSequence, SealedAtMs = evidence.SealedAt.ToUnixTimeMilliseconds() },
            transaction, cancellationToken: cancellationToken));

    public async Task<SealedEvidence?> EvidenceAsync(string runId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string RunId, string Content, string Sha256, long AuditSequence, long SealedAtMs)>(new CommandDefinition(
            "SELECT run_id, content, sha256, audit_sequence, sealed_at_ms FROM operation_evidence WHERE run_id = @runId",
            new { runId }, cancellationToken: cancellationToken));
        return rows.Select(r => new SealedEvidence(r.RunId, r.Content, r.Sha256, r.AuditSequence, FromMs(r.SealedAtMs))).FirstOrDefault();
    }

    public async Task<IReadOnlyList<EvidenceListItem>> EvidenceListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string RunId, string Kind, string Environment, string Target, string State, string Sha256, long AuditSequence, long SealedAtMs)>(new CommandDefinition("""
            SELECT e.run_id, r.kind, r.environment, r.target, r.state, e.sha256, e.audit_sequence, e.sealed_at_ms
            FROM operation_evidence e JOIN operation_runs r ON r.id = e.run_id ORDER BY e.sealed_at_ms DESC LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new EvidenceListItem(r.RunId, r.Kind, r.Environment, r.Target, Enum.Parse<OperationState>(r.State), r.Sha256, r.AuditSequence, FromMs(r.SealedAtMs))).ToList();
    }

    /// <summary>
    /// <c>(@p0, @p1, ...)</c> with the values added to <paramref name="parameters"/>: one spelling for
    /// both providers (Dapper hands Npgsql a list as one array parameter, which <c>IN</c> does not take).
    /// </summary>
    internal static string InList(DynamicParameters parameters, string prefix, IReadOnlyList<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            parameters.Add($"{prefix}{i}", values[i]);
        }
        return values.Count == 0 ? "(NULL)" : $"({string.Join(", ", values.Select((_, i) => $"@{prefix}{i}"))})";
    }

    internal static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? FromMs(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;

    /// <summary>The row as stored (Dapper maps snake_case columns onto these names).</summary>
    private sealed class RunRow
    {
        public string Id { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Environment { get; set; } = "";
        public string Target { get; set; } = "";
        public string ParametersJson { get; set; } = "";
        public string ParametersHash { get; set; } = "";
        public string Reason { get; set; } = "";
        public string ChangeTicket { get; set; } = "";
        public long Emergency { get; set; }
        public long ApprovalsRequired { get; set; }
        public string State { get; set; } = "";
        public string RequesterId { get; set; } = "";
        public string RequesterName { get; set; } = "";
        public long CreatedAtMs { get; set; }
        public long UpdatedAtMs { get; set; }
        public long? ApprovalExpiresAtMs { get; set; }
        public string? PreflightJson { get; set; }
        public string? CheckpointJson { get; set; }
        public string? OutcomeReason { get; set; }
        public long AbortRequested { get; set; }
        public string? LeaseOwner { get; set; }
        public long? LeaseUntilMs { get; set; }
        public long? StartedAtMs { get; set; }
        public long? FinishedAtMs { get; set; }
        public long Version { get; set; }

        public OperationRun ToRun() => new()
        {
            Id = Id, Kind = Kind, Environment = Environment, Target = Target, ParametersJson = ParametersJson,
            ParametersHash = ParametersHash, Reason = Reason, ChangeTicket = ChangeTicket, Emergency = Emergency != 0,
            ApprovalsRequired = (int)ApprovalsRequired, State = Enum.Parse<OperationState>(State), RequesterId = RequesterId,
            RequesterName = RequesterName, CreatedAt = FromMs(CreatedAtMs), UpdatedAt = FromMs(UpdatedAtMs),
            ApprovalExpiresAt = FromMs(ApprovalExpiresAtMs), PreflightJson = PreflightJson, CheckpointJson = CheckpointJson,
            OutcomeReason = OutcomeReason, AbortRequested = AbortRequested != 0, LeaseOwner = LeaseOwner,
            LeaseUntil = FromMs(LeaseUntilMs), StartedAt = FromMs(StartedAtMs), FinishedAt = FromMs(FinishedAtMs), Version = Version,
        };

        public static RunRow From(OperationRun run) => new()
        {
            Id = run.Id, Kind = run.Kind, Environment = run.Environment, Target = run.Target, ParametersJson = run.ParametersJson,
            ParametersHash = run.ParametersHash, Reason = run.Reason, ChangeTicket = run.ChangeTicket, Emergency = run.Emergency ? 1 : 0,
            ApprovalsRequired = run.ApprovalsRequired, State = run.State.ToString(), RequesterId = run.RequesterId,
            RequesterName = run.RequesterName, CreatedAtMs = run.CreatedAt.ToUnixTimeMilliseconds(), UpdatedAtMs = run.UpdatedAt.ToUnixTimeMilliseconds(),
            ApprovalExpiresAtMs = run.ApprovalExpiresAt?.ToUnixTimeMilliseconds(), PreflightJson = run.PreflightJson,
            CheckpointJson = run.CheckpointJson, OutcomeReason = run.OutcomeReason, AbortRequested = run.AbortRequested ? 1 : 0,
            LeaseOwner = run.LeaseOwner, LeaseUntilMs = run.LeaseUntil?.ToUnixTimeMilliseconds(),
            StartedAtMs = run.StartedAt?.ToUnixTimeMilliseconds(), FinishedAtMs = run.FinishedAt?.ToUnixTimeMilliseconds(), Version = run.Version,
        };
    }
}

public sealed record LockHolder(string ResourceKey, string RunId, string Kind, string State);

public sealed record SealedEvidence(string RunId, string Content, string Sha256, long AuditSequence, DateTimeOffset SealedAt);

public sealed record EvidenceListItem(string RunId, string Kind, string Environment, string Target, OperationState State, string Sha256, long AuditSequence, DateTimeOffset SealedAt);
