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
        Assert.All(_hub.Platform.LastQueries, q => Assert.Equal(60, q.PeriodSeconds));
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
        Assert.All(_hub.Platform.LastQueries, q => Assert.Equal(300, q.PeriodSeconds));
        // The hour's refresh had this page as its only viewer: it stops.
        await HubFixture.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 1);
    }

    [Fact]
    public async Task Closing_the_page_stops_its_refresh_when_nobody_else_watches()
    {
        var page = Open("overview", "1h");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.Platform.MetricCalls), Patience);

        await _portal.Bunit.DisposeComponentsAsync();

        await HubFixture.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 0);
        Assert.Equal(1, _hub.Platform.MetricCalls);
    }

    [Fact]
    public async Task Pausing_auto_refresh_leaves_the_refresh_and_resuming_joins_it_again()
    {
        var page = Open("database", "1h");
        page.WaitForAssertion(() => Assert.Equal(1, _hub.Platform.MetricCalls), Patience);
        page.Find("[data-testid=auto-refresh] input").Change(false);
        await HubFixture.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 0);
        page.WaitForAssertion(() => Assert.Contains("paused", page.Find("[data-testid=refreshed-at]").TextContent), Patience);

        page.Find("[data-testid=auto-refresh] input").Change(true);
        await HubFixture.WaitUntilAsync(() => _hub.Hub.ActiveFeeds == 1);
        page.WaitForAssertion(() => Assert.Equal(2, _hub.Platform.MetricCalls), Patience);
    }
}

/// <summary>The topology panel: what runs where, for the part of the platform a dashboard is about.</summary>
public sealed class TopologyPanelTests : IAsyncLifetime
{
    private readonly Bunit.BunitContext _context = PortalBunit.Create();

    private IRenderedComponent<FinTech.Portal.Dashboards.Panels.TopologyPanel> Render(SourceData<PlatformTopology> topology, TopologyView view) =>
        _context.Render<FinTech.Portal.Dashboards.Panels.TopologyPanel>(p => p.Add(x => x.Topology, topology).Add(x => x.View, view));

    private static SourceData<PlatformTopology> Current(PlatformTopology topology) => new(PanelState.Current, topology, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public void The_database_view_names_each_member_and_which_one_writes()
    {
        var panel = Render(Current(ScriptedPlatform.SteadyTopology(auroraWriter: "fintech-aurora-2")), TopologyView.Database);

        Assert.Equal(
            ["fintech-aurora-1 · reader · eu-west-1a · available", "fintech-aurora-2 · writer · eu-west-1b · available"],
            panel.FindAll("[data-testid=db-member]").Select(m => Squeeze(m.TextContent)));
    }

    [Fact]
    public void The_service_view_counts_running_desired_and_pending_tasks()
    {
        var topology = ScriptedPlatform.SteadyTopology("fintech-aurora-1");
        topology = topology with { Service = topology.Service with { RunningCount = 4, PendingCount = 2 } };

        var panel = Render(Current(topology), TopologyView.Service);

        Assert.Equal("fintech-api: 4 of 6 tasks running, 2 pending · fintech-api:42 · ACTIVE", Squeeze(panel.Find("[data-testid=ecs-tasks]").TextContent));
    }

    [Fact]
    public void A_stale_topology_still_shows_with_the_reason()
    {
        var stale = new SourceData<PlatformTopology>(PanelState.Stale, ScriptedPlatform.SteadyTopology("fintech-aurora-1"), DateTimeOffset.UnixEpoch,
            "Showing data from 03:00:00 UTC: DescribeDBClusters failed: Throttling");

        var panel = Render(stale, TopologyView.Cache);

        Assert.Equal("Stale", panel.Find("[data-testid=panel-topology]").GetAttribute("data-state"));
        Assert.Contains("Throttling", panel.Find("[data-testid=panel-problem]").TextContent);
        Assert.Equal(2, panel.FindAll("[data-testid=cache-node]").Count);
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();
}
