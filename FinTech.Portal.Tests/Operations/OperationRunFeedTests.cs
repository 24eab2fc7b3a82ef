using FinTech.Portal.Operations;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations;

/// <summary>The live feed of run pages: what is pushed, and when, from one shared check (fake clock, SQLite and PostgreSQL).</summary>
public abstract class OperationRunFeedTests : IAsyncLifetime
{
    private ITestDatabase _database = null!;
    private OperationsTestKit _kit = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<ITestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        _kit = new OperationsTestKit(_database.Database);
        await _kit.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_running_run_pushes_each_service_event_and_its_chart_between_state_changes()
    {
        var pushed = new System.Collections.Concurrent.ConcurrentQueue<RunFeedChange>();
        var run = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(), None);
        using var watch = _kit.Feed.Watch(run.Id, pushed.Enqueue);
        await _kit.Feed.CheckOnceAsync(None);
        Assert.Empty(pushed);
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        Assert.Equal([RunFeedChange.Run], pushed);

        var seen = new List<(string Step, RunFeedChange[] Pushed)>();
        async Task CheckAsync(string step)
        {
            pushed.Clear();
            await _kit.Feed.CheckOnceAsync(None);
            seen.Add((step, pushed.ToArray()));
        }
        _kit.Kind.DuringAction = async execution =>
        {
            await _kit.Feed.CheckOnceAsync(None); // takes in the moves that led here
            await CheckAsync("nothing moved");
            _kit.Time.Advance(OperationRunFeed.ChartInterval);
            await CheckAsync("chart due");
            await CheckAsync("chart just pushed");
            await execution.RecordEventAsync("e-1", execution.Time.GetUtcNow(), "Widget reported: draining", None);
            await CheckAsync("service event");
            await execution.RecordEventAsync("e-1", execution.Time.GetUtcNow(), "Widget reported: draining", None);
            await CheckAsync("same event read again");
        };

        await _kit.Worker.RunUntilIdleAsync(None);

        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(["nothing moved: ", "chart due: Chart", "chart just pushed: ", "service event: Run", "same event read again: "],
            seen.Select(s => $"{s.Step}: {string.Join(",", s.Pushed)}"));
        Assert.Contains(await _kit.Store.TimelineAsync(run.Id, None), t => t.Text == "Widget reported: draining");
    }

    [Fact]
    public async Task A_run_awaiting_approval_pushes_nothing_while_nothing_changes()
    {
        var pushed = new System.Collections.Concurrent.ConcurrentQueue<RunFeedChange>();
        var run = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(), None);
        using var watch = _kit.Feed.Watch(run.Id, pushed.Enqueue);
        await _kit.Feed.CheckOnceAsync(None);

        _kit.Time.Advance(TimeSpan.FromMinutes(5));
        await _kit.Feed.CheckOnceAsync(None);

        Assert.Empty(pushed);
        Assert.Equal(1, _kit.Feed.WatchedRuns);
    }
}

public sealed class SqliteOperationRunFeedTests : OperationRunFeedTests
{
    protected override Task<ITestDatabase> CreateDatabaseAsync() => Task.FromResult<ITestDatabase>(new SqliteTestDatabase());
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOperationRunFeedTests(PostgresFixture fixture) : OperationRunFeedTests
{
    protected override async Task<ITestDatabase> CreateDatabaseAsync() => await fixture.CreateDatabaseAsync();
}
