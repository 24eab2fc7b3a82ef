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

        var points = geometry.Lines.Single().Points.Split(' ');
        Assert.Equal(3, points.Length);
        Assert.StartsWith($"{ChartGeometry.Left},", points[0]);
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
