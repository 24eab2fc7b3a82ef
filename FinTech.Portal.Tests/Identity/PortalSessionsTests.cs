using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// The session store, written once and run against SQLite and a real PostgreSQL server (the
/// portal's production database, shared by every portal task).
/// </summary>
public abstract class PortalSessionsTests : IAsyncLifetime
{
    private ITestDatabase _database = null!;
    private AuditTestKit _kit = null!;
    private PortalSessions _sessions = null!;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _kit = new AuditTestKit(_database.Database);
        await _kit.Migrations.ApplyAsync(CancellationToken.None);
        _sessions = SessionsOn(_database.Database);
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private PortalSessions SessionsOn(FinTech.Portal.Database.PortalDatabase database)
    {
        var audit = new IdentityAudit(_kit.Trail, new EnvironmentCatalog(Options.Create(new PlatformOptions { Environments = { ["sandbox"] = new EnvironmentOptions() } })));
        return new PortalSessions(database, _kit.Time, Options.Create(new PortalIdentityOptions { IdleTimeout = TimeSpan.FromMinutes(30) }), audit, NullLogger<PortalSessions>.Instance);
    }

    private static System.Security.Claims.ClaimsPrincipal Person(SandboxPersona persona) =>
        PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], AuditTestKit.Start);

    [Fact]
    public async Task A_started_session_is_active_until_it_is_ended_and_another_task_sees_the_end()
    {
        var olivia = Person(SandboxPersonas.Olivia);
        var id = await _sessions.StartAsync(olivia, "10.0.0.7", CancellationToken.None);
        await using var otherTaskDatabase = _database.OpenAnotherInstance();
        var otherTask = SessionsOn(otherTaskDatabase);

        var before = await otherTask.CheckAsync(olivia, touch: true, CancellationToken.None);
        var ended = await _sessions.EndAsync(id, SessionEndReasons.SignedOut, CancellationToken.None);
        var endedAgain = await _sessions.EndAsync(id, SessionEndReasons.SignedOut, CancellationToken.None);
        var after = await otherTask.CheckAsync(olivia, touch: true, CancellationToken.None);

        Assert.Equal(id, PortalSessions.IdOf(olivia));
        Assert.True(before.IsActive);
        Assert.True(ended);
        Assert.False(endedAgain);
        Assert.Equal(new SessionCheck(false, SessionEndReasons.SignedOut), after);
    }

    [Fact]
    public async Task Requests_keep_a_session_from_going_idle_and_a_revalidation_does_not()
    {
        var olivia = Person(SandboxPersonas.Olivia);
        await _sessions.StartAsync(olivia, null, CancellationToken.None);

        _kit.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.True((await _sessions.CheckAsync(olivia, touch: true, CancellationToken.None)).IsActive);
        _kit.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.True((await _sessions.CheckAsync(olivia, touch: false, CancellationToken.None)).IsActive);
        _kit.Time.Advance(TimeSpan.FromMinutes(11));
        var idle = await _sessions.CheckAsync(olivia, touch: false, CancellationToken.None);

        Assert.Equal(new SessionCheck(false, SessionEndReasons.Idle), idle);
        var recorded = await _kit.Store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.SessionEnded), null, 10, CancellationToken.None);
        Assert.Equal("sandbox:olivia", Assert.Single(recorded.Events).Actor.UserId);
    }

    [Fact]
    public async Task Ending_all_of_a_persons_sessions_leaves_other_people_signed_in()
    {
        var olivia1 = Person(SandboxPersonas.Olivia);
        var olivia2 = Person(SandboxPersonas.Olivia);
        var omar = Person(SandboxPersonas.Omar);
        await _sessions.StartAsync(olivia1, null, CancellationToken.None);
        await _sessions.StartAsync(olivia2, null, CancellationToken.None);
        await _sessions.StartAsync(omar, null, CancellationToken.None);

        var ended = await _sessions.EndAllOfAsync(SandboxPersonas.Olivia.UserId, SessionEndReasons.EndedByAdmin, CancellationToken.None);
        var active = await _sessions.ActiveAsync(CancellationToken.None);

        Assert.Equal(2, ended);
        Assert.Equal([SandboxPersonas.Omar.UserId], active.Select(s => s.UserId));
        Assert.False((await _sessions.CheckAsync(olivia2, touch: false, CancellationToken.None)).IsActive);
    }

    [Fact]
    public async Task A_watcher_of_a_session_hears_its_end_with_the_reason_once()
    {
        var olivia = Person(SandboxPersonas.Olivia);
        var id = await _sessions.StartAsync(olivia, null, CancellationToken.None);
        var heard = new List<string>();
        using var watch = _sessions.WatchEnd(id, heard.Add);

        await _sessions.EndAsync(id, SessionEndReasons.EndedByAdmin, CancellationToken.None);
        await _sessions.EndAsync(id, SessionEndReasons.EndedByAdmin, CancellationToken.None);

        Assert.Equal([SessionEndReasons.EndedByAdmin], heard);
    }
}

public sealed class SqlitePortalSessionsTests : PortalSessionsTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresPortalSessionsTests(PostgresFixture postgres) : PortalSessionsTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await postgres.CreateDatabaseAsync();
}
