using FinTech.Portal.Dashboards;

namespace FinTech.Portal.Tests.Dashboards;

public class DashboardRefreshHubTests
{
    [Fact]
    public async Task Many_viewers_of_one_dashboard_cost_one_upstream_query_per_interval()
    {
        await using var fixture = new HubFixture();
        var received = new int[50];
        var subscriptions = Enumerable.Range(0, received.Length)
            .Select(i => fixture.Hub.Subscribe(HubFixture.Overview(), _ => Interlocked.Increment(ref received[i])))
            .ToList();

        await fixture.WaitUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 1));
        Assert.Equal(1, fixture.Platform.MetricCalls);

        await fixture.AdvanceUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 2));
        await fixture.AdvanceUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 3));

        Assert.Equal(3, fixture.Platform.MetricCalls);
        Assert.Equal(3, fixture.Platform.AlarmCalls);
        Assert.All(received, r => Assert.Equal(3, r));
        subscriptions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_viewer_who_leaves_during_the_first_query_leaves_nothing_querying()
    {
        await using var fixture = new HubFixture();
        fixture.Platform.Gate = new TaskCompletionSource();
        var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        subscription.Dispose();
        // The query in flight is cancelled and the loop returns: nobody watches, nothing runs.
        await fixture.WaitUntilAsync(() => fixture.Hub.ActiveFeeds == 0);
        fixture.Platform.Gate = null;
        fixture.Time.Advance(HubFixture.Interval * 10);

        Assert.Equal(1, fixture.Platform.MetricCalls);
        Assert.Equal(0, fixture.Hub.ActiveFeeds);
    }

    [Fact]
    public async Task Queries_stop_when_the_last_viewer_leaves()
    {
        await using var fixture = new HubFixture();
        var first = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        var second = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        first.Dispose();
        await fixture.AdvanceUntilAsync(() => fixture.Platform.MetricCalls == 2);
        Assert.Equal(1, fixture.Hub.ActiveFeeds);
        second.Dispose();
        await fixture.WaitUntilAsync(() => fixture.Hub.ActiveFeeds == 0);
        // With the loop gone, simulated time has nothing left to wake.
        fixture.Time.Advance(HubFixture.Interval * 5);

        Assert.Equal(2, fixture.Platform.MetricCalls);
    }

    [Fact]
    public async Task A_viewer_leaving_after_the_hub_was_disposed_is_harmless()
    {
        var fixture = new HubFixture();
        var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        await fixture.DisposeAsync();
        subscription.Dispose();

        Assert.Equal(0, fixture.Hub.ActiveFeeds);
    }

    [Fact]
    public async Task Viewers_leaving_while_the_hub_is_disposed_neither_throw_nor_leave_a_loop_running()
    {
        for (var round = 0; round < 20; round++)
        {
            var fixture = new HubFixture();
            var subscriptions = Enumerable.Range(0, 8).Select(_ => fixture.Hub.Subscribe(HubFixture.Overview(), _ => { })).ToList();
            await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);
            using var start = new Barrier(subscriptions.Count + 1);

            var leaving = subscriptions.Select(s => Task.Run(() =>
            {
                start.SignalAndWait();
                s.Dispose();
            })).ToList();
            var disposing = Task.Run(async () =>
            {
                start.SignalAndWait();
                await fixture.Hub.DisposeAsync();
            });
            await Task.WhenAll([.. leaving, disposing]);

            // A loop whose last viewer left first is stopped by that viewer, not awaited by the hub:
            // the fixture still hears it end (its meter outlives the hub until the fixture goes).
            await fixture.WaitUntilAsync(() => fixture.Hub.ActiveFeeds == 0);
            Assert.Equal(1, fixture.Platform.MetricCalls);
            await fixture.DisposeAsync();
        }
    }

    [Fact]
    public async Task Each_time_range_is_refreshed_on_its_own()
    {
        await using var fixture = new HubFixture();
        using var hour = fixture.Hub.Subscribe(HubFixture.Overview("1h"), _ => { });
        using var day = fixture.Hub.Subscribe(HubFixture.Overview("24h"), _ => { });
        using var anotherHour = fixture.Hub.Subscribe(HubFixture.Overview("1h"), _ => { });

        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 2);

        Assert.Equal(2, fixture.Hub.ActiveFeeds);
    }

    [Fact]
    public async Task A_late_viewer_gets_the_latest_snapshot_at_once_without_a_new_query()
    {
        await using var fixture = new HubFixture();
        var published = false;
        using var first = fixture.Hub.Subscribe(HubFixture.Overview(), _ => Volatile.Write(ref published, true));
        await fixture.WaitUntilAsync(() => Volatile.Read(ref published));

        DashboardSnapshot? delivered = null;
        using var late = fixture.Hub.Subscribe(HubFixture.Overview(), s => delivered = s);

        Assert.NotNull(delivered);
        Assert.Equal(1, fixture.Platform.MetricCalls);
    }

    [Fact]
    public async Task A_viewer_that_throws_does_not_stop_the_others()
    {
        await using var fixture = new HubFixture();
        var healthy = 0;
        using var broken = fixture.Hub.Subscribe(HubFixture.Overview(), _ => throw new InvalidOperationException("circuit gone"));
        using var fine = fixture.Hub.Subscribe(HubFixture.Overview(), _ => Interlocked.Increment(ref healthy));
        await fixture.WaitUntilAsync(() => Volatile.Read(ref healthy) == 1);

        await fixture.AdvanceUntilAsync(() => Volatile.Read(ref healthy) == 2);

        Assert.Equal(2, fixture.Platform.MetricCalls);
    }

    [Fact]
    public async Task A_dashboard_is_one_batched_call_that_asks_for_a_shared_metric_once()
    {
        await using var fixture = new HubFixture();
        using var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        var queries = fixture.Platform.LastQueries;

        // RequestCount of the API's target group feeds requests/s and the 5xx rate: asked once.
        Assert.Single(queries, q => q.MetricStat!.Metric.MetricName == "RequestCount" && q.MetricStat.Metric.Dimensions.Any(d => d.Name == "TargetGroup"));
        Assert.Equal(queries.Count, queries.Select(q => q.Id).Distinct().Count());
        Assert.Contains(queries, q => q.MetricStat!.Metric.MetricName == "TargetResponseTime" && q.MetricStat.Stat.Name == "p99");
        Assert.All(queries, q => Assert.Equal(60, q.MetricStat!.Period));
    }

    [Fact]
    public void Unknown_dashboards_and_ranges_are_refused_with_their_name()
    {
        var fixture = new HubFixture();

        var dashboard = Assert.Throws<KeyNotFoundException>(() => fixture.Hub.Subscribe(new("sandbox", "nope", "1h"), _ => { }));
        var range = Assert.Throws<KeyNotFoundException>(() => fixture.Hub.Subscribe(new("sandbox", "overview", "5y"), _ => { }));

        Assert.Contains("nope", dashboard.Message);
        Assert.Contains("5y", range.Message);
    }
}
