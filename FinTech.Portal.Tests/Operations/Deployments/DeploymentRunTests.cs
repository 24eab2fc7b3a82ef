using System.Globalization;
using System.Text.Json;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Deployments;
using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Deployments;

/// <summary>Deployments and rollbacks through the whole engine against the Sandbox's ECS and ECR, on a fake clock.</summary>
public sealed class DeploymentRunTests : IAsyncLifetime
{
    private const string Service = "fintech-sandbox-api";
    private const string Revision42 = "arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:42";
    private const string Revision43 = "arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:43";
    private const string Revision44 = "arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:44";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SqliteTestDatabase _database = new();
    private OperationsTestKit _kit = null!;

    private SandboxPlatform Sandbox => _kit.SandboxPlatforms["prod"];

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database, sandbox: true,
            deployments: new DeploymentOptions { BakeTime = TimeSpan.FromMinutes(2), MaxHighFindings = 1 });
        await _kit.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_good_image_rolls_out_bakes_and_becomes_the_verified_revision_with_its_evidence()
    {
        var run = await RequestAsync("v1.47.1");
        Assert.All(run.Preflight, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Succeeded, done.State);
        var service = Describe();
        Assert.Equal((Revision43, 6), (service.TaskDefinition, service.RunningCount));
        var figures = await FiguresAsync(run.Id);
        Assert.Equal((Revision42, Revision43, "true"), (figures["taskDefinitionBefore"], figures["taskDefinitionAfter"], figures["verified"]));
        Assert.EndsWith("@" + Digest("v1.47.1"), figures["imageAfter"], StringComparison.Ordinal);
        Assert.EndsWith("@" + Digest("v1.46.0"), figures["imageBefore"], StringComparison.Ordinal);
        Assert.Contains("beforeApiP99Ms", figures.Keys);
        Assert.Contains("afterApiP99Ms", figures.Keys);
        var timeline = await _kit.Store.TimelineAsync(run.Id, None);
        Assert.Contains(timeline, t => t.Category == OperationTimelineCategories.Call && t.Text.StartsWith("RegisterTaskDefinition(family=fintech-sandbox-api", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.Category == OperationTimelineCategories.Call && t.Text.StartsWith("UpdateService(cluster=fintech-sandbox, service=fintech-sandbox-api, taskDefinition=fintech-sandbox-api:43", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.Text == $"(service {Service}) has reached a steady state.");
        Assert.Equal(Revision43, await new DeploymentHistory(_kit.Store).LastVerifiedAsync("prod", Service, None));
        Assert.True((await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None)).Intact);
    }

    [Fact]
    public async Task The_crashing_build_trips_the_circuit_breaker_and_the_run_fails_back_on_the_verified_revision()
    {
        var run = await RequestAsync("v1.46.1");
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        Assert.Contains("deployment failed: tasks failed to start.", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("Rolled back to the last verified revision fintech-sandbox-api:42", done.OutcomeReason, StringComparison.Ordinal);
        var service = Describe();
        Assert.Equal((Revision42, RolloutState.Completed, 6), (service.TaskDefinition, service.Deployments[0].RolloutState, service.RunningCount));
        var figures = await FiguresAsync(run.Id);
        Assert.Equal(("false", Revision42), (figures["verified"], figures["rolledBackTo"]));
        Assert.Null(await new DeploymentHistory(_kit.Store).LastVerifiedAsync("prod", Service, None));
    }

    [Fact]
    public async Task A_stop_condition_alarm_during_the_bake_rolls_back_within_two_minutes_and_ends_the_run_aborted()
    {
        var run = await RequestAsync("v1.47.1");
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        _kit.DeploymentOptions.BakeTime = TimeSpan.FromMinutes(10);

        await RunWorkerAsync(TimeSpan.FromMinutes(20), checkpoint => checkpoint.ContainsKey(EcsServiceRollout.BakeStartedAt),
            () => Sandbox.SetFault(SandboxFault.ErrorBurst, on: true));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Aborted, done.State);
        Assert.StartsWith("Stop condition fintech-sandbox-5xx-rate went to ALARM", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("Rolled back to the last verified revision fintech-sandbox-api:42", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(Revision42, Describe().TaskDefinition);
        var figures = await FiguresAsync(run.Id);
        Assert.InRange(double.Parse(figures["rollbackSeconds"], CultureInfo.InvariantCulture), 1, 120);
    }

    [Fact]
    public async Task A_failed_deployment_goes_back_to_the_last_verified_revision_not_to_the_previous_one()
    {
        // Run 1 verifies revision 43 (v1.47.1).
        var first = await RequestAsync("v1.47.1");
        await _kit.As(Avery).ApproveAsync(first.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(first.Id, None))!.State);
        // Someone deploys v1.45.1 outside the portal (revision 44): it completes, but no run verified it.
        var unverified = await FinTech.Portal.Tests.Sandbox.SandboxEcsDeploymentTests.RegisterAsync(Sandbox, "v1.45.1");
        await Sandbox.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "fintech-sandbox", Service = Service, TaskDefinition = unverified.TaskDefinitionArn });
        _kit.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal((Revision44, RolloutState.Completed), (Describe().TaskDefinition, Describe().Deployments[0].RolloutState));

        // Run 3 deploys the crashing build: ECS's circuit breaker goes back to 44, the run to 43.
        var third = await RequestAsync("v1.46.1");
        await _kit.As(Avery).ApproveAsync(third.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(15));

        var done = (await _kit.Store.GetAsync(third.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        Assert.Contains("Rolled back to the last verified revision fintech-sandbox-api:43", done.OutcomeReason, StringComparison.Ordinal);
        var service = Describe();
        Assert.Equal((Revision43, RolloutState.Completed), (service.TaskDefinition, service.Deployments[0].RolloutState));
        Assert.Equal(Revision44, (await FiguresAsync(third.Id))["taskDefinitionBefore"]);
    }

    [Fact]
    public async Task A_one_click_rollback_is_its_own_approved_run_to_a_verified_revision_only()
    {
        var first = await RequestAsync("v1.45.1");
        await _kit.As(Avery).ApproveAsync(first.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));
        var second = await RequestAsync("v1.47.1");
        await _kit.As(Avery).ApproveAsync(second.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(Revision44, Describe().TaskDefinition);

        var unverified = await _kit.As(Olivia).DryRunAsync(RollbackForm(Revision42), None);
        var rollback = await _kit.As(Olivia).RequestAsync(RollbackForm(Revision43), None);
        Assert.Equal(OperationState.AwaitingApproval, rollback.State);
        await _kit.As(Avery).ApproveAsync(rollback.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));

        Assert.Contains(unverified.Preflight, c => c is { Name: "Verified revision", Passed: false });
        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(rollback.Id, None))!.State);
        Assert.Equal(Revision43, Describe().TaskDefinition);
        var history = await new DeploymentHistory(_kit.Store).ListAsync("prod", Service, None);
        Assert.Equal([EcsRollback.KindKey, EcsDeployment.KindKey, EcsDeployment.KindKey], history.Select(h => h.Kind));
        Assert.Equal(Revision43, await new DeploymentHistory(_kit.Store).LastVerifiedAsync("prod", Service, None));
    }

    [Fact]
    public async Task A_forced_restart_replaces_the_tasks_on_the_same_revision_and_verifies_it()
    {
        var run = await _kit.As(Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = EcsDeployment.KindKey, Environment = "prod", Target = Service, Reason = "Restart after the Redis AUTH token rotation", ChangeTicket = "CHG0050003",
            Options = new Dictionary<string, string> { [EcsDeployment.ForceNewDeploymentOption] = "true" },
        }, None);
        Assert.All(run.Preflight, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(run.Id, None))!.State);
        var service = Describe();
        var primary = Assert.Single(service.Deployments);
        Assert.Equal((Revision42, RolloutState.Completed), (primary.TaskDefinition, primary.RolloutState));
        Assert.True(primary.CreatedAt > OperationsTestKit.Start, "The tasks were replaced by a deployment created by the run.");
        Assert.Equal(Revision42, await new DeploymentHistory(_kit.Store).LastVerifiedAsync("prod", Service, None));
        Assert.DoesNotContain(await _kit.Store.TimelineAsync(run.Id, None), t => t.Text.StartsWith("RegisterTaskDefinition", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_that_stops_mid_rollout_is_resumed_from_what_ECS_reports_without_a_second_update()
    {
        var run = await RequestAsync("v1.47.1");
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        await using var first = new WorkerOnClock(_kit.Worker, _kit.Time);
        Assert.True(await first.RunUntilAsync(async () => (await _kit.Store.GetAsync(run.Id, None))!.CheckpointJson?.Contains(EcsServiceRollout.DeploymentId, StringComparison.Ordinal) == true,
            TimeSpan.FromMinutes(5)), "The rollout never started.");
        // The task dies mid-rollout: its work stops, its lease stays until it lapses.
        await first.CrashAsync();
        using var restarted = new OperationsTestKit(_database.Database, audit: _kit.Audit, instance: "portal-test-restarted", samePlatformAs: _kit);
        _kit.Time.Advance(_kit.Options.LeaseDuration);

        await restarted.RunWorkerAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(2, Sandbox.Ecs.Deployments.Count);
        Assert.Equal(Revision43, Describe().TaskDefinition);
        Assert.Equal(2, (await _kit.EventsAsync("operation.action-started")).Count);
    }

    [Fact]
    public async Task A_deployment_aborted_while_no_worker_holds_it_is_rolled_back_to_the_verified_revision_when_a_worker_resumes_it()
    {
        var run = await RequestAsync("v1.47.1");
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        await using var first = new WorkerOnClock(_kit.Worker, _kit.Time);
        Assert.True(await first.RunUntilAsync(async () => (await _kit.Store.GetAsync(run.Id, None))!.CheckpointJson?.Contains(EcsServiceRollout.DeploymentId, StringComparison.Ordinal) == true,
            TimeSpan.FromMinutes(5)), "The rollout never started.");
        // The task dies mid-rollout, and Olivia aborts before any worker has resumed the run.
        await first.CrashAsync();
        await _kit.As(Olivia).AbortAsync(run.Id, "Wrong build for today's window", None);
        using var restarted = new OperationsTestKit(_database.Database, audit: _kit.Audit, instance: "portal-test-restarted", samePlatformAs: _kit);
        _kit.Time.Advance(_kit.Options.LeaseDuration);

        await restarted.RunWorkerAsync(TimeSpan.FromMinutes(10));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Aborted, done.State);
        Assert.StartsWith("Aborted on request: Wrong build for today's window", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("Rolled back to the last verified revision fintech-sandbox-api:42", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(Revision42, Describe().TaskDefinition);
        Assert.Equal(RolloutState.Completed, Describe().Deployments.Single(d => d.Status == "PRIMARY").RolloutState);
    }

    [Fact]
    public async Task An_image_with_a_critical_finding_fails_preflight_and_is_never_deployed()
    {
        var run = await RequestAsync("v1.47.0");
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(2));

        Assert.Contains(run.Preflight, c => c is { Name: "Scan findings", Passed: false } && c.Detail.StartsWith("Findings: 1 CRITICAL, 4 HIGH", StringComparison.Ordinal));
        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        Assert.StartsWith("Preflight failed: Scan findings", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(Revision42, Describe().TaskDefinition);
    }

    [Fact]
    public async Task A_deployment_is_refused_while_a_failover_test_runs_and_a_failover_while_a_deployment_runs()
    {
        var failover = await _kit.As(Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = AuroraFailoverTest.KindKey, Environment = "prod", Target = "fintech-sandbox-aurora",
            Reason = "Quarterly failover test for the DR plan", ChangeTicket = "CHG0040001",
        }, None);

        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => RequestAsync("v1.47.1"));
        await _kit.As(Avery).RejectAsync(failover.Id, "Deploy first", None);
        await RequestAsync("v1.47.1");
        var alsoRefused = await Assert.ThrowsAsync<OperationRefusedException>(() => _kit.As(Omar).RequestAsync(new OperationRequestForm
        {
            Kind = RedisFailoverTest.KindKey, Environment = "prod", Target = "fintech-sandbox-redis",
            Reason = "Quarterly failover test for the DR plan", ChangeTicket = "CHG0040002",
        }, None));

        Assert.StartsWith($"Another active run holds what this one needs. Run {failover.Id} (aurora-failover-test, AwaitingApproval) holds prod/ecs-service/fintech-sandbox/fintech-sandbox-api, prod/secret/fintech-sandbox-aurora-credentials.", refused.Message, StringComparison.Ordinal);
        Assert.Contains("(ecs-deployment, AwaitingApproval) holds prod/ecs-service/fintech-sandbox/fintech-sandbox-api", alsoRefused.Message, StringComparison.Ordinal);
    }

    private Task<OperationRun> RequestAsync(string tag) => _kit.As(Olivia).RequestAsync(new OperationRequestForm
    {
        Kind = EcsDeployment.KindKey,
        Environment = "prod",
        Target = Service,
        Reason = $"Release {tag} of the payments API",
        ChangeTicket = "CHG0050001",
        Options = new Dictionary<string, string> { [EcsDeployment.ImageTagOption] = tag, [EcsDeployment.ImageDigestOption] = Digest(tag) },
    }, None);

    private static OperationRequestForm RollbackForm(string taskDefinition) => new()
    {
        Kind = EcsRollback.KindKey,
        Environment = "prod",
        Target = Service,
        Reason = "Roll back the payments API after a bad release",
        ChangeTicket = "CHG0050002",
        Options = new Dictionary<string, string> { [EcsRollback.TaskDefinitionOption] = taskDefinition },
    };

    private string Digest(string tag) => Sandbox.Ecr.Images.Single(i => i.RepositoryName == SandboxEcr.ApiRepository && i.Tags.Contains(tag)).Digest;

    private Service Describe() =>
        Sandbox.Ecs.DescribeServices(new DescribeServicesRequest { Cluster = "fintech-sandbox", Services = [Service] }).Services.Single();

    /// <summary>Like <see cref="OperationsTestKit.RunWorkerAsync"/>, doing <paramref name="then"/> once the run's checkpoint satisfies <paramref name="when"/>.</summary>
    private async Task RunWorkerAsync(TimeSpan limit, Func<IReadOnlyDictionary<string, string>, bool> when, Action then)
    {
        await using var worker = new WorkerOnClock(_kit.Worker, _kit.Time);
        var met = await worker.RunUntilAsync(async () =>
        {
            var runs = await _kit.Store.ListAsync("prod", 10, None);
            return when(runs[0].CheckpointJson is { } json ? JsonSerializer.Deserialize<Dictionary<string, string>>(json)! : []);
        }, limit);
        Assert.True(met, "The condition was never met.");
        then();
        await worker.RunToEndAsync(limit);
    }

    private async Task<Dictionary<string, string>> FiguresAsync(string runId)
    {
        var evidence = (await _kit.Store.EvidenceAsync(runId, None))!;
        using var document = JsonDocument.Parse(evidence.Content);
        return document.RootElement.GetProperty("measurements").GetProperty("figures").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
