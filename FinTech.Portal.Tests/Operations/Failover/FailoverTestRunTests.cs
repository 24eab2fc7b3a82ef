using System.Globalization;
using System.Text.Json;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;
using ElastiCacheApi = FinTech.Portal.Platform.ElastiCache;

namespace FinTech.Portal.Tests.Operations.Failover;

/// <summary>Failover tests through the whole engine against the Sandbox's simulated Aurora and Redis, on a fake clock.</summary>
public sealed class FailoverTestRunTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private OperationsTestKit _kit = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database, sandbox: true);
        await _kit.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task An_approved_aurora_failover_test_promotes_the_reader_once_and_seals_its_measured_impact()
    {
        var rds = _kit.SandboxPlatforms["prod"].Rds;
        var writerBefore = await WriterAsync(rds);
        var run = await _kit.As(Olivia).RequestAsync(Form(AuroraFailoverTest.KindKey, "fintech-sandbox-aurora"), None);
        Assert.All(run.Preflight, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(5));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Succeeded, done.State);
        var events = await rds.DescribeEventsAsync(new DescribeEventsRequest { SourceIdentifier = "fintech-sandbox-aurora", SourceType = SourceType.DbCluster, StartTime = OperationsTestKit.Start });
        Assert.Single(events.Events, e => e.EventId == RdsEventIds.FailoverStarted);
        Assert.Single(events.Events, e => e.EventId == RdsEventIds.FailoverCompleted);
        Assert.NotEqual(writerBefore, await WriterAsync(rds));
        var figures = await FiguresAsync(run.Id);
        var seconds = double.Parse(figures["timeToNewWriterSeconds"], CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 20, 61);
        Assert.True(int.Parse(figures["writeUnavailableSeconds"], CultureInfo.InvariantCulture) > 0);
        Assert.Equal(await WriterAsync(rds), figures["newWriter"]);
        Assert.StartsWith("Meets the RTO of 90 s", done.OutcomeReason, StringComparison.Ordinal);
        var timeline = await _kit.Store.TimelineAsync(run.Id, None);
        Assert.Contains(timeline, t => t.Text.StartsWith("RDS-EVENT-0073 Started cross AZ failover", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.Text.StartsWith("RDS-EVENT-0071 Completed failover", StringComparison.Ordinal));
        Assert.True((await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None)).Intact);
    }

    [Fact]
    public async Task An_approved_redis_failover_test_gets_a_new_primary_and_counts_against_the_daily_quota()
    {
        var cache = _kit.SandboxPlatforms["prod"].ElastiCache;
        var run = await _kit.As(Olivia).RequestAsync(Form(RedisFailoverTest.KindKey, "fintech-sandbox-redis"), None);
        Assert.Contains(run.Preflight, c => c is { Name: "TestFailover quota", Passed: true, Detail: "0 of 15 test failovers used in the last 24 hours; 15 left." });
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(5));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Succeeded, done.State);
        var figures = await FiguresAsync(run.Id);
        Assert.NotEqual(figures["originalPrimary"], figures["newPrimary"]);
        Assert.True(double.Parse(figures["timeToNewPrimarySeconds"], CultureInfo.InvariantCulture) > 0);
        var timeline = await _kit.Store.TimelineAsync(run.Id, None);
        Assert.Contains(timeline, t => t.Text.Contains("Test Failover API called for node group", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.Text.Contains("Finished recovery for cache nodes", StringComparison.Ordinal));
        var dry = await _kit.As(Olivia).DryRunAsync(Form(RedisFailoverTest.KindKey, "fintech-sandbox-redis"), None);
        Assert.Contains(dry.Preflight, c => c is { Name: "TestFailover quota", Detail: "1 of 15 test failovers used in the last 24 hours; 14 left." });
        Assert.Equal(figures["originalPrimary"], dry.Plan.Predictions["newPrimary"]);
    }

    [Fact]
    public async Task A_worker_that_stops_mid_failover_is_resumed_from_what_rds_reports_without_a_second_call()
    {
        var rds = _kit.SandboxPlatforms["prod"].Rds;
        var run = await _kit.As(Olivia).RequestAsync(Form(AuroraFailoverTest.KindKey, "fintech-sandbox-aurora"), None);
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        using var crash = new CancellationTokenSource();
        var first = Task.Run(() => _kit.Worker.RunUntilIdleAsync(crash.Token));
        using (var pump = new ClockPump(_kit.Worker, _kit.Time))
        {
            // The worker records RDS's events before it waits for its next poll.
            while (!(await _kit.Store.TimelineAsync(run.Id, None)).Any(t => t.Category == OperationTimelineCategories.Event))
            {
                Assert.True(await pump.StepAsync(first, OperationsTestKit.Start.AddMinutes(5)), "The worker ended before RDS reported the failover.");
            }
        }
        // The task dies mid-failover: its work stops, its lease stays until it lapses.
        await crash.CancelAsync();
        await first.ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(OperationState.Running, (await _kit.Store.GetAsync(run.Id, None))!.State);
        using var restarted = new OperationsTestKit(_database.Database, audit: _kit.Audit, instance: "portal-test-restarted", samePlatformAs: _kit);
        Assert.Equal(0, await restarted.Worker.RunUntilIdleAsync(None));
        _kit.Time.Advance(_kit.Options.LeaseDuration);

        await restarted.RunWorkerAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(run.Id, None))!.State);
        var events = await rds.DescribeEventsAsync(new DescribeEventsRequest { SourceIdentifier = "fintech-sandbox-aurora", SourceType = SourceType.DbCluster, StartTime = OperationsTestKit.Start });
        Assert.Single(events.Events, e => e.EventId == RdsEventIds.FailoverStarted);
        Assert.Single(await _kit.EventsAsync("operation.action-started"));
        Assert.True((await _kit.Audit.Verifier.VerifyAsync(null, null, None)).Intact);
    }

    [Fact]
    public async Task A_redis_failover_test_is_refused_by_a_running_aurora_failover_test_on_the_shared_api_service()
    {
        var aurora = await _kit.As(Olivia).RequestAsync(Form(AuroraFailoverTest.KindKey, "fintech-sandbox-aurora"), None);

        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => _kit.As(Omar).RequestAsync(Form(RedisFailoverTest.KindKey, "fintech-sandbox-redis"), None));

        Assert.Equal($"Another active run holds what this one needs. Run {aurora.Id} (aurora-failover-test, AwaitingApproval) holds prod/ecs-service/fintech-sandbox/fintech-sandbox-api.", refused.Message);
    }

    private static OperationRequestForm Form(string kind, string target) => new()
    {
        Kind = kind,
        Environment = "prod",
        Target = target,
        Reason = "Quarterly failover test for the DR plan",
        ChangeTicket = "CHG0040001",
    };

    private static async Task<string?> WriterAsync(IRds rds) =>
        (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "fintech-sandbox-aurora" })).DBClusters[0].DBClusterMembers.Single(m => m.IsClusterWriter).DBInstanceIdentifier;

    private async Task<Dictionary<string, string>> FiguresAsync(string runId)
    {
        var evidence = (await _kit.Store.EvidenceAsync(runId, None))!;
        using var document = JsonDocument.Parse(evidence.Content);
        return document.RootElement.GetProperty("measurements").GetProperty("figures").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
