using FinTech.Portal.Database;

namespace FinTech.Portal.Operations;

/// <summary>
/// The operations engine's schema. Times are Unix milliseconds (one type, one comparison, on both
/// providers). <c>operation_locks</c> is how "one active run per target and per dependency" is
/// enforced by the database: one row per held resource key, inserted with the request and deleted
/// when the run ends; a second request for any held key violates the primary key.
/// </summary>
public sealed class OperationsMigrations : IMigrationSource
{
    public IReadOnlyList<Migration> Migrations => [Runs];

    private static Migration Runs => new(
        "202612011400_operation_runs",
        Sqlite: Schema("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT"),
        PostgreSql: Schema("bigint", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"));

    private static string Schema(string integer, string identity) => $"""
        CREATE TABLE operation_runs (
            id                     TEXT NOT NULL PRIMARY KEY,
            kind                   TEXT NOT NULL,
            environment            TEXT NOT NULL,
            target                 TEXT NOT NULL,
            parameters_json        TEXT NOT NULL,
            parameters_hash        TEXT NOT NULL,
            reason                 TEXT NOT NULL,
            change_ticket          TEXT NOT NULL,
            emergency              {integer} NOT NULL,
            approvals_required     {integer} NOT NULL,
            state                  TEXT NOT NULL,
            requester_id           TEXT NOT NULL,
            requester_name         TEXT NOT NULL,
            created_at_ms          {integer} NOT NULL,
            updated_at_ms          {integer} NOT NULL,
            approval_expires_at_ms {integer},
            preflight_json         TEXT,
            checkpoint_json        TEXT,
            outcome_reason         TEXT,
            abort_requested        {integer} NOT NULL DEFAULT 0,
            lease_owner            TEXT,
            lease_until_ms         {integer},
            started_at_ms          {integer},
            finished_at_ms         {integer},
            version                {integer} NOT NULL
        );
        CREATE INDEX ix_operation_runs_state ON operation_runs (state, lease_until_ms);
        CREATE INDEX ix_operation_runs_created ON operation_runs (created_at_ms);
        CREATE TABLE operation_approvals (
            run_id            TEXT NOT NULL REFERENCES operation_runs (id),
            approver_id       TEXT NOT NULL,
            approver_name     TEXT NOT NULL,
            approved_at_ms    {integer} NOT NULL,
            parameters_hash   TEXT NOT NULL,
            target_state_hash TEXT NOT NULL,
            target_state      TEXT NOT NULL,
            expires_at_ms     {integer} NOT NULL,
            PRIMARY KEY (run_id, approver_id)
        );
        CREATE TABLE operation_locks (
            resource_key TEXT NOT NULL PRIMARY KEY,
            run_id       TEXT NOT NULL REFERENCES operation_runs (id),
            locked_at_ms {integer} NOT NULL
        );
        CREATE INDEX ix_operation_locks_run ON operation_locks (run_id);
        CREATE TABLE operation_timeline (
            id         {identity},
            run_id     TEXT NOT NULL REFERENCES operation_runs (id),
            at_ms      {integer} NOT NULL,
            category   TEXT NOT NULL,
            text       TEXT NOT NULL,
            dedupe_key TEXT,
            UNIQUE (run_id, dedupe_key)
        );
        CREATE INDEX ix_operation_timeline_run ON operation_timeline (run_id, id);
        CREATE TABLE operation_safety_switches (
            environment   TEXT NOT NULL PRIMARY KEY,
            engaged       {integer} NOT NULL,
            changed_by    TEXT NOT NULL,
            changed_at_ms {integer} NOT NULL,
            reason        TEXT NOT NULL
        );
        CREATE TABLE operation_evidence (
            run_id         TEXT NOT NULL PRIMARY KEY REFERENCES operation_runs (id),
            content        TEXT NOT NULL,
            sha256         TEXT NOT NULL,
            audit_sequence {integer} NOT NULL,
            sealed_at_ms   {integer} NOT NULL
        );
        """;
}
