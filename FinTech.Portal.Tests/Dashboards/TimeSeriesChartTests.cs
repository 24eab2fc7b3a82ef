using Bunit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>
/// The chart as the browser receives it: what its crosshair reads (charts.js shows the values the
/// server put on each series, per minute), where lines break for missing data, and the table.
/// </summary>
public class TimeSeriesChartTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
    private readonly BunitContext _context = PortalBunit.Create();

    private static ChartSeries Minutes(string label, params (int Minute, double Value)[] points) =>
        new(label, points.Select(p => new MetricPoint(Start.AddMinutes(p.Minute), p.Value)).ToList());

    // p99 has no data at 02:02 and 02:03: a gap, as when the API published nothing.
    private static readonly IReadOnlyList<ChartSeries> Latency =
    [
        Minutes("p50", (0, 41.2), (1, 40.4), (2, 39.9), (3, 42.0), (4, 40.1), (5, 40.0)),
        Minutes("p99", (0, 1480), (1, 1502.6), (4, 1320), (5, 1290)),
    ];

    private IRenderedComponent<TimeSeriesChart> Render(IReadOnlyList<ChartSeries>? series = null, string? logs = null, bool zoomable = false) =>
        _context.Render<TimeSeriesChart>(p => p
            .Add(x => x.Series, series ?? Latency)
            .Add(x => x.Start, Start)
            .Add(x => x.End, Start.AddMinutes(5))
            .Add(x => x.Unit, DisplayUnit.Milliseconds)
            .Add(x => x.Title, "API latency")
            .Add(x => x.LogsLink, logs)
            .Add(x => x.Zoomable, zoomable));

    [Fact]
    public void The_crosshair_reads_every_series_value_at_each_minute_with_the_unit()
    {
        var chart = Render();

        var figure = chart.Find("[data-testid=chart]");
        Assert.Equal(Start.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), figure.GetAttribute("data-t0"));
        Assert.Equal("60000", figure.GetAttribute("data-step"));
        Assert.Equal("6", figure.GetAttribute("data-n"));
        Assert.Equal(" ms", figure.GetAttribute("data-unit"));
        Assert.Equal("41.2|40.4|39.9|42.0|40.1|40.0", chart.Find("g[data-series=p50]").GetAttribute("data-values"));
        Assert.Equal("1,480|1,503|||1,320|1,290", chart.Find("g[data-series=p99]").GetAttribute("data-values"));
        Assert.NotNull(chart.Find(".ts-overlay[aria-hidden=true]"));
    }

    [Fact]
    public void A_series_with_missing_minutes_is_drawn_as_separate_lines_around_the_gap()
    {
        var chart = Render();

        Assert.Single(chart.FindAll("g[data-series=p50] polyline"));
        var p99 = chart.FindAll("g[data-series=p99] polyline").Select(l => l.GetAttribute("points")!.Split(' ').Length).ToList();
        Assert.Equal([2, 2], p99);
    }

    [Fact]
    public void The_y_axis_labels_are_whole_and_the_plot_starts_right_of_them()
    {
        var chart = Render();

        var labels = chart.FindAll("g.y-tick text").Select(t => t.TextContent).ToList();
        Assert.Contains("1,500 ms", labels);
        var left = double.Parse(chart.Find("[data-testid=chart]").GetAttribute("data-left")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(left - 6 >= labels.Max(l => l.Length) * ChartGeometry.LabelCharWidth);
    }

    [Fact]
    public void The_table_view_is_a_closed_disclosure_whose_region_charts_js_fills_with_every_minute_from_the_crosshairs_values()
    {
        var chart = Render();

        // A native disclosure (keyboard and screen readers know it), closed until opened.
        var details = chart.Find("details.ts-table-details");
        Assert.False(details.HasAttribute("open"));
        var toggle = details.QuerySelector("summary")!;
        Assert.Equal("chart-table-toggle", toggle.GetAttribute("data-testid"));
        Assert.Equal("Table of this chart", toggle.TextContent);

        // The region is rendered empty, named, focusable for scrolling, with the table's caption.
        var region = details.QuerySelector("[data-testid=chart-table]")!;
        Assert.Equal("region", region.GetAttribute("role"));
        Assert.Equal("0", region.GetAttribute("tabindex"));
        Assert.Equal("API latency as a table", region.GetAttribute("aria-label"));
        Assert.Equal("API latency (ms), UTC", region.GetAttribute("data-caption"));
        Assert.Empty(region.Children);

        // What the script draws the rows from: every minute of the window, each series' value or
        // nothing (shown as "no data").
        var figure = chart.Find("[data-testid=chart]");
        Assert.Equal("6", figure.GetAttribute("data-n"));
        Assert.Equal("60000", figure.GetAttribute("data-step"));
        Assert.Equal("41.2|40.4|39.9|42.0|40.1|40.0", chart.Find("g[data-series=p50]").GetAttribute("data-values"));
        Assert.Equal("1,480|1,503|||1,320|1,290", chart.Find("g[data-series=p99]").GetAttribute("data-values"));
    }

    [Fact]
    public void Dashboard_charts_offer_zoom_and_the_logs_of_a_point_and_other_charts_do_not()
    {
        var dashboard = Render(logs: "/logs?start={start}&end={end}", zoomable: true).Find("[data-testid=chart]");
        var other = Render().Find("[data-testid=chart]");

        Assert.Equal("on", dashboard.GetAttribute("data-zoom"));
        Assert.Equal("/logs?start={start}&end={end}", dashboard.GetAttribute("data-logs"));
        Assert.Equal("300000", dashboard.GetAttribute("data-logs-margin"));
        Assert.Null(other.GetAttribute("data-zoom"));
        Assert.Null(other.GetAttribute("data-logs"));
    }

    [Fact]
    public void Series_colours_are_theme_classes_not_fixed_colours()
    {
        var chart = Render();

        Assert.Equal("ts-line ts-s1", chart.Find("g[data-series=p99]").GetAttribute("class"));
        Assert.Equal("ts-swatch ts-s1", chart.FindAll("[data-testid=legend-item] .ts-swatch")[1].GetAttribute("class"));
        Assert.DoesNotContain("#", chart.Find("svg").OuterHtml.Replace("&#", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _context.DisposeAsync();
}
