using Bunit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

public class DashboardPanelTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddHours(1);
    private readonly BunitContext _context = PortalBunit.Create();

    private static readonly PanelDefinition Latency = new("latency", "API latency", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
        [], WarningThreshold: 500);

    private static IReadOnlyList<ChartSeries> ThreeLines() =>
    [
        new("p50", Enumerable.Range(0, 60).Select(i => new MetricPoint(Start.AddMinutes(i), 40 + i % 5)).ToList()),
        new("p90", Enumerable.Range(0, 60).Select(i => new MetricPoint(Start.AddMinutes(i), 120 + i % 7)).ToList()),
        new("p99", Enumerable.Range(0, 60).Select(i => new MetricPoint(Start.AddMinutes(i), 310 + i % 11)).ToList()),
    ];

    private IRenderedComponent<DashboardPanel> Render(PanelData data, PanelDefinition? definition = null) =>
        _context.Render<DashboardPanel>(p => p
            .Add(x => x.Definition, definition ?? Latency)
            .Add(x => x.Data, data)
            .Add(x => x.Start, Start)
            .Add(x => x.End, End));

    [Fact]
    public void Current_data_draws_one_line_per_series_with_axes_and_a_legend()
    {
        var panel = Render(new PanelData(PanelState.Current, ThreeLines(), End, null));

        Assert.Equal(3, panel.FindAll("polyline").Count);
        Assert.Equal(60, panel.Find("[data-series='p99'] polyline").GetAttribute("points")!.Split(' ').Length);
        Assert.NotEmpty(panel.FindAll("g.y-tick"));
        Assert.Contains(panel.FindAll("g.x-tick text"), t => t.TextContent == "02:30");
        Assert.Equal(["p50", "p90", "p99"], panel.FindAll("[data-testid=legend-item]").Select(l => l.TextContent.Split(' ')[0].Trim()));
        Assert.Contains("ms", panel.Find("[data-testid=legend-item] b").TextContent);
        Assert.Contains("as of 03:00:00 UTC", panel.Markup);
        Assert.Empty(panel.FindAll("[data-testid=panel-problem]"));
    }

    [Fact]
    public void Stale_data_is_still_drawn_and_marked_with_its_age_and_the_reason()
    {
        var panel = Render(new PanelData(PanelState.Stale, ThreeLines(), Start.AddMinutes(58), "Metrics unavailable: Rate exceeded"));

        Assert.Equal(3, panel.FindAll("polyline").Count);
        Assert.Contains("Stale · data from 02:58:00", panel.Find("[data-testid=panel-stale]").TextContent);
        Assert.Contains("Rate exceeded", panel.Find("[data-testid=panel-problem]").TextContent);
        Assert.Equal("Stale", panel.Find("[data-testid=panel-latency]").GetAttribute("data-state"));
    }

    [Fact]
    public void A_failed_source_shows_the_reason_and_no_chart()
    {
        var panel = Render(new PanelData(PanelState.Failed, [], null, "Metrics unavailable: connection refused"));

        Assert.Empty(panel.FindAll("[data-testid=chart]"));
        Assert.NotNull(panel.Find("[data-testid=panel-failed]"));
        Assert.Contains("connection refused", panel.Find("[data-testid=panel-problem]").TextContent);
    }

    [Fact]
    public void A_panel_waiting_for_its_first_answer_shows_a_placeholder()
    {
        var panel = Render(PanelData.Loading);

        Assert.Empty(panel.FindAll("[data-testid=chart]"));
        Assert.Equal("true", panel.Find(".panel-loading").GetAttribute("aria-busy"));
    }

    [Fact]
    public void The_warning_threshold_is_a_dashed_line_when_the_data_comes_near_it()
    {
        var panel = Render(new PanelData(PanelState.Current, ThreeLines(), End, null));

        Assert.Equal("6 4", panel.Find("[data-testid=threshold]").GetAttribute("stroke-dasharray"));
    }

    [Fact]
    public void A_stat_panel_shows_the_latest_value_of_each_series()
    {
        var stat = Latency with { Kind = PanelKind.Stat };

        var panel = Render(new PanelData(PanelState.Current, ThreeLines(), End, null), stat);

        var values = panel.FindAll("[data-testid=stat]").Select(s => s.TextContent).ToList();
        Assert.Equal(3, values.Count);
        Assert.Contains("p99", values[2]);
        Assert.Contains("ms", values[2]);
    }

    [Fact]
    public void A_panel_whose_drawing_throws_shows_the_error_in_its_own_box()
    {
        // Series missing (null) makes the panel's own rendering throw: the panel is its own boundary.
        var panel = Render(new PanelData(PanelState.Current, null!, End, null));

        var error = panel.Find("[data-testid=panel-latency] [role=alert]");
        Assert.Equal("The panel “API latency” could not be drawn. The rest of the dashboard is unaffected.", error.TextContent.Trim());
        Assert.Empty(panel.FindAll("polyline"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are async-disposable only.
    public async Task DisposeAsync() => await _context.DisposeAsync();
}
