using Bunit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>The dashboard page's life with the shared refresh: subscribe on open, follow the range, leave on close.</summary>
public sealed class DashboardPageTests : IAsyncLifetime
{
    // The hub's loop runs on the thread pool: generous when the machine is busy, still bounded.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly HubFixture _hub = new();
    private PortalComponentContext _portal = null!;

    private PortalEnvironment Sandbox => _hub.Catalog.Get("sandbox");

    public async Task InitializeAsync()
    {
        _portal = await PortalComponentContext.CreateAsync((services, _) =>
        {
            services.AddSingleton(_hub.Hub);
            services.AddSingleton<DashboardViewer>();
            services.AddSingleton(_hub.Catalog);
        });
        _portal.Authorization.SwitchTo(SandboxPersonas.Olivia);
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _hub.DisposeAsync();
    }

    private NavigationManager Navigation => _portal.Bunit.Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<DashboardPage> Open(string dashboard, string range)
    {
        Navigation.NavigateTo($"/dashboards/{dashboard}?env=sandbox&range={range}");
        return _portal.Bunit.Render<DashboardPage>(p => p
            .Add(x => x.DashboardId, dashboard)
            .AddCascadingValue(Sandbox));
    }

    [Fact]
    public void Opening_the_page_watches_its_dashboard_and_draws_the_first_refresh()
    {
        var page = Open("overview", "1h");

        page.WaitForAssertion(() => Assert.Equal("Current", page.Find("[data-testid=panel-latency]").GetAttribute("data-state")), Patience);
        Assert.Equal(1, _hub.Hub.ActiveFeeds);
        Assert.Equal(1, _hub.Platform.MetricCalls);
        Assert.Equal([60], _hub.Platform.LastQueries.Where(q => q.MetricStat is not null).Select(q => q.MetricStat!.Period).Distinct());
    }

    [Fact]
    public async Task Picking_a_range_puts_it_in_the_address_and_moves_the_page_to_that_ranges_refresh()
    {
        var page = Open("overview", "1h");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.Platform.MetricCalls), Patience);

        page.Find("[data-testid=range-select]").Change("24h");

        page.WaitForAssertion(() =>
        {
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(Navigation.Uri).Query);
            Assert.Equal(("24h", "sandbox"), (query["range"], query["env"]));
        }, Patience);
        page.WaitForAssertion(() => Assert.Equal(2, _hub.Platform.MetricCalls), Patience);
        Assert.Equal([300], _hub.Platform.LastQueries.Where(q => q.MetricStat is not null).Select(q => q.MetricStat!.Period).Distinct());
        // The hour's refresh had this page as its only viewer: it stops.
        await _hub.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 1);
    }

    [Fact]
    public void A_zoom_in_the_address_draws_that_window_from_the_finest_range_that_holds_it()
    {
        var now = _portal.Time.GetUtcNow();
        var from = now.AddMinutes(-40);
        var to = now.AddMinutes(-20);
        Navigation.NavigateTo($"/dashboards/overview?env=sandbox&range=24h&from={ZoomWindow.Format(from)}&to={ZoomWindow.Format(to)}");
        var page = _portal.Bunit.Render<DashboardPage>(p => p.Add(x => x.DashboardId, "overview").AddCascadingValue(Sandbox));

        page.WaitForAssertion(() => Assert.Equal("Current", page.Find("[data-testid=panel-latency]").GetAttribute("data-state")), Patience);
        // The last hour holds the window: its 1-minute refresh, not the day's 5-minute one.
        Assert.Equal([60], _hub.Platform.LastQueries.Where(q => q.MetricStat is not null).Select(q => q.MetricStat!.Period).Distinct());
        var chart = page.Find("[data-testid=panel-latency] [data-testid=chart]");
        Assert.Equal(Ms(Truncated(from)), chart.GetAttribute("data-start"));
        Assert.Equal(Ms(Truncated(to)), chart.GetAttribute("data-end"));
        Assert.Contains("Zoomed to", page.Find("[data-testid=zoom]").TextContent);
        var reset = System.Web.HttpUtility.ParseQueryString(new Uri(page.Find("[data-testid=zoom-reset]").GetAttribute("href")!).Query);
        Assert.Equal(("24h", null, null), (reset["range"], reset["from"], reset["to"]));
    }

    [Fact]
    public void Picking_a_range_while_zoomed_ends_the_zoom()
    {
        var now = _portal.Time.GetUtcNow();
        Navigation.NavigateTo($"/dashboards/overview?env=sandbox&range=1h&from={ZoomWindow.Format(now.AddMinutes(-30))}&to={ZoomWindow.Format(now.AddMinutes(-10))}");
        var page = _portal.Bunit.Render<DashboardPage>(p => p.Add(x => x.DashboardId, "overview").AddCascadingValue(Sandbox));

        page.Find("[data-testid=range-select]").Change("3h");

        page.WaitForAssertion(() =>
        {
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(Navigation.Uri).Query);
            Assert.Equal(("3h", null, null), (query["range"], query["from"], query["to"]));
        }, Patience);
    }

    [Theory]
    [InlineData("2026-11-24T02:00Z", "2026-11-24T02:01Z")]
    [InlineData("2026-11-24T02:20Z", "2026-11-24T02:00Z")]
    [InlineData("yesterday", "2026-11-24T02:00Z")]
    [InlineData(null, "2026-11-24T02:00Z")]
    public void A_zoom_shorter_than_two_minutes_reversed_or_unreadable_is_no_zoom(string? from, string? to) =>
        Assert.Null(ZoomWindow.Parse(from, to));

    [Fact]
    public void A_zoom_reads_the_minutes_charts_js_writes()
    {
        var zoom = ZoomWindow.Parse("2026-11-24T02:05Z", "2026-11-24T02:20Z");

        Assert.Equal(new ZoomWindow(new(2026, 11, 24, 2, 5, 0, TimeSpan.Zero), new(2026, 11, 24, 2, 20, 0, TimeSpan.Zero)), zoom);
        Assert.Equal("2026-11-24T02:05Z", ZoomWindow.Format(zoom!.From));
    }

    private static DateTimeOffset Truncated(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Closing_the_page_stops_its_refresh_when_nobody_else_watches()
    {
        var page = Open("overview", "1h");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.Platform.MetricCalls), Patience);

        await _portal.Bunit.DisposeComponentsAsync();

        await _hub.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 0);
        Assert.Equal(1, _hub.Platform.MetricCalls);
    }

    [Fact]
    public async Task Pausing_auto_refresh_leaves_the_refresh_and_resuming_joins_it_again()
    {
        var page = Open("database", "1h");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.Platform.MetricCalls), Patience);
        page.Find("[data-testid=auto-refresh] input").Change(false);
        await _hub.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 0);
        page.WaitForAssertion(() => Assert.Contains("paused", page.Find("[data-testid=refreshed-at]").TextContent), Patience);

        page.Find("[data-testid=auto-refresh] input").Change(true);
        await _hub.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 1);
        page.WaitForAssertion(() => Assert.Equal(2, _hub.Platform.MetricCalls), Patience);
    }
}

/// <summary>The topology panel: what runs where, for the parts of the platform a dashboard is about.</summary>
public sealed class TopologyPanelTests : IAsyncLifetime
{
    private readonly Bunit.BunitContext _context = PortalBunit.Create();
    private readonly ScriptedPlatform _platform = new();

    private IRenderedComponent<FinTech.Portal.Dashboards.Panels.TopologyPanel> Render(DashboardTopology topology, params TopologyPart[] parts) =>
        _context.Render<FinTech.Portal.Dashboards.Panels.TopologyPanel>(p => p.Add(x => x.Topology, topology).Add(x => x.Parts, parts));

    private static SourceData<T> Current<T>(T value) where T : class => new(PanelState.Current, value, DateTimeOffset.UnixEpoch, null);

    private async Task<DashboardTopology> SteadyAsync()
    {
        var service = (await _platform.DescribeServicesAsync(new() { Cluster = "fintech", Services = ["fintech-api"] })).Services[0];
        var cluster = (await _platform.DescribeDBClustersAsync(new() { DBClusterIdentifier = "fintech-aurora" })).DBClusters[0];
        var group = (await _platform.DescribeReplicationGroupsAsync(new() { ReplicationGroupId = "fintech-redis" })).ReplicationGroups[0];
        var table = (await _platform.DescribeTableAsync(new() { TableName = "fintech-sessions" })).Table;
        var backups = (await _platform.DescribeContinuousBackupsAsync(new() { TableName = "fintech-sessions" })).ContinuousBackupsDescription;
        return new DashboardTopology(Current(service), Current(cluster), Current(group), Current(new SessionTable(table, backups?.PointInTimeRecoveryDescription)));
    }

    [Fact]
    public async Task The_database_part_names_each_member_and_which_one_writes()
    {
        var panel = Render(await SteadyAsync(), TopologyPart.Database);

        Assert.Equal(
            ["fintech-aurora-1 · writer · tier 1", "fintech-aurora-2 · reader · tier 1"],
            panel.FindAll("[data-testid=db-member]").Select(m => Squeeze(m.TextContent)));
        Assert.Empty(panel.FindAll("[data-testid=ecs-tasks]"));
    }

    [Fact]
    public async Task The_service_part_counts_running_desired_and_pending_tasks_and_names_the_task_definition_by_family_and_revision()
    {
        var topology = await SteadyAsync();
        topology = topology with { Service = topology.Service with { Value = topology.Service.Value! with { RunningCount = 4, PendingCount = 2 } } };

        var panel = Render(topology, TopologyPart.Service);

        Assert.Equal("fintech-api: 4 of 6 tasks running, 2 pending · fintech-api:42 · ACTIVE", Squeeze(panel.Find("[data-testid=ecs-tasks]").TextContent));
    }

    [Fact]
    public async Task A_stale_part_still_shows_with_the_reason_and_a_failed_one_leaves_the_others_standing()
    {
        var steady = await SteadyAsync();
        var topology = steady with
        {
            Cache = steady.Cache with { State = PanelState.Stale, Problem = "Showing data from 03:00:00 UTC: DescribeReplicationGroups failed: Throttling" },
            Service = new SourceData<FinTech.Portal.Platform.Ecs.Service>(PanelState.Failed, null, null, "ECS denied DescribeServices"),
        };

        var panel = Render(topology, TopologyPart.Service, TopologyPart.Cache);

        Assert.Equal("Stale", panel.Find("[data-testid=topology-cache]").GetAttribute("data-state"));
        Assert.Contains("Throttling", panel.Find("[data-testid=topology-cache] [data-testid=panel-problem]").TextContent);
        Assert.Equal(["fintech-redis-001 · primary · eu-west-1a", "fintech-redis-002 · replica · eu-west-1b"],
            panel.FindAll("[data-testid=cache-node]").Select(n => Squeeze(n.TextContent)));
        Assert.Equal("Failed", panel.Find("[data-testid=topology-service]").GetAttribute("data-state"));
        Assert.Equal("ECS denied DescribeServices", panel.Find("[data-testid=topology-service] [data-testid=panel-problem]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=ecs-tasks]"));
    }

    [Fact]
    public async Task The_sessions_part_shows_the_table_its_billing_mode_items_and_point_in_time_recovery()
    {
        var panel = Render(await SteadyAsync(), TopologyPart.Sessions);

        Assert.Equal("fintech-sessions · ACTIVE · PAY_PER_REQUEST · 120,000 items · PITR on",
            Squeeze(panel.Find("[data-testid=topology-sessions] .panel-text").TextContent));
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();
}
