using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

public class ChartGeometryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private static ChartSeries Line(string label, params double[] values) =>
        new(label, values.Select((v, i) => new MetricPoint(Start.AddMinutes(i), v)).ToList());

    [Theory]
    [InlineData(437, 500, 100)]
    [InlineData(0.8, 0.8, 0.2)]
    [InlineData(97.2, 100, 20)]
    [InlineData(1234, 1250, 250)]
    public void The_y_axis_ends_on_a_round_number_above_the_data(double max, double expectedMax, double expectedStep)
    {
        var (niceMax, step) = ChartGeometry.NiceScale(max);

        Assert.Equal(expectedMax, niceMax, 9);
        Assert.Equal(expectedStep, step, 9);
    }

    [Fact]
    public void Lines_span_the_plot_from_the_first_to_the_last_minute()
    {
        var geometry = ChartGeometry.Layout([Line("p99", 100, 200, 300)], Start, Start.AddMinutes(2), DisplayUnit.Milliseconds, null);

        var points = geometry.Lines.Single().Segments.Single().Split(' ');
        Assert.Equal(3, points.Length);
        Assert.StartsWith($"{geometry.Left},", points[0]);
        Assert.StartsWith($"{ChartGeometry.Width - ChartGeometry.Right},", points[2]);
        Assert.Equal("300 ms", geometry.Lines.Single().LatestText);
    }

    [Fact]
    public void Time_ticks_are_utc_clock_times_on_round_steps()
    {
        var geometry = ChartGeometry.Layout([Line("x", 1)], Start, Start.AddHours(1), DisplayUnit.Count, null);

        Assert.Equal(["02:00", "02:10", "02:20", "02:30", "02:40", "02:50", "03:00"], geometry.XTicks.Select(t => t.Label));
    }

    [Fact]
    public void Multi_day_ranges_label_the_day()
    {
        var geometry = ChartGeometry.Layout([Line("x", 1)], Start, Start.AddDays(7), DisplayUnit.Count, null);

        Assert.All(geometry.XTicks, t => Assert.Matches(@"^\w{3} \d{2} \d{2}:\d{2}$", t.Label));
        Assert.InRange(geometry.XTicks.Count, 3, 8);
    }

    [Fact]
    public void A_threshold_near_the_data_is_drawn_and_a_far_one_is_not()
    {
        var near = ChartGeometry.Layout([Line("p99", 300, 420)], Start, Start.AddMinutes(1), DisplayUnit.Milliseconds, 500);
        var far = ChartGeometry.Layout([Line("p99", 30, 42)], Start, Start.AddMinutes(1), DisplayUnit.Milliseconds, 500);

        Assert.NotNull(near.ThresholdY);
        Assert.Null(far.ThresholdY);
        Assert.Equal(50, far.YMax);
    }

    [Fact]
    public void Percent_axes_above_sixty_show_the_whole_scale()
    {
        var geometry = ChartGeometry.Layout([Line("hit rate", 95, 96)], Start, Start.AddMinutes(1), DisplayUnit.Percent, null);

        Assert.Equal(100, geometry.YMax);
        Assert.Equal("100 %", geometry.YTicks[^1].Label);
    }

    [Fact]
    public void A_series_without_points_says_so_in_the_legend()
    {
        var geometry = ChartGeometry.Layout([new ChartSeries("replica", [])], Start, Start.AddHours(1), DisplayUnit.Seconds, null);

        Assert.Equal("no data", geometry.Lines.Single().LatestText);
        Assert.Equal(1, geometry.YMax);
    }

    private static ChartSeries Minutes(string label, params (int Minute, double Value)[] points) =>
        new(label, points.Select(p => new MetricPoint(Start.AddMinutes(p.Minute), p.Value)).ToList());

    [Fact]
    public void Missing_minutes_break_the_line_instead_of_drawing_a_ramp_across_them()
    {
        // Minutes 3 to 5 missing (CloudWatch leaves them out of the answer), and minute 9 alone.
        var series = Minutes("replica lag", (0, 1), (1, 2), (2, 3), (6, 7), (7, 8), (9, 4));

        var geometry = ChartGeometry.Layout([series], Start, Start.AddMinutes(10), DisplayUnit.Seconds, null);

        var segments = geometry.Lines.Single().Segments.Select(s => s.Split(' ').Length).ToList();
        Assert.Equal([3, 2, 1], segments);
    }

    [Fact]
    public void Lines_without_missing_minutes_are_one_line()
    {
        var geometry = ChartGeometry.Layout([Line("p99", 100, 200, 300, 250)], Start, Start.AddMinutes(3), DisplayUnit.Milliseconds, null);

        Assert.Single(geometry.Lines.Single().Segments);
    }

    [Fact]
    public void Each_series_has_its_value_at_every_minute_for_the_crosshair_and_nothing_where_data_is_missing()
    {
        var p50 = Minutes("p50", (0, 41.26), (1, 40), (2, 39.5));
        var p99 = Minutes("p99", (0, 1234.4), (2, 980));

        var geometry = ChartGeometry.Layout([p50, p99], Start, Start.AddMinutes(2), DisplayUnit.Milliseconds, null);

        Assert.Equal(3, geometry.Slots.Count);
        Assert.Equal(Start.AddMinutes(1), geometry.Slots[1]);
        Assert.Equal("41.3|40.0|39.5", geometry.Lines[0].HoverValues);
        Assert.Equal("1,234||980", geometry.Lines[1].HoverValues);
    }

    [Theory]
    [InlineData(1500, DisplayUnit.RequestsPerSecond, "1,500 req/s")]
    [InlineData(12_000_000, DisplayUnit.Count, "12,500,000")]
    [InlineData(0.8, DisplayUnit.Milliseconds, "0.800 ms")]
    public void The_left_margin_is_wide_enough_for_the_longest_y_label(double max, DisplayUnit unit, string longest)
    {
        var geometry = ChartGeometry.Layout([Line("x", max / 2, max)], Start, Start.AddMinutes(1), unit, null);

        Assert.Contains(longest, geometry.YTicks.Select(t => t.Label));
        // Labels end 6 px left of the plot; every one must start inside the picture.
        Assert.All(geometry.YTicks, tick =>
            Assert.True(geometry.Left - 6 - tick.Label.Length * ChartGeometry.LabelCharWidth >= 0, $"{tick.Label} needs more than {geometry.Left} px"));
    }

    [Fact]
    public void A_zoomed_chart_draws_only_the_points_of_its_window()
    {
        var geometry = ChartGeometry.Layout([Line("p99", 1, 2, 3, 4, 5, 6)], Start.AddMinutes(2), Start.AddMinutes(4), DisplayUnit.Milliseconds, null);

        Assert.Equal(3, geometry.Lines.Single().PointCount);
        Assert.Equal("3.00|4.00|5.00", geometry.Lines.Single().HoverValues);
        Assert.Equal(5, geometry.YMax);
    }

    [Fact]
    public void Viewers_of_the_same_refresh_share_one_layout_and_a_new_window_gets_its_own()
    {
        IReadOnlyList<ChartSeries> pushed = [Line("p99", 1, 2, 3)];

        var first = ChartGeometry.Shape(pushed, Start, Start.AddMinutes(2), DisplayUnit.Milliseconds, null);
        var second = ChartGeometry.Shape(pushed, Start, Start.AddMinutes(2), DisplayUnit.Milliseconds, null);
        var zoomed = ChartGeometry.Shape(pushed, Start, Start.AddMinutes(1), DisplayUnit.Milliseconds, null);

        Assert.Same(first, second);
        Assert.NotSame(first, zoomed);
        Assert.Equal(2, zoomed.Lines.Single().PointCount);
    }
}

public class ValueFormatTests
{
    [Theory]
    [InlineData(6.0, DisplayUnit.Count, "6")]
    [InlineData(5.5, DisplayUnit.Count, "5.5")]
    [InlineData(212.4, DisplayUnit.Milliseconds, "212 ms")]
    [InlineData(36.04, DisplayUnit.Milliseconds, "36.0 ms")]
    [InlineData(0.0754, DisplayUnit.Percent, "0.075 %")]
    [InlineData(309.2, DisplayUnit.RequestsPerSecond, "309 req/s")]
    public void Values_carry_their_unit_and_a_sensible_precision(double value, DisplayUnit unit, string expected) =>
        Assert.Equal(expected, ChartGeometry.FormatValue(value, unit));
}
