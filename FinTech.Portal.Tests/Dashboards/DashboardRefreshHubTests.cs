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

        await HubFixture.WaitUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 1));
        Assert.Equal(1, fixture.Platform.MetricCalls);

        await fixture.AdvanceUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 2));
        await fixture.AdvanceUntilAsync(() => received.All(r => Volatile.Read(ref r) >= 3));

        Assert.Equal(3, fixture.Platform.MetricCalls);
        Assert.Equal(3, fixture.Platform.AlarmCalls);
        Assert.All(received, r => Assert.Equal(3, r));
        subscriptions.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Nobody_watching_means_no_upstream_queries()
    {
        await using var fixture = new HubFixture();

        fixture.Time.Advance(HubFixture.Interval * 10);
        await Task.Delay(50);

        Assert.Equal(0, fixture.Platform.MetricCalls);
        Assert.Equal(0, fixture.Hub.ActiveFeeds);
    }

    [Fact]
    public async Task Queries_stop_when_the_last_viewer_leaves()
    {
        await using var fixture = new HubFixture();
        var first = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        var second = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await HubFixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        first.Dispose();
        await fixture.AdvanceUntilAsync(() => fixture.Platform.MetricCalls == 2);
        second.Dispose();
        Assert.Equal(0, fixture.Hub.ActiveFeeds);
        fixture.Time.Advance(HubFixture.Interval * 5);
        await Task.Delay(50);

        Assert.Equal(2, fixture.Platform.MetricCalls);
    }

    [Fact]
    public async Task Each_time_range_is_refreshed_on_its_own()
    {
        await using var fixture = new HubFixture();
        using var hour = fixture.Hub.Subscribe(HubFixture.Overview("1h"), _ => { });
        using var day = fixture.Hub.Subscribe(HubFixture.Overview("24h"), _ => { });
        using var anotherHour = fixture.Hub.Subscribe(HubFixture.Overview("1h"), _ => { });

        await HubFixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 2);

        Assert.Equal(2, fixture.Hub.ActiveFeeds);
    }

    [Fact]
    public async Task A_late_viewer_gets_the_latest_snapshot_at_once_without_a_new_query()
    {
        await using var fixture = new HubFixture();
        var published = false;
        using var first = fixture.Hub.Subscribe(HubFixture.Overview(), _ => Volatile.Write(ref published, true));
        await HubFixture.WaitUntilAsync(() => Volatile.Read(ref published));

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
        await HubFixture.WaitUntilAsync(() => Volatile.Read(ref healthy) == 1);

        await fixture.AdvanceUntilAsync(() => Volatile.Read(ref healthy) == 2);

        Assert.Equal(2, fixture.Platform.MetricCalls);
    }

    [Fact]
    public async Task A_dashboard_is_one_batched_call_that_asks_for_a_shared_metric_once()
    {
        await using var fixture = new HubFixture();
        using var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await HubFixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

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
