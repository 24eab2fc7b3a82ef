using System.Data.Common;
using System.Globalization;
using FinTech.Portal.Database;

namespace FinTech.Portal.Sandbox;

/// <summary>What changed a simulated platform: a knob, or an action taken through a port.</summary>
public enum SandboxAction { FaultOn, FaultOff, AuroraFailover, RedisTestFailover, EcsRegisterTaskDefinition, EcsUpdateService }

/// <summary>
/// One accepted change of a simulated platform. With the seed, the journal of an environment
/// rebuilds its platform exactly: a failover's timings follow from the seed and its number, so
/// only the moment, the kind and the subject (the fault, the target instance, the node group) are kept.
/// </summary>
public sealed record SandboxJournalEntry(string Environment, long Sequence, DateTimeOffset OccurredAt, SandboxAction Action, string Subject);

/// <summary>
/// The Sandbox's history in the portal database (<c>sandbox_journal</c>): the one truth every
/// portal task's in-memory platform follows, and what a restarted portal (or one killed
/// mid-failover) rebuilds its platforms from: the failovers started, their events, the
/// test-failover quota, the knobs. Knob changes are appended in the same transaction as their
/// audit event; port actions (a failover) in their own, before they take effect. Entries are
/// applied in sequence order, so every task sees the same history.
/// </summary>
public sealed class SandboxJournal(PortalDatabase database)
{
    /// <summary>Serializes writers of the journal (PostgreSQL advisory lock; SQLite's write lock does it on its own).</summary>
    internal const long LockKey = 7_215_030_201;

    public static Migration Migration => new(
        "0004_sandbox_journal",
        Sqlite: """
            CREATE TABLE sandbox_journal (
                environment TEXT NOT NULL,
                sequence    INTEGER NOT NULL CHECK (sequence > 0),
                occurred_at TEXT NOT NULL,
                action      TEXT NOT NULL CHECK (action IN ('FaultOn', 'FaultOff', 'AuroraFailover', 'RedisTestFailover')),
                subject     TEXT NOT NULL,
                PRIMARY KEY (environment, sequence)
            );
            """,
        PostgreSql: """
            CREATE TABLE sandbox_journal (
                environment text NOT NULL,
                sequence    bigint NOT NULL CHECK (sequence > 0),
                occurred_at text NOT NULL,
                action      text NOT NULL CHECK (action IN ('FaultOn', 'FaultOff', 'AuroraFailover', 'RedisTestFailover')),
                subject     text NOT NULL,
                PRIMARY KEY (environment, sequence)
            );
            """);

    /// <summary>
    /// Lets the journal take actions beyond the first four (ECS task definitions and deployments, and
    /// whatever the Sandbox simulates next): the action list is the <see cref="SandboxAction"/> enum's,
    /// checked where entries are read, so a new action needs no migration. SQLite cannot drop a CHECK,
    /// so its table is copied.
    /// </summary>
    public static Migration OpenActionsMigration => new(
        "202612011700_sandbox_journal_open_actions",
        Sqlite: """
            CREATE TABLE sandbox_journal_new (
                environment TEXT NOT NULL,
                sequence    INTEGER NOT NULL CHECK (sequence > 0),
                occurred_at TEXT NOT NULL,
                action      TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
                subject     TEXT NOT NULL,
                PRIMARY KEY (environment, sequence)
            );
            INSERT INTO sandbox_journal_new SELECT environment, sequence, occurred_at, action, subject FROM sandbox_journal;
            DROP TABLE sandbox_journal;
            ALTER TABLE sandbox_journal_new RENAME TO sandbox_journal;
            """,
        PostgreSql: """
            ALTER TABLE sandbox_journal DROP CONSTRAINT IF EXISTS sandbox_journal_action_check;
            ALTER TABLE sandbox_journal ADD CONSTRAINT sandbox_journal_action_check CHECK (length(action) BETWEEN 1 AND 64);
            """);

    public PortalDatabase Database => database;

    /// <summary>The journal of <paramref name="environment"/> after <paramref name="afterSequence"/>, oldest first.</summary>
    public async Task<IReadOnlyList<SandboxJournalEntry>> ReadAsync(string environment, CancellationToken cancellationToken, long afterSequence = 0)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        return await ReadAsync(command, environment, afterSequence, cancellationToken);
    }

    /// <summary>
    /// Appends the action <paramref name="decide"/> takes, in one transaction under the journal's lock:
    /// <paramref name="decide"/> first sees the entries after <paramref name="afterSequence"/> (what other
    /// portal tasks did meanwhile) and may refuse by throwing, which appends nothing. Returns the entry once committed.
    /// </summary>
    public async Task<SandboxJournalEntry> AppendAsync(string environment, long afterSequence,
        Func<IReadOnlyList<SandboxJournalEntry>, (SandboxAction Action, string Subject, DateTimeOffset OccurredAt)> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decide);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(transaction, cancellationToken);
        await using var read = Command(transaction, "");
        var (action, subject, occurredAt) = decide(await ReadAsync(read, environment, afterSequence, cancellationToken));
        var entry = await AppendAsync(transaction, environment, occurredAt, action, subject, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return entry;
    }

    private static async Task<IReadOnlyList<SandboxJournalEntry>> ReadAsync(DbCommand command, string environment, long afterSequence, CancellationToken cancellationToken)
    {
        command.CommandText = "SELECT sequence, occurred_at, action, subject FROM sandbox_journal WHERE environment = @environment AND sequence > @after ORDER BY sequence";
        command.AddParameter("@environment", environment).AddParameter("@after", afterSequence);
        var entries = new List<SandboxJournalEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new SandboxJournalEntry(
                environment,
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Enum.Parse<SandboxAction>(reader.GetString(2)),
                reader.GetString(3)));
        }
        return entries;
    }

    /// <summary>
    /// Takes the journal's write lock until <paramref name="transaction"/> ends, so that two
    /// changes decided on the same reading (a double click, two portal tasks) queue up instead.
    /// </summary>
    internal async Task LockAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        var sql = database.Dialect.TransactionLock(LockKey);
        if (sql.Length == 0)
        {
            return;
        }
        await using var command = Command(transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The last knob entry of <paramref name="fault"/> (on or off, and when), or null when it was never switched.</summary>
    internal async Task<(bool On, DateTimeOffset At)?> LastFaultChangeAsync(DbTransaction transaction, string environment, SandboxFault fault, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, """
            SELECT action, occurred_at FROM sandbox_journal
            WHERE environment = @environment AND subject = @subject AND action IN ('FaultOn', 'FaultOff')
            ORDER BY sequence DESC LIMIT 1
            """);
        command.AddParameter("@environment", environment).AddParameter("@subject", fault.ToString());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return (reader.GetString(0) == nameof(SandboxAction.FaultOn),
            DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
    }

    /// <summary>Appends inside the caller's transaction (which holds the lock); returns the entry with its sequence.</summary>
    internal async Task<SandboxJournalEntry> AppendAsync(DbTransaction transaction, string environment, DateTimeOffset occurredAt, SandboxAction action, string subject, CancellationToken cancellationToken)
    {
        await using var command = Command(transaction, """
            INSERT INTO sandbox_journal (environment, sequence, occurred_at, action, subject)
            SELECT @environment, COALESCE(MAX(sequence), 0) + 1, @occurred_at, @action, @subject
            FROM sandbox_journal WHERE environment = @environment
            RETURNING sequence
            """);
        command.AddParameter("@environment", environment)
            .AddParameter("@occurred_at", occurredAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))
            .AddParameter("@action", action.ToString())
            .AddParameter("@subject", subject);
        var sequence = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return new SandboxJournalEntry(environment, sequence, occurredAt, action, subject);
    }

    private static DbCommand Command(DbTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
