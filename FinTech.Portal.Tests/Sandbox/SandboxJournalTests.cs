using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>
/// Knob changes and port actions recorded in the Sandbox journal, written once and run against
/// SQLite (<see cref="SqliteSandboxJournalTests"/>) and a real PostgreSQL (<see cref="PostgresSandboxJournalTests"/>).
/// </summary>
public abstract class SandboxJournalTests : IAsyncLifetime
{
    private static readonly PortalEnvironment Environment =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, PlatformResources.Sandbox(), SandboxTestPlatform.Seed, Aws: null);

    private readonly FakeTimeProvider _time = new(SandboxTestPlatform.TuesdayMorning);
    private ITestDatabase _database = null!;
    private AuditTestKit _audit = null!;
    private SandboxJournal _journal = null!;
    private SandboxBackend _backend = null!;
    private SandboxFaultSwitch _switch = null!;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _audit = new AuditTestKit(_database.Database);
        await _audit.Migrations.ApplyAsync(CancellationToken.None);
        _journal = new SandboxJournal(_database.Database);
        _backend = new SandboxBackend(_time, _journal);
        _switch = new SandboxFaultSwitch(_audit.Trail, _journal);
    }

    public async Task DisposeAsync()
    {
        _audit.Dispose();
        await _database.DisposeAsync();
    }

    private SandboxPlatform Platform => _backend.PlatformFor(Environment);

    private Task<bool> TurnAsync(SandboxFault fault, bool on, SandboxFaultSwitch? via = null) =>
        (via ?? _switch).SetFaultAsync(Platform, Environment, fault, on, AuditTestKit.Bob, CancellationToken.None);

    private async Task<IReadOnlyList<AuditEvent>> FaultEventsAsync() =>
        (await _audit.Store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.SandboxFaultChanged), null, 50, CancellationToken.None)).Events;

    [Fact]
    public async Task A_knob_double_submitted_at_once_is_switched_and_recorded_exactly_once()
    {
        // Two portal tasks (two connection pools) receive the same click.
        var otherTask = new SandboxFaultSwitch(new AuditTestKit(_database.OpenAnotherInstance()).Trail, new SandboxJournal(_database.OpenAnotherInstance()));

        var changed = await Task.WhenAll(
            Task.Run(() => TurnAsync(SandboxFault.ErrorBurst, on: true)),
            Task.Run(() => TurnAsync(SandboxFault.ErrorBurst, on: true, otherTask)));

        Assert.Equal([false, true], changed.Order());
        var change = Assert.Single(await FaultEventsAsync());
        Assert.Equal(("sandbox-fault/ErrorBurst", "true", AuditOutcome.Succeeded), (change.Target, change.Parameters["on"], change.Outcome));
        Assert.Equal([SandboxAction.FaultOn], (await _journal.ReadAsync("sandbox", CancellationToken.None)).Select(e => e.Action));
        Assert.True(Platform.IsActive(SandboxFault.ErrorBurst));
    }

    [Fact]
    public async Task Turning_on_a_knob_that_is_on_records_nothing_and_turning_it_off_records_once_more()
    {
        Assert.True(await TurnAsync(SandboxFault.LatencySpike, on: true));
        Assert.False(await TurnAsync(SandboxFault.LatencySpike, on: true));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(await TurnAsync(SandboxFault.LatencySpike, on: false));
        Assert.False(await TurnAsync(SandboxFault.LatencySpike, on: false));

        Assert.Equal(["false", "true"], (await FaultEventsAsync()).Select(e => e.Parameters["on"]));
        Assert.Equal(
            [new SandboxFaultInterval(SandboxFault.LatencySpike, SandboxTestPlatform.TuesdayMorning, SandboxTestPlatform.TuesdayMorning.AddMinutes(4))],
            Platform.FaultHistory);
    }

    [Fact]
    public async Task A_trail_outage_leaves_the_knob_unchanged_and_says_so_clearly()
    {
        await _database.ExecuteAsync(_database.Provider == DatabaseProvider.PostgreSql
            ? """
              CREATE FUNCTION audit_outage() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
              CREATE TRIGGER audit_outage BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_outage();
              """
            : "CREATE TRIGGER audit_outage BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;");

        var error = await Assert.ThrowsAsync<AuditUnavailableException>(() => TurnAsync(SandboxFault.CacheMissStorm, on: true));

        Assert.Equal(
            "The audit trail could not record 'sandbox.fault-changed', so the action was not carried out. Try again in a moment; if it persists, the portal database needs attention.",
            error.Message);
        Assert.False(Platform.IsActive(SandboxFault.CacheMissStorm));
        Assert.Empty(await _journal.ReadAsync("sandbox", CancellationToken.None));
        Assert.Empty(await FaultEventsAsync());
    }

    [Fact]
    public async Task A_restarted_portal_finds_its_knobs_and_a_failover_that_was_running_and_does_not_repeat_it()
    {
        await TurnAsync(SandboxFault.ReplicaLag, on: true);
        _time.Advance(TimeSpan.FromSeconds(30));
        await Platform.Rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = "fintech-sandbox-aurora" });
        _time.Advance(TimeSpan.FromSeconds(10));
        var before = Platform.AuroraFailovers.Single();

        // The process dies here; a new one starts on the same database and clock.
        var restarted = new SandboxBackend(_time, new SandboxJournal(_database.OpenAnotherInstance()));
        var catalog = new EnvironmentCatalog(Options.Create(new PlatformOptions { Environments = { ["sandbox"] = new EnvironmentOptions { SandboxSeed = SandboxTestPlatform.Seed } } }));
        await new SandboxJournalReplay(restarted, catalog, new SandboxJournal(_database.Database), NullLogger<SandboxJournalReplay>.Instance).StartAsync(CancellationToken.None);
        var platform = restarted.PlatformFor(catalog.Get("sandbox"));

        Assert.True(platform.IsActive(SandboxFault.ReplicaLag));
        Assert.Equal(before, platform.AuroraFailovers.Single());
        Assert.Equal("failing-over", platform.Topology.Describe().Database.Status);
        await Assert.ThrowsAsync<InvalidDBClusterStateException>(() => platform.Rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = "fintech-sandbox-aurora" }));
        _time.Advance(before.CompletedAt - _time.GetUtcNow());
        var events = await platform.Rds.DescribeEventsAsync(new DescribeEventsRequest { SourceType = SourceType.DbCluster, SourceIdentifier = "fintech-sandbox-aurora" });
        Assert.Equal(["RDS-EVENT-0073", "RDS-EVENT-0071"], events.Events.Select(e => e.EventId));
        Assert.Equal("fintech-sandbox-aurora-2", platform.AuroraWriter);
    }

    [Fact]
    public async Task A_restarted_portal_rebuilds_the_registered_revision_and_the_running_deployment_and_a_second_task_registers_the_next_revision()
    {
        var registered = await FinTech.Portal.Tests.Sandbox.SandboxEcsDeploymentTests.RegisterAsync(Platform, "v1.47.1");
        await Platform.Ecs.UpdateServiceAsync(new FinTech.Portal.Platform.Ecs.UpdateServiceRequest { Cluster = "fintech-sandbox", Service = "fintech-sandbox-api", TaskDefinition = registered.TaskDefinitionArn });
        _time.Advance(TimeSpan.FromSeconds(30));
        var before = Platform.Ecs.Deployments[^1];

        // The process dies mid-rollout; a new one starts on the same database and clock.
        var restarted = new SandboxBackend(_time, new SandboxJournal(_database.OpenAnotherInstance()));
        var catalog = new EnvironmentCatalog(Options.Create(new PlatformOptions { Environments = { ["sandbox"] = new EnvironmentOptions { SandboxSeed = SandboxTestPlatform.Seed } } }));
        await new SandboxJournalReplay(restarted, catalog, new SandboxJournal(_database.Database), NullLogger<SandboxJournalReplay>.Instance).StartAsync(CancellationToken.None);
        var platform = restarted.PlatformFor(catalog.Get("sandbox"));
        var next = await FinTech.Portal.Tests.Sandbox.SandboxEcsDeploymentTests.RegisterAsync(platform, "v1.45.1");
        _time.Advance(before.CompletedAt - _time.GetUtcNow() + TimeSpan.FromSeconds(1));

        Assert.Equal(before, platform.Ecs.Deployments[^1]);
        // The whole revision (containers, secrets, roles) comes back as it was registered.
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(registered),
            System.Text.Json.JsonSerializer.Serialize((await platform.Ecs.DescribeTaskDefinitionAsync(new() { TaskDefinition = "fintech-sandbox-api:43" })).TaskDefinition));
        Assert.Equal(44, next.Revision);
        await Platform.CatchUpAsync(CancellationToken.None);
        Assert.Equal(44, (await Platform.Ecs.DescribeTaskDefinitionAsync(new() { TaskDefinition = "fintech-sandbox-api" })).TaskDefinition.Revision);
        var service = platform.Ecs.DescribeServices(new() { Cluster = "fintech-sandbox", Services = ["fintech-sandbox-api"] }).Services.Single();
        Assert.Equal((registered.TaskDefinitionArn, "COMPLETED"), (service.TaskDefinition, service.Deployments.Single().RolloutState));
        Assert.Equal([SandboxAction.EcsRegisterTaskDefinition, SandboxAction.EcsUpdateService, SandboxAction.EcsRegisterTaskDefinition],
            (await _journal.ReadAsync("sandbox", CancellationToken.None)).Select(e => e.Action));
    }

    [Fact]
    public async Task Two_portal_tasks_on_one_database_see_one_platform_and_never_start_a_second_failover_meanwhile()
    {
        var other = new SandboxBackend(_time, new SandboxJournal(_database.OpenAnotherInstance())).PlatformFor(Environment);
        var request = new FailoverDBClusterRequest { DBClusterIdentifier = "fintech-sandbox-aurora" };

        var started = await Platform.Rds.FailoverDBClusterAsync(request);
        var seenByOther = (await other.Rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters.Single();
        var refusal = await Assert.ThrowsAsync<InvalidDBClusterStateException>(() => other.Rds.FailoverDBClusterAsync(request));
        _time.Advance(TimeSpan.FromMinutes(2));
        var back = await other.Rds.FailoverDBClusterAsync(request);
        _time.Advance(TimeSpan.FromMinutes(2));
        var events = await Platform.Rds.DescribeEventsAsync(new DescribeEventsRequest { Duration = 10 });

        Assert.Equal(("failing-over", "failing-over"), (started.DBCluster.Status, seenByOther.Status));
        Assert.Contains("is failing over to fintech-sandbox-aurora-2", refusal.Message);
        Assert.Equal([false, true], back.DBCluster.DBClusterMembers.Select(m => m.IsClusterWriter));
        Assert.Equal(
            ["Started cross AZ failover to DB instance: fintech-sandbox-aurora-2", "Completed failover to DB instance: fintech-sandbox-aurora-2",
             "Started cross AZ failover to DB instance: fintech-sandbox-aurora-1", "Completed failover to DB instance: fintech-sandbox-aurora-1"],
            events.Events.Select(e => e.Message));
        Assert.Equal(Platform.AuroraFailovers, other.AuroraFailovers);
        Assert.Equal("fintech-sandbox-aurora-1", Platform.AuroraWriter);
    }

    [Fact]
    public async Task A_failover_the_journal_cannot_record_does_not_start()
    {
        await _database.TamperAsync("DROP TABLE sandbox_journal");

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() =>
            Platform.Rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = "fintech-sandbox-aurora" }));

        Assert.StartsWith("The Sandbox could not record the Aurora failover in its journal", error.Message);
        Assert.Empty(Platform.AuroraFailovers);
        Assert.Equal("available", Platform.Topology.Describe().Database.Status);
    }
}

public sealed class SqliteSandboxJournalTests : SandboxJournalTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresSandboxJournalTests(PostgresFixture postgres) : SandboxJournalTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await postgres.CreateDatabaseAsync();
}
