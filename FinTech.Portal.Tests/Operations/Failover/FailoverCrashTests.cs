using System.Globalization;
using Dapper;
using FinTech.Portal.Audit;
using FinTech.Portal.Hosting;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Time.Testing;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Failover;

/// <summary>
/// The real portal, as a process, killed with SIGKILL while it runs a Sandbox Aurora failover test
/// and started again on the same SQLite file. Its clock runs 8 times faster (Development's
/// <c>Clock:Scale</c>), so the whole story takes seconds of real time.
/// </summary>
public sealed class FailoverCrashTests : IAsyncLifetime
{
    // Fast enough for seconds of real time, slow enough that the kill lands inside the failover
    // (20–60 simulated seconds: 2.5–7.5 real ones) on a loaded machine.
    private const int Scale = 8;
    private static readonly TimeSpan RealTimeout = TimeSpan.FromSeconds(90);

    private readonly SqliteTestDatabase _database = new();
    private readonly PortalTestFiles _files = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _files.Dispose();
    }

    [Fact]
    public async Task A_portal_killed_mid_failover_finishes_it_after_a_restart_with_one_failover_call_and_an_intact_chain()
    {
        var origin = DateTimeOffset.UtcNow;
        var clock = new ScaledTimeProvider(TimeProvider.System, origin, Scale);
        var settings = _files.Settings(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = _database.ConnectionString,
            ["Clock:Scale"] = Scale.ToString(CultureInfo.InvariantCulture),
            ["Clock:Origin"] = origin.ToString("O", CultureInfo.InvariantCulture),
            ["Platform:DefaultEnvironment"] = "prod",
            ["Platform:Environments:prod:DisplayName"] = "Production (simulated)",
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Platform:Environments:prod:IsProduction"] = "true",
            ["Operations:Failover:VerificationWindow"] = "00:00:10",
        });
        // Olivia requests and Avery approves through the services, on the portal's (faster) clock.
        var time = new FakeTimeProvider(clock.GetUtcNow());
        using var kit = new OperationsTestKit(_database.Database, audit: new AuditTestKit(_database.Database, "crash-test", time), sandbox: true);
        await kit.MigrateAsync();
        var run = await kit.As(Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = AuroraFailoverTest.KindKey,
            Environment = "prod",
            Target = "fintech-sandbox-aurora",
            Reason = "DR rehearsal: the writer fails over while a portal task dies",
            ChangeTicket = "CHG0040009",
        }, CancellationToken.None);
        Assert.All(run.Preflight, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        time.SetUtcNow(clock.GetUtcNow());
        await kit.As(Avery).ApproveAsync(run.Id, CancellationToken.None);

        await using (var first = PortalProcess.Start(With(settings, "portal-first")))
        {
            // Killed once RDS reports the failover it started: the call is made, the failover is under way.
            await first.WaitUntilAsync("RDS reported the failover", async () =>
                (await kit.Store.TimelineAsync(run.Id, CancellationToken.None)).Any(t => t.Text.StartsWith(RdsEventIds.FailoverStarted, StringComparison.Ordinal)), RealTimeout);
            await first.KillAsync();
        }
        var killed = (await kit.Store.GetAsync(run.Id, CancellationToken.None))!;
        Assert.Equal(OperationState.Running, killed.State);
        Assert.StartsWith("portal-first/", killed.LeaseOwner, StringComparison.Ordinal);

        await using (var second = PortalProcess.Start(With(settings, "portal-second")))
        {
            await second.WaitUntilAsync("the run ended", async () =>
                (await kit.Store.GetAsync(run.Id, CancellationToken.None))!.IsTerminal, RealTimeout);
            await second.StopAsync();
        }

        var done = (await kit.Store.GetAsync(run.Id, CancellationToken.None))!;
        Assert.True(done.State == OperationState.Succeeded, $"{done.State}: {done.OutcomeReason}");
        Assert.StartsWith("Meets the RTO of 90 s", done.OutcomeReason, StringComparison.Ordinal);
        await using (var connection = await _database.Database.OpenConnectionAsync(CancellationToken.None))
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM sandbox_journal WHERE environment = 'prod' AND action = 'AuroraFailover'"));
        }
        var timeline = await kit.Store.TimelineAsync(run.Id, CancellationToken.None);
        // One call, made by the first process; RDS's events read by both, recorded once.
        Assert.Equal(
        [
            "call FailoverDBCluster(DBClusterIdentifier=fintech-sandbox-aurora)",
            "event RDS-EVENT-0073 Started cross AZ failover to DB instance: fintech-sandbox-aurora-2",
            "event RDS-EVENT-0071 Completed failover to DB instance: fintech-sandbox-aurora-2",
        ], timeline.Where(t => t.Category is OperationTimelineCategories.Call or OperationTimelineCategories.Event).Select(t => $"{t.Category} {t.Text}"));
        var events = await kit.EventsAsync("operation.");
        var started = Assert.Single(events, e => e.EventType == "operation.action-started");
        Assert.Equal("portal-first", started.Instance);
        Assert.Equal("portal-second", Assert.Single(events, e => e.EventType == "operation.succeeded").Instance);
        // The whole chain, against the anchors both portal processes published.
        var verification = await new AuditVerifier(kit.Audit.Store, new FileAuditAnchorSink(settings["Audit:AnchorFile"]!)).VerifyAsync(null, null, CancellationToken.None);
        Assert.True(verification.Intact, verification.Message);
        Assert.True((await kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, CancellationToken.None)).Intact);
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, string instance) =>
        new(settings) { ["Hosting:InstanceId"] = instance };
}
