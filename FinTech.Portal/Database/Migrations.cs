namespace FinTech.Portal.Database;

/// <summary>One versioned schema change, written for each provider. Applied once, in order, in its own transaction.</summary>
public sealed record Migration(string Id, string Sqlite, string PostgreSql)
{
    public string SqlFor(DatabaseProvider provider) => provider == DatabaseProvider.PostgreSql ? PostgreSql : Sqlite;
}

/// <summary>
/// The ordered list of the portal's migrations. Append new ones at the end with the next number;
/// never edit one that has shipped (databases record the ids they applied in <c>schema_migrations</c>).
/// </summary>
public static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        AuditEvents,
        DataProtectionKeys,
        Identity.PortalSessions.Migration,
        Sandbox.SandboxJournal.Migration,
    ];

    /// <summary>
    /// The ASP.NET Core Data Protection key ring, shared by every portal task so that a cookie or
    /// antiforgery token issued by one is accepted by another (see Identity/DataProtectionKeys.cs).
    /// Rows are only added; the key ring itself marks keys expired or revoked.
    /// </summary>
    private static Migration DataProtectionKeys => new(
        "0002_data_protection_keys",
        Sqlite: """
            CREATE TABLE data_protection_keys (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                friendly_name TEXT NOT NULL,
                xml           TEXT NOT NULL,
                created_at    TEXT NOT NULL
            );
            """,
        PostgreSql: """
            CREATE TABLE data_protection_keys (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                friendly_name text NOT NULL,
                xml           text NOT NULL,
                created_at    text NOT NULL
            );
            """);

    /// <summary>
    /// The audit trail. <c>content</c> holds the canonical JSON of an event exactly as it was hashed;
    /// the searchable columns are generated from it by the database, so they can never disagree
    /// with what the chain protects. Both providers reject UPDATE and DELETE (PostgreSQL also
    /// TRUNCATE) with a trigger.
    /// </summary>
    private static Migration AuditEvents => new(
        "0001_audit_events",
        Sqlite: """
            CREATE TABLE audit_events (
                sequence      INTEGER NOT NULL PRIMARY KEY CHECK (sequence > 0),
                previous_hash TEXT NOT NULL,
                hash          TEXT NOT NULL,
                content       TEXT NOT NULL,
                occurred_at   TEXT GENERATED ALWAYS AS (json_extract(content, '$.occurredAt')) STORED,
                event_type    TEXT GENERATED ALWAYS AS (json_extract(content, '$.eventType')) STORED,
                actor_id      TEXT GENERATED ALWAYS AS (json_extract(content, '$.actor.userId')) STORED,
                actor_name    TEXT GENERATED ALWAYS AS (json_extract(content, '$.actor.displayName')) STORED,
                source_ip     TEXT GENERATED ALWAYS AS (json_extract(content, '$.actor.sourceIp')) STORED,
                environment   TEXT GENERATED ALWAYS AS (json_extract(content, '$.environment')) STORED,
                target        TEXT GENERATED ALWAYS AS (json_extract(content, '$.target')) STORED,
                outcome       TEXT GENERATED ALWAYS AS (json_extract(content, '$.outcome')) STORED
            );
            CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at);
            CREATE INDEX ix_audit_events_event_type ON audit_events (event_type, sequence);
            CREATE INDEX ix_audit_events_actor_id ON audit_events (actor_id, sequence);
            CREATE INDEX ix_audit_events_actor_name ON audit_events (actor_name, sequence);
            CREATE INDEX ix_audit_events_environment ON audit_events (environment, sequence);
            CREATE INDEX ix_audit_events_target ON audit_events (target, sequence);
            CREATE INDEX ix_audit_events_outcome ON audit_events (outcome, sequence);
            CREATE TRIGGER audit_events_reject_update BEFORE UPDATE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE is not allowed'); END;
            CREATE TRIGGER audit_events_reject_delete BEFORE DELETE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE is not allowed'); END;
            """,
        PostgreSql: """
            CREATE TABLE audit_events (
                sequence      bigint NOT NULL PRIMARY KEY CHECK (sequence > 0),
                previous_hash text NOT NULL,
                hash          text NOT NULL,
                content       text NOT NULL,
                occurred_at   text GENERATED ALWAYS AS ((content::jsonb) ->> 'occurredAt') STORED,
                event_type    text GENERATED ALWAYS AS ((content::jsonb) ->> 'eventType') STORED,
                actor_id      text GENERATED ALWAYS AS ((content::jsonb) -> 'actor' ->> 'userId') STORED,
                actor_name    text GENERATED ALWAYS AS ((content::jsonb) -> 'actor' ->> 'displayName') STORED,
                source_ip     text GENERATED ALWAYS AS ((content::jsonb) -> 'actor' ->> 'sourceIp') STORED,
                environment   text GENERATED ALWAYS AS ((content::jsonb) ->> 'environment') STORED,
                target        text GENERATED ALWAYS AS ((content::jsonb) ->> 'target') STORED,
                outcome       text GENERATED ALWAYS AS ((content::jsonb) ->> 'outcome') STORED
            );
            CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at);
            CREATE INDEX ix_audit_events_event_type ON audit_events (event_type, sequence);
            CREATE INDEX ix_audit_events_actor_id ON audit_events (actor_id, sequence);
            CREATE INDEX ix_audit_events_actor_name ON audit_events (actor_name, sequence);
            CREATE INDEX ix_audit_events_environment ON audit_events (environment, sequence);
            CREATE INDEX ix_audit_events_target ON audit_events (target, sequence);
            CREATE INDEX ix_audit_events_outcome ON audit_events (outcome, sequence);
            CREATE FUNCTION audit_events_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$;
            CREATE TRIGGER audit_events_reject_update_delete BEFORE UPDATE OR DELETE ON audit_events
                FOR EACH ROW EXECUTE FUNCTION audit_events_reject_change();
            CREATE TRIGGER audit_events_reject_truncate BEFORE TRUNCATE ON audit_events
                FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
            """);
}
