using System.Data.Common;

namespace FinTech.Portal.Database;

/// <summary>
/// Brings the schema up to date: applies, in order, each migration of <see cref="Migrations.All"/> (every feature's)
/// that <c>schema_migrations</c> does not list, each in its own transaction together with its
/// row in <c>schema_migrations</c>. Several portal tasks starting at once are serialized by the
/// same lock the audit chain uses on PostgreSQL (BEGIN IMMEDIATE on SQLite), so each migration
/// runs exactly once.
/// </summary>
public sealed class MigrationRunner(PortalDatabase database, TimeProvider time, ILogger<MigrationRunner> logger)
{
    /// <summary>Advisory lock key of migration runs (any constant distinct from other locks of the portal).</summary>
    internal const long LockKey = 7_215_030_000;

    public Task<IReadOnlyList<string>> ApplyAsync(CancellationToken cancellationToken) =>
        ApplyAsync(Migrations.All, cancellationToken);

    /// <summary>Applies what is missing and returns the ids it applied (empty when the schema was current).</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var applied = new List<string>();
        foreach (var migration in migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var lockSql = database.Dialect.TransactionLock(LockKey);
            if (lockSql.Length > 0)
            {
                await ExecuteAsync(connection, transaction, lockSql, cancellationToken);
            }
            // Under the lock: two tasks creating it at once would collide even with IF NOT EXISTS.
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    id         TEXT NOT NULL PRIMARY KEY,
                    applied_at TEXT NOT NULL
                )
                """, cancellationToken);
            await using (var check = connection.CreateCommand())
            {
                check.Transaction = transaction;
                check.CommandText = "SELECT count(*) FROM schema_migrations WHERE id = @id";
                check.AddParameter("@id", migration.Id);
                if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    continue;
                }
            }
            await ExecuteAsync(connection, transaction, migration.SqlFor(database.Provider), cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (id, applied_at) VALUES (@id, @at)";
                record.AddParameter("@id", migration.Id);
                record.AddParameter("@at", FinTech.Portal.Hosting.Timestamps.Store(time.GetUtcNow()));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied database migration {MigrationId} ({Provider})", migration.Id, database.Provider);
            applied.Add(migration.Id);
        }
        return applied;
    }

    /// <summary>The ids recorded in <c>schema_migrations</c>, in the order they were applied.</summary>
    public async Task<IReadOnlyList<string>> AppliedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM schema_migrations ORDER BY id";
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
