using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FinTech.Portal.Database;

namespace FinTech.Portal.Audit;

/// <summary>
/// SQL over <c>audit_events</c>, written once for both providers (the differences are in
/// <see cref="SqlDialect"/>). Appends only; the table's triggers reject everything else.
/// </summary>
public sealed class AuditStore(PortalDatabase database)
{
    /// <summary>Advisory lock key that serializes chain appends across every portal task (PostgreSQL).</summary>
    internal const long ChainLockKey = 7_215_030_001;

    private const string Columns = "sequence, previous_hash, hash, content";

    // The head this process last appended and saw committed: lets the next append skip reading
    // it. Only a hint: the append checks it against the table under the chain lock.
    private AuditChainHead? _lastCommittedHead;

    public PortalDatabase Database => database;

    /// <summary>
    /// Appends in one round trip when this process knows the head (it appended last) and the
    /// provider runs a batch as one transaction: lock, then insert only if the head is still the
    /// one expected. Returns null when that does not hold (empty chain, another task appended,
    /// SQLite); the caller then takes the general path, <see cref="AppendAsync"/>.
    /// </summary>
    public async Task<AuditRecorded?> TryAppendAfterKnownHeadAsync(DbConnection connection, AuditEntry entry, string instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!database.Dialect.BatchIsOneTransaction || _lastCommittedHead is not { } head)
        {
            return null;
        }
        var occurredAt = TruncateToMilliseconds(now > head.OccurredAt ? now : head.OccurredAt);
        var sequence = head.Sequence + 1;
        var content = AuditCanonical.Content(entry, occurredAt, instance);
        var hash = AuditCanonical.Hash(head.Hash, sequence, content);
        await using var command = connection.CreateCommand();
        command.CommandText = database.Dialect.TransactionLock(ChainLockKey) +
            $"INSERT INTO audit_events ({Columns}) SELECT @sequence, @previous_hash, @hash, @content " +
            "WHERE EXISTS (SELECT 1 FROM (SELECT sequence, hash FROM audit_events ORDER BY sequence DESC LIMIT 1) head " +
            "WHERE head.sequence = @head_sequence AND head.hash = @previous_hash) RETURNING sequence";
        command.AddParameter("@sequence", sequence);
        command.AddParameter("@previous_hash", head.Hash);
        command.AddParameter("@hash", hash);
        command.AddParameter("@content", content);
        command.AddParameter("@head_sequence", head.Sequence);
        var inserted = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    inserted |= reader.FieldCount == 1 && reader.GetName(0) == "sequence";
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }
        if (!inserted)
        {
            return null;
        }
        var recorded = new AuditRecorded(sequence, hash, occurredAt);
        RememberCommitted(recorded, entry.EventType);
        return recorded;
    }

    /// <summary>Tells the store that <paramref name="recorded"/> is committed (the next append may start from it).</summary>
    internal void RememberCommitted(AuditRecorded recorded, string eventType) =>
        _lastCommittedHead = new AuditChainHead(recorded.Sequence, recorded.Hash, recorded.OccurredAt, eventType);

    /// <summary>
    /// Appends <paramref name="entry"/> inside <paramref name="transaction"/>: takes the chain lock,
    /// reads the head, links and inserts. The lock is held until the transaction ends, so two
    /// writers never read the same head (no fork) and a rolled-back append leaves no gap.
    /// Timestamps never go backwards along the chain: a task whose clock is behind the head's
    /// records the head's time, so time order and sequence order agree.
    /// </summary>
    public async Task<AuditRecorded> AppendAsync(DbTransaction transaction, AuditEntry entry, string instance, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection
            ?? throw new ArgumentException("The transaction has no connection (was it already committed?).", nameof(transaction));
        long previousSequence = 0;
        var previousHash = AuditCanonical.GenesisHash;
        await using (var head = connection.CreateCommand())
        {
            head.Transaction = transaction;
            head.CommandText = database.Dialect.TransactionLock(ChainLockKey) +
                "SELECT sequence, hash, occurred_at FROM audit_events ORDER BY sequence DESC LIMIT 1";
            await using var reader = await head.ExecuteReaderAsync(cancellationToken);
            // PostgreSQL returns the lock's (empty) row first.
            while (reader.FieldCount != 3 && await reader.NextResultAsync(cancellationToken))
            {
            }
            if (await reader.ReadAsync(cancellationToken))
            {
                previousSequence = reader.GetInt64(0);
                previousHash = reader.GetString(1);
                var headTime = AuditCanonical.ParseTimestamp(reader.GetString(2));
                if (headTime > now)
                {
                    now = headTime;
                }
            }
        }

        var occurredAt = TruncateToMilliseconds(now);
        var sequence = previousSequence + 1;
        var content = AuditCanonical.Content(entry, occurredAt, instance);
        var hash = AuditCanonical.Hash(previousHash, sequence, content);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO audit_events ({Columns}) VALUES (@sequence, @previous_hash, @hash, @content)";
            insert.AddParameter("@sequence", sequence);
            insert.AddParameter("@previous_hash", previousHash);
            insert.AddParameter("@hash", hash);
            insert.AddParameter("@content", content);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        return new AuditRecorded(sequence, hash, occurredAt);
    }

    public async Task<AuditChainHead?> GetHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, hash, occurred_at, event_type FROM audit_events ORDER BY sequence DESC LIMIT 1";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new AuditChainHead(reader.GetInt64(0), reader.GetString(1), AuditCanonical.ParseTimestamp(reader.GetString(2)), reader.GetString(3))
            : null;
    }

    /// <summary>
    /// The event types the trail holds, in order: one index seek per type (a loose index scan on
    /// <c>ix_audit_events_event_type</c>), so a trail of millions of events answers as fast as a small one.
    /// </summary>
    public async Task<IReadOnlyList<string>> EventTypesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            WITH RECURSIVE types(event_type) AS (
                SELECT MIN(event_type) FROM audit_events
                UNION ALL
                SELECT (SELECT MIN(e.event_type) FROM audit_events e WHERE e.event_type > types.event_type)
                FROM types WHERE types.event_type IS NOT NULL
            )
            SELECT event_type FROM types WHERE event_type IS NOT NULL
            """;
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            types.Add(reader.GetString(0));
        }
        return types;
    }

    public async Task<AuditEvent?> GetAsync(long sequence, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_events WHERE sequence = @sequence";
        command.AddParameter("@sequence", sequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Newest first, <paramref name="pageSize"/> at a time. Keyset paging on the primary key
    /// (<c>sequence &lt; @before</c>) costs the same on page 1 and page 10,000; each filter
    /// column has an index ending in <c>sequence</c> for the same reason.
    /// </summary>
    public async Task<AuditPage> SearchAsync(AuditFilter filter, long? before, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, filter with { Actor = null });
        if (before is { } keyset)
        {
            where.Add("sequence < @before");
            command.AddParameter("@before", keyset);
        }
        var limit = $" ORDER BY sequence DESC LIMIT {pageSize + 1}";
        if (string.IsNullOrWhiteSpace(filter.Actor))
        {
            command.CommandText = $"SELECT {Columns} FROM audit_events{WhereClause(where)}{limit}";
        }
        else
        {
            // "Actor" is a user id or a display name. An OR of the two would defeat both indexes;
            // two index-ordered branches merged by sequence keep the page a short index walk.
            command.AddParameter("@actor", filter.Actor.Trim());
            var byId = WhereClause([.. where, "actor_id = @actor"]);
            var byName = WhereClause([.. where, "actor_name = @actor", "actor_id <> @actor"]);
            command.CommandText =
                $"SELECT {Columns} FROM (" +
                $"SELECT {Columns} FROM (SELECT {Columns} FROM audit_events{byId}{limit}) by_id UNION ALL " +
                $"SELECT {Columns} FROM (SELECT {Columns} FROM audit_events{byName}{limit}) by_name" +
                $") by_actor{limit}";
        }
        var events = new List<AuditEvent>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(Read(reader));
            }
        }
        if (events.Count > pageSize)
        {
            events.RemoveAt(pageSize);
            return new AuditPage(events, events[^1].Sequence);
        }
        return new AuditPage(events, null);
    }

    /// <summary>Every event matching <paramref name="filter"/>, oldest first, streamed (exports).</summary>
    public async IAsyncEnumerable<AuditEvent> StreamAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = Where(command, filter);
        command.CommandText = $"SELECT {Columns} FROM audit_events{WhereClause(where)} ORDER BY sequence";
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    /// <summary>The raw chain links from <paramref name="from"/> to <paramref name="to"/> (inclusive), in sequence order.</summary>
    public async IAsyncEnumerable<AuditLink> ReadChainAsync(long from, long? to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM audit_events WHERE sequence >= @from" +
            (to is null ? "" : " AND sequence <= @to") + " ORDER BY sequence";
        command.AddParameter("@from", from);
        if (to is { } last)
        {
            command.AddParameter("@to", last);
        }
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new AuditLink(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
    }

    /// <summary>
    /// The chain links with their content as the UTF-8 bytes that were hashed (verification):
    /// no text decoding on the way in, no re-encoding before hashing.
    /// </summary>
    public async IAsyncEnumerable<AuditRawLink> ReadRawChainAsync(long from, long? to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT sequence, previous_hash, hash, {database.Dialect.Utf8Bytes("content")} FROM audit_events WHERE sequence >= @from" +
            (to is null ? "" : " AND sequence <= @to") + " ORDER BY sequence";
        command.AddParameter("@from", from);
        if (to is { } last)
        {
            command.AddParameter("@to", last);
        }
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new AuditRawLink(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3));
        }
    }

    /// <summary>The sequence of the event whose stored hash is <paramref name="hash"/>, if any (explains a broken link).</summary>
    public async Task<long?> FindSequenceByHashAsync(string hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence FROM audit_events WHERE hash = @hash ORDER BY sequence LIMIT 1";
        command.AddParameter("@hash", hash);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    private List<string> Where(DbCommand command, AuditFilter filter)
    {
        var where = new List<string>();
        void Equal(string column, string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                where.Add($"{column} = {name}");
                command.AddParameter(name, value.Trim());
            }
        }
        // Appends never let time go backwards, so a time range is also a sequence range: the
        // bounds are looked up once in the time index and every other index (all end in
        // sequence) can then seek instead of scanning from the newest event.
        if (filter.From is { } from)
        {
            where.Add("occurred_at >= @from");
            where.Add("sequence >= COALESCE((SELECT f.sequence FROM audit_events f WHERE f.occurred_at >= @from ORDER BY f.occurred_at, f.sequence LIMIT 1), 9223372036854775807)");
            command.AddParameter("@from", AuditCanonical.FormatTimestamp(from));
        }
        if (filter.To is { } to)
        {
            where.Add("occurred_at < @to");
            where.Add("sequence < COALESCE((SELECT t.sequence FROM audit_events t WHERE t.occurred_at >= @to ORDER BY t.occurred_at, t.sequence LIMIT 1), 9223372036854775807)");
            command.AddParameter("@to", AuditCanonical.FormatTimestamp(to));
        }
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            where.Add("(actor_id = @actor OR actor_name = @actor)");
            command.AddParameter("@actor", filter.Actor.Trim());
        }
        Equal("event_type", "@event_type", filter.EventType);
        Equal("environment", "@environment", filter.Environment);
        Equal("target", "@target", filter.Target);
        Equal("outcome", "@outcome", filter.Outcome?.ToString());
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            where.Add(database.Dialect.ContainsIgnoringCase("content", "@text"));
            command.AddParameter("@text", "%" + EscapeLike(filter.Text.Trim()) + "%");
        }
        return where;
    }

    private static string WhereClause(List<string> where) => where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);

    private static string EscapeLike(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '%' or '_' or '\\')
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    private static AuditEvent Read(DbDataReader reader) =>
        AuditEvent.FromStored(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}

/// <summary>One link of the chain with its content as the stored UTF-8 bytes.</summary>
public readonly record struct AuditRawLink(long Sequence, string PreviousHash, string Hash, byte[] Content);

/// <summary>One link of the chain as stored.</summary>
public readonly record struct AuditLink(long Sequence, string PreviousHash, string Hash, string Content);
