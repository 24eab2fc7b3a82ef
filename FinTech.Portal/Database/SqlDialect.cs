namespace FinTech.Portal.Database;

/// <summary>
/// The few places where SQLite and PostgreSQL differ. Everything else in the portal's SQL is
/// written once and runs on both.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect PostgreSql = new PostgreSqlDialect();

    public abstract DatabaseProvider Provider { get; }

    /// <summary>
    /// Statements that serialize writers of one chain (or migration run) until the current
    /// transaction ends, or an empty string when the transaction itself already does.
    /// </summary>
    public abstract string TransactionLock(long lockKey);

    /// <summary>A case-insensitive substring match of <paramref name="column"/> against a LIKE pattern parameter.</summary>
    public abstract string ContainsIgnoringCase(string column, string parameter);


    /// <summary>
    /// Do the statements of one command, sent without a transaction, run as one transaction? True
    /// for PostgreSQL (an implicit transaction up to the protocol's Sync), which lets a short write
    /// take a transaction-scoped lock and commit in a single round trip.
    /// </summary>
    public abstract bool BatchIsOneTransaction { get; }

    /// <summary>A text column as its UTF-8 bytes, so a reader that hashes them never decodes and re-encodes text.</summary>
    public abstract string Utf8Bytes(string column);

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        // Microsoft.Data.Sqlite starts transactions with BEGIN IMMEDIATE: the write lock is taken
        // at BEGIN, so writers on any connection or process queue up (busy timeout) before reading
        // the chain head.
        public override string TransactionLock(long lockKey) => "";

        // LIKE is case-insensitive for ASCII in SQLite.
        public override string ContainsIgnoringCase(string column, string parameter) => $"{column} LIKE {parameter} ESCAPE '\\'";


        public override bool BatchIsOneTransaction => false;

        public override string Utf8Bytes(string column) => $"CAST({column} AS BLOB)";
    }

    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override DatabaseProvider Provider => DatabaseProvider.PostgreSql;

        // Held until COMMIT or ROLLBACK, across every portal task that shares the database.
        public override string TransactionLock(long lockKey) => $"SELECT pg_advisory_xact_lock({lockKey});";

        public override string ContainsIgnoringCase(string column, string parameter) => $"{column} ILIKE {parameter} ESCAPE '\\'";


        public override bool BatchIsOneTransaction => true;

        public override string Utf8Bytes(string column) => $"convert_to({column}, 'UTF8')";
    }
}
