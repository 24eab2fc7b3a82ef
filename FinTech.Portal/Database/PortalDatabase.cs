using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FinTech.Portal.Database;

/// <summary>
/// The portal database: hands out open connections of the configured provider. One per process
/// (singleton); for PostgreSQL it owns the connection pool.
/// </summary>
public sealed class PortalDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;

    public PortalDatabase(IOptions<DatabaseOptions> options, IHostEnvironment host)
        : this(options.Value.Provider, ResolveConnectionString(options.Value, host.ContentRootPath))
    {
    }

    /// <summary>For tests and tools that already know where the database is.</summary>
    public PortalDatabase(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        if (provider == DatabaseProvider.PostgreSql)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            // The audit append and the list queries run the same few statements all day.
            builder.ConnectionStringBuilder.MaxAutoPrepare = Math.Max(builder.ConnectionStringBuilder.MaxAutoPrepare, 32);
            _postgres = builder.Build();
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(connectionString);
            if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }
            }
            // Pooling keeps the per-connection PRAGMAs below cheap.
            builder.Pooling = true;
            _sqliteConnectionString = builder.ToString();
        }
        Dialect = provider == DatabaseProvider.PostgreSql ? SqlDialect.PostgreSql : SqlDialect.Sqlite;
    }

    public DatabaseProvider Provider { get; }

    public SqlDialect Dialect { get; }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }
        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // WAL lets readers (the audit views) run while a writer appends; the busy timeout
            // makes concurrent writers wait for BEGIN IMMEDIATE instead of failing at once.
            pragmas.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    internal static string ResolveConnectionString(DatabaseOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                // A relative SQLite file is relative to the content root, as the default is.
                var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && !Path.IsPathRooted(file))
                {
                    builder.DataSource = Path.Combine(contentRoot, file);
                }
                return builder.ToString();
            }
            return options.ConnectionString;
        }
        return new SqliteConnectionStringBuilder { DataSource = Path.Combine(contentRoot, DatabaseOptions.DefaultSqliteFile) }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
