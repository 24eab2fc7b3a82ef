using FinTech.Portal.Identity;
using FinTech.Portal.Logs;
using FinTech.Portal.Tests.Database;

namespace FinTech.Portal.Tests.Logs;

/// <summary>The saved-queries table, written once and run on SQLite and a real PostgreSQL.</summary>
public abstract class SavedQueriesTests : IAsyncLifetime
{
    private static readonly string[] Api = ["/fintech/sandbox/api"];
    private LogsTestKit _kit = null!;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync() => _kit = await LogsTestKit.CreateAsync(await CreateDatabaseAsync());

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private static System.Security.Claims.ClaimsPrincipal Olivia => LogsTestKit.User(SandboxPersonas.Olivia);

    private static System.Security.Claims.ClaimsPrincipal Omar => LogsTestKit.User(SandboxPersonas.Omar);

    [Fact]
    public async Task A_person_sees_their_own_saved_queries_and_everyone_s_shared_ones()
    {
        await _kit.Saved.SaveAsync(Olivia, "My 5xx", "filter status >= 500", Api, shared: false, CancellationToken.None);
        await _kit.Saved.SaveAsync(Olivia, "Deadlocks", "filter @message like 'deadlock'", ["/aws/rds/cluster/fintech-aurora/postgresql", "/fintech/sandbox/api"], shared: true, CancellationToken.None);
        await _kit.Saved.SaveAsync(Omar, "Omar's own", "fields @message", Api, shared: false, CancellationToken.None);

        var olivia = await _kit.Saved.ListAsync(Olivia, CancellationToken.None);
        var omar = await _kit.Saved.ListAsync(Omar, CancellationToken.None);

        Assert.Equal(["Deadlocks", "My 5xx"], olivia.Select(q => q.Name));
        Assert.Equal(["Deadlocks", "Omar's own"], omar.Select(q => q.Name));
        var shared = omar[0];
        Assert.True(shared.Shared);
        Assert.Equal("Olivia Operator", shared.OwnerName);
        Assert.Equal(["/aws/rds/cluster/fintech-aurora/postgresql", "/fintech/sandbox/api"], shared.LogGroups);
    }

    [Fact]
    public async Task Only_the_owner_can_delete_a_saved_query()
    {
        var saved = await _kit.Saved.SaveAsync(Olivia, "Shared", "fields @message", Api, shared: true, CancellationToken.None);

        await Assert.ThrowsAsync<SavedQueryException>(() => _kit.Saved.DeleteAsync(Omar, saved.Id, CancellationToken.None));
        await _kit.Saved.DeleteAsync(Olivia, saved.Id, CancellationToken.None);

        Assert.Empty(await _kit.Saved.ListAsync(Omar, CancellationToken.None));
    }

    [Theory]
    [InlineData("", "fields @message", "a name of 1 to 100")]
    [InlineData("ok", "", "1 to 10,000 characters")]
    [InlineData("ok", "filter status >=", "Only a valid query can be saved")]
    public async Task An_invalid_saved_query_is_refused_with_the_reason(string name, string query, string reason)
    {
        var error = await Assert.ThrowsAsync<SavedQueryException>(() => _kit.Saved.SaveAsync(Olivia, name, query, Api, shared: false, CancellationToken.None));

        Assert.Contains(reason, error.Message);
        Assert.Empty(await _kit.Saved.ListAsync(Olivia, CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_latest_twenty_recent_queries_are_kept()
    {
        for (var i = 0; i < 25; i++)
        {
            await _kit.Saved.AddRecentAsync(Olivia, "sandbox", $"fields n{i}", Api, CancellationToken.None);
        }

        var recent = await _kit.Saved.RecentAsync(Olivia, CancellationToken.None);

        Assert.Equal(SavedQueries.RecentKept, recent.Count);
        Assert.Equal("fields n24", recent[0].QueryText);
        Assert.Equal("fields n5", recent[^1].QueryText);
    }
}

public sealed class SqliteSavedQueriesTests : SavedQueriesTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSavedQueriesTests(PostgresFixture postgres) : SavedQueriesTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await postgres.CreateDatabaseAsync();
}
