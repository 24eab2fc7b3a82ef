using System.Data.Common;
using FinTech.Portal.Database;
using FinTech.Portal.Testing;
using Microsoft.Data.Sqlite;

namespace FinTech.Portal.Tests.Database;

/// <summary>
/// One empty portal database for one test, on either provider (like CleanArchitecture's
/// ITestDatabase): the store tests are written once against this and run on both.
/// </summary>
public interface ITestDatabase : IAsyncDisposable
{
    DatabaseProvider Provider { get; }

    PortalDatabase Database { get; }

    /// <summary>A second, independent connection pool to the same database: another portal task.</summary>
    PortalDatabase OpenAnotherInstance();

    /// <summary>Runs SQL the way a tampering administrator would: with the table's guard triggers off.</summary>
    Task TamperAsync(string sql);

    /// <summary>Runs SQL as the portal would (guards on).</summary>
    Task ExecuteAsync(string sql);
}

public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fintech-sqlite-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _connectionString;

    public SqliteTestDatabase()
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "portal.db") }.ToString();
        Database = new PortalDatabase(DatabaseProvider.Sqlite, _connectionString);
    }

    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public PortalDatabase Database { get; }

    /// <summary>For a portal started as a process of its own on the same file.</summary>
    public string ConnectionString => _connectionString;

    public PortalDatabase OpenAnotherInstance() => new(DatabaseProvider.Sqlite, _connectionString + ";Cache=Private");

    public Task TamperAsync(string sql) => ExecuteAsync(
        "DROP TRIGGER IF EXISTS audit_events_reject_update; DROP TRIGGER IF EXISTS audit_events_reject_delete; " + sql);

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left in /tmp; not worth failing a test for.
        }
    }
}

public sealed class PostgresTestDatabase(string connectionString) : ITestDatabase
{
    private readonly List<PortalDatabase> _instances = [];

    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public PortalDatabase Database { get; } = new(DatabaseProvider.PostgreSql, connectionString);

    public PortalDatabase OpenAnotherInstance()
    {
        // A different Application Name gives Npgsql a separate pool, as another task would have.
        var instance = new PortalDatabase(DatabaseProvider.PostgreSql, connectionString + $";Application Name=portal-{_instances.Count + 2}");
        _instances.Add(instance);
        return instance;
    }

    // session_replication_role = replica switches ordinary triggers off: what a superuser could do.
    public Task TamperAsync(string sql) => ExecuteAsync("SET session_replication_role = replica; " + sql);

    public async Task ExecuteAsync(string sql)
    {
        await using DbConnection connection = await Database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

/// <summary>One PostgreSQL server for the whole test run; every test gets its own database on it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databases;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    public async Task InitializeAsync()
    {
        // Durability is not under test: skipping fsync keeps the many small databases fast.
        _server = await PostgresServer.StartAsync(new Dictionary<string, string>
        {
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
            ["full_page_writes"] = "off",
        });
    }

    public async Task<PostgresTestDatabase> CreateDatabaseAsync()
    {
        var name = $"portal_test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        return new PostgresTestDatabase(await Server.CreateDatabaseAsync(name));
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
