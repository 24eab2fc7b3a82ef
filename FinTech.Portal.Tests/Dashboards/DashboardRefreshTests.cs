using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>What a refresh makes of upstream answers and failures, as a viewer receives it.</summary>
public class DashboardRefreshTests
{
    private static async Task<(HubFixture Fixture, Func<DashboardSnapshot?> Latest, IDisposable Subscription)> WatchOverviewAsync(
        Action<ScriptedPlatform>? arrange = null)
    {
        var fixture = new HubFixture();
        arrange?.Invoke(fixture.Platform);
        DashboardSnapshot? latest = null;
        var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), s => Volatile.Write(ref latest, s));
        await fixture.WaitUntilAsync(() => Volatile.Read(ref latest) is not null);
        return (fixture, () => Volatile.Read(ref latest), subscription);
    }

    [Fact]
    public async Task Latency_is_shown_in_milliseconds()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.ValueByMetric["TargetResponseTime"] = 0.25);
        await using var _ = fixture;
        using var __ = subscription;

        var latency = latest()!.Panel("latency");

        Assert.Equal(PanelState.Current, latency.State);
        Assert.Equal(["p50", "p90", "p99"], latency.Series.Select(s => s.Label));
        Assert.All(latency.Series, s => Assert.Equal(250, s.Latest));
    }

    [Fact]
    public async Task The_error_rate_is_errors_over_requests_in_percent()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p =>
        {
            p.ValueByMetric["HTTPCode_Target_5XX_Count"] = 2;
            p.ValueByMetric["RequestCount"] = 400;
        });
        await using var _ = fixture;
        using var __ = subscription;

        var errors = latest()!.Panel("errors").Series.Single(s => s.Label == "target 5xx");

        Assert.Equal(0.5, errors.Latest!.Value, 6);
    }

    [Fact]
    public async Task The_at_a_glance_row_shows_the_last_minute_of_the_charts_below()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.ValueByMetric["TargetResponseTime"] = 0.3);
        await using var _ = fixture;
        using var __ = subscription;
        var snapshot = latest()!;

        Assert.Equal(300, snapshot.Panel("now-p99").Series.Single().Latest);
        Assert.Equal(snapshot.Panel("latency").Series.Single(s => s.Label == "p99").Latest, snapshot.Panel("now-p99").Series.Single().Latest);
    }

    [Fact]
    public async Task Requests_per_second_divide_the_period_sum_by_its_length()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.ValueByMetric["RequestCount"] = 6000);
        await using var _ = fixture;
        using var __ = subscription;

        Assert.Equal(100, latest()!.Panel("requests").Series.Single().Latest);
    }

    [Fact]
    public async Task The_window_covers_the_range_and_ends_at_the_last_whole_minute()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync();
        await using var _ = fixture;
        using var __ = subscription;
        var snapshot = latest()!;

        Assert.Equal(TimeSpan.FromHours(1), snapshot.WindowEnd - snapshot.WindowStart);
        Assert.Equal(0, snapshot.WindowEnd.Second);
        Assert.True(snapshot.WindowEnd <= fixture.Time.GetUtcNow());
        Assert.Equal(60, snapshot.Panel("requests").Series.Single().Points.Count);
    }

    [Fact]
    public async Task When_upstream_fails_panels_keep_their_last_data_and_say_they_are_stale()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync();
        await using var _ = fixture;
        using var __ = subscription;
        var before = latest()!;

        fixture.Platform.MetricFailure = new PlatformUnavailableException("CloudWatch throttled the request (Throttling: Rate exceeded).");
        await fixture.AdvanceUntilAsync(() => latest()!.RefreshedAt > before.RefreshedAt);
        var latency = latest()!.Panel("latency");

        Assert.Equal(PanelState.Stale, latency.State);
        Assert.Equal(before.Panel("latency").Series, latency.Series);
        Assert.Equal(before.RefreshedAt, latency.DataAsOf);
        Assert.Contains("Rate exceeded", latency.Problem);
        Assert.Equal(PanelState.Current, latest()!.Alarms.State);
    }

    [Fact]
    public async Task A_failure_before_any_data_marks_panels_failed_with_the_reason()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.MetricFailure = new HttpRequestException("connection refused"));
        await using var _ = fixture;
        using var __ = subscription;

        var panel = latest()!.Panel("requests");

        Assert.Equal(PanelState.Failed, panel.State);
        Assert.Empty(panel.Series);
        Assert.Contains("connection refused", panel.Problem);
    }

    [Fact]
    public async Task A_metric_the_portal_may_not_read_fails_only_its_own_panel()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.StatusByMetric["TransactionsProcessed"] = StatusCode.Forbidden);
        await using var _ = fixture;
        using var __ = subscription;
        var snapshot = latest()!;

        Assert.Equal(PanelState.Failed, snapshot.Panel("transactions").State);
        Assert.Contains("access denied", snapshot.Panel("transactions").Problem);
        Assert.Equal(PanelState.Current, snapshot.Panel("latency").State);
        Assert.Equal(PanelState.Current, snapshot.Panel("requests").State);
    }

    [Fact]
    public async Task Alarms_that_cannot_be_read_leave_the_metric_panels_current()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.AlarmFailure = new PlatformUnavailableException("DescribeAlarms was denied."));
        await using var _ = fixture;
        using var __ = subscription;
        var snapshot = latest()!;

        Assert.Equal(PanelState.Failed, snapshot.Alarms.State);
        Assert.Contains("DescribeAlarms was denied.", snapshot.Alarms.Problem);
        Assert.Equal(PanelState.Current, snapshot.Panel("latency").State);
    }

    [Fact]
    public async Task A_source_that_never_answers_times_out_and_the_next_refresh_recovers()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync();
        await using var _ = fixture;
        using var __ = subscription;
        var before = latest()!;

        fixture.Platform.Gate = new TaskCompletionSource();
        await fixture.AdvanceUntilAsync(() => latest()!.RefreshedAt > before.RefreshedAt);
        Assert.Equal(PanelState.Stale, latest()!.Panel("latency").State);
        Assert.Contains("no answer within 5 s", latest()!.Panel("latency").Problem);

        var stale = latest()!;
        fixture.Platform.Gate = null;
        await fixture.AdvanceUntilAsync(() => latest()!.RefreshedAt > stale.RefreshedAt);
        Assert.Equal(PanelState.Current, latest()!.Panel("latency").State);
    }

    [Fact]
    public async Task Alarms_are_filtered_to_the_dashboard_namespaces_and_the_database_part_is_RDSs_answer()
    {
        await using var fixture = new HubFixture();
        DashboardSnapshot? database = null;
        using var subscription = fixture.Hub.Subscribe(new DashboardKey("sandbox", "database", "1h"), s => database = s);
        await fixture.WaitUntilAsync(() => database is not null);

        var alarms = database!.Alarms.Value!;

        // The composite alarm and the ALB's alarm belong to the Overview.
        Assert.Equal("fintech-sandbox-aurora-replica-lag", Assert.Single(alarms).AlarmName);
        Assert.Equal("prefix fintech-sandbox-, MetricAlarm+CompositeAlarm",
            $"prefix {fixture.Platform.LastAlarmsRequest!.AlarmNamePrefix}, {string.Join("+", fixture.Platform.LastAlarmsRequest.AlarmTypes!)}");
        var writer = database.Topology.Database.Value!.DBClusterMembers.Single(m => m.IsClusterWriter);
        Assert.Equal("fintech-sandbox-aurora-1", writer.DBInstanceIdentifier);
        Assert.Equal(PanelState.Loading, database.Topology.Service.State);
    }

    [Fact]
    public async Task An_ECS_error_fails_only_the_service_part_of_the_topology()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.EcsFailure = new PlatformUnavailableException("ECS denied DescribeServices"));
        await using var _ = fixture;
        using var __ = subscription;
        var topology = latest()!.Topology;

        Assert.Equal(PanelState.Failed, topology.Service.State);
        Assert.Contains("ECS denied DescribeServices", topology.Service.Problem);
        Assert.Equal(PanelState.Current, topology.Database.State);
        Assert.Equal(PanelState.Current, topology.Cache.State);
        Assert.Equal(PanelState.Current, topology.Sessions.State);
        Assert.Equal(3, latest()!.Alarms.Value!.Count);
    }

    [Fact]
    public async Task A_count_CloudWatch_did_not_publish_reads_zero_in_every_period()
    {
        var (fixture, latest, subscription) = await WatchOverviewAsync(p => p.Unpublished.Add("HTTPCode_Target_5XX_Count"));
        await using var _ = fixture;
        using var __ = subscription;

        var errors = latest()!.Panel("errors").Series.Single(s => s.Label == "target 5xx");

        Assert.Equal(60, errors.Points.Count);
        Assert.All(errors.Points, p => Assert.Equal(0, p.Value));
    }
}
