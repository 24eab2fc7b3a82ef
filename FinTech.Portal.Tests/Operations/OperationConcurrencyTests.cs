using FinTech.Portal.Operations;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations;

/// <summary>
/// Races that a double click, two SREs or two portal tasks make, on SQLite
/// (<see cref="SqliteOperationConcurrencyTests"/>) and a real PostgreSQL
/// (<see cref="PostgresOperationConcurrencyTests"/>).
/// </summary>
public abstract class OperationConcurrencyTests : IAsyncLifetime
{
    private ITestDatabase _database = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        using var kit = new OperationsTestKit(_database.Database);
        await kit.MigrateAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Hundred_concurrent_identical_requests_leave_one_active_run_and_clear_refusals_for_the_rest()
    {
        using var kit = new OperationsTestKit(_database.Database);
        var services = Enumerable.Range(0, 100).Select(_ => kit.As(Olivia)).ToList();

        var outcomes = await Task.WhenAll(services.Select(service => Task.Run(async () =>
        {
            try
            {
                return (Run: await service.RequestAsync(OperationsTestKit.Form(), None), Refusal: (string?)null);
            }
            catch (OperationRefusedException e)
            {
                return (Run: (OperationRun?)null, Refusal: e.Message);
            }
        })));

        var run = Assert.Single(outcomes, o => o.Run is not null).Run!;
        Assert.Equal(99, outcomes.Count(o => o.Refusal is not null));
        Assert.All(outcomes.Where(o => o.Refusal is not null), o =>
            Assert.StartsWith($"Another active run holds what this one needs. Run {run.Id} (widget-restart, ", o.Refusal, StringComparison.Ordinal));
        Assert.Single(await kit.Store.ListAsync(null, 200, None));
        Assert.Equal(99, (await kit.EventsAsync("operation.request-refused")).Count);
        Assert.True((await kit.Audit.Verifier.VerifyAsync(null, null, None)).Intact);
    }

    [Fact]
    public async Task Two_portal_tasks_racing_to_claim_the_same_runs_execute_each_run_once()
    {
        var kind = new WidgetRestart(targets: 30, sharedDependency: false);
        var options = new OperationsOptions { Environments = { ["sandbox"] = new OperationsEnvironmentOptions { SkipApproval = true } } };
        using var first = new OperationsTestKit(_database.Database, options, instance: "portal-a", kind: kind);
        using var second = new OperationsTestKit(_database.OpenAnotherInstance(), options, new AuditTestKit(_database.OpenAnotherInstance(), "portal-b", first.Time), "portal-b", kind);
        var runs = new List<OperationRun>();
        for (var n = 1; n <= 30; n++)
        {
            runs.Add(await first.As(Olivia).RequestAsync(OperationsTestKit.Form(environment: "sandbox", target: $"widget-{n}"), None));
        }

        var processed = await Task.WhenAll(
            Task.Run(() => first.Worker.RunUntilIdleAsync(None)),
            Task.Run(() => second.Worker.RunUntilIdleAsync(None)));

        Assert.Equal(30, processed.Sum());
        Assert.All(runs, run => Assert.Equal(1, kind.Actions[run.Id]));
        Assert.All(await first.Store.ListAsync(null, 100, None), run => Assert.Equal(OperationState.Succeeded, run.State));
        Assert.Equal(30, (await first.EventsAsync("operation.action-started")).Count);
        Assert.True((await first.Audit.Verifier.VerifyAsync(null, null, None)).Intact);
    }

    [Fact]
    public async Task A_worker_that_stopped_mid_run_is_taken_over_after_its_lease_lapses_without_repeating_the_action()
    {
        var kind = new WidgetRestart(targets: 1, sharedDependency: false);
        var options = new OperationsOptions { Environments = { ["sandbox"] = new OperationsEnvironmentOptions { SkipApproval = true } } };
        using var first = new OperationsTestKit(_database.Database, options, instance: "portal-a", kind: kind);
        using var second = new OperationsTestKit(_database.OpenAnotherInstance(), options, new AuditTestKit(_database.OpenAnotherInstance(), "portal-b", first.Time), "portal-b", kind);
        var run = await first.As(Olivia).RequestAsync(OperationsTestKit.Form(environment: "sandbox"), None);
        using var crash = new CancellationTokenSource();
        kind.DuringAction = execution =>
        {
            if (execution.Run.LeaseOwner == first.Worker.Owner)
            {
                // The first task dies right after the action: nothing after it is committed.
                crash.Cancel();
                crash.Token.ThrowIfCancellationRequested();
            }
            return Task.CompletedTask;
        };

        await first.Worker.RunUntilIdleAsync(crash.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.Equal(OperationState.Running, (await first.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(0, await second.Worker.RunUntilIdleAsync(None));
        first.Time.Advance(options.LeaseDuration + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await second.Worker.RunUntilIdleAsync(None));

        Assert.Equal(OperationState.Succeeded, (await first.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(1, kind.Actions[run.Id]);
    }

    [Fact]
    public async Task A_worker_whose_lease_lapsed_during_a_long_step_reclaims_its_run_without_a_second_processor()
    {
        var kind = new WidgetRestart(targets: 1, sharedDependency: false);
        var options = new OperationsOptions { Environments = { ["sandbox"] = new OperationsEnvironmentOptions { SkipApproval = true } } };
        using var kit = new OperationsTestKit(_database.Database, options, instance: "portal-a", kind: kind);
        var run = await kit.As(Olivia).RequestAsync(OperationsTestKit.Form(environment: "sandbox"), None);
        var entered = 0;
        var reclaimed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        kit.Worker.LeaseReclaimed += id => reclaimed.TrySetResult(id);
        kind.DuringAction = async execution =>
        {
            if (Interlocked.Increment(ref entered) > 1)
            {
                return;
            }
            // The action outlives the lease; the worker's own claim loop finds the run lapsed and claims it.
            var claimed = (await kit.Store.GetAsync(run.Id, None))!.Version;
            kit.Time.Advance(options.LeaseDuration + TimeSpan.FromSeconds(1));
            kit.Signal.Wake();
            Assert.Equal(run.Id, await reclaimed.Task.WaitAsync(HangGuard));
            Assert.True((await kit.Store.GetAsync(run.Id, None))!.Version > claimed);
        };

        using var ended = kit.WatchRun(run.Id, r => r.IsTerminal);
        await kit.Worker.StartAsync(None);
        try
        {
            kit.Signal.Wake();
            await ended.Task.WaitAsync(HangGuard);
        }
        finally
        {
            await kit.Worker.StopAsync(None);
        }

        Assert.Equal(OperationState.Succeeded, (await kit.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(1, entered);
        Assert.Equal(1, kind.Actions[run.Id]);
        Assert.Single(await kit.Store.TimelineAsync(run.Id, None), t => t.Text == "Preflight passed; running.");
    }

    /// <summary>A guard against a hang, not a pause: each wait above ends on a signal of the worker or the run feed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);
}

public sealed class SqliteOperationConcurrencyTests : OperationConcurrencyTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOperationConcurrencyTests(PostgresFixture fixture) : OperationConcurrencyTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await fixture.CreateDatabaseAsync();
}
