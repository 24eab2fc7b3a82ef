using System.Globalization;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Dashboards.Panels;

/// <summary>
/// Lays out a time-series chart as SVG coordinates: nice axis ticks, scaled lines, formatted
/// labels. Pure, so the layout rules are tested without rendering.
/// </summary>
public sealed class ChartGeometry
{
    public const double Width = 640;
    public const double Height = 220;
    public const double Left = 58;
    public const double Right = 12;
    public const double Top = 10;
    public const double Bottom = 26;

    public static readonly IReadOnlyList<string> Palette = ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b"];

    private static readonly TimeSpan[] TimeSteps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    private ChartGeometry(
        IReadOnlyList<AxisTick> xTicks, IReadOnlyList<AxisTick> yTicks, IReadOnlyList<ChartLine> lines, double? thresholdY, double yMax)
    {
        XTicks = xTicks;
        YTicks = yTicks;
        Lines = lines;
        ThresholdY = thresholdY;
        YMax = yMax;
    }

    public IReadOnlyList<AxisTick> XTicks { get; }
    public IReadOnlyList<AxisTick> YTicks { get; }
    public IReadOnlyList<ChartLine> Lines { get; }

    /// <summary>The y of the warning threshold line, when it is within the chart.</summary>
    public double? ThresholdY { get; }

    public double YMax { get; }

    public static double PlotWidth => Width - Left - Right;
    public static double PlotHeight => Height - Top - Bottom;

    public static ChartGeometry Layout(
        IReadOnlyList<ChartSeries> series, DateTimeOffset start, DateTimeOffset end, DisplayUnit unit, double? threshold)
    {
        var dataMax = series.SelectMany(s => s.Points).Select(p => p.Value).DefaultIfEmpty(0).Max();
        // Show the threshold when it is in sight of the data; a far-away one would flatten the lines.
        var showThreshold = threshold is > 0 && threshold <= Math.Max(dataMax, 1e-9) * 2;
        var top = Math.Max(dataMax, showThreshold ? threshold!.Value : 0);
        if (unit == DisplayUnit.Percent && top > 60)
        {
            top = 100;
        }
        var (yMax, yStep) = NiceScale(top);

        var span = Math.Max((end - start).TotalSeconds, 1);
        double X(DateTimeOffset t) => Left + (t - start).TotalSeconds / span * PlotWidth;
        double Y(double v) => Top + PlotHeight - v / yMax * PlotHeight;

        var yTicks = new List<AxisTick>();
        for (var v = 0.0; v <= yMax + yStep / 2; v += yStep)
        {
            yTicks.Add(new AxisTick(Y(v), FormatValue(v, unit, yStep)));
        }

        var step = TimeSteps.FirstOrDefault(s => (end - start) / s <= 7, TimeSpan.FromDays(1));
        var multiDay = end - start > TimeSpan.FromDays(1);
        var xTicks = new List<AxisTick>();
        var first = new DateTimeOffset(start.UtcTicks + (step.Ticks - start.UtcTicks % step.Ticks) % step.Ticks, TimeSpan.Zero);
        for (var t = first; t <= end; t += step)
        {
            xTicks.Add(new AxisTick(X(t), t.UtcDateTime.ToString(multiDay ? "ddd dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture)));
        }

        var lines = series.Select((s, i) => new ChartLine(
            s.Label,
            Palette[i % Palette.Count],
            string.Join(" ", s.Points.Select(p => $"{Fmt(X(p.Timestamp))},{Fmt(Y(p.Value))}")),
            s.Points.Count,
            s.Latest is { } latest ? FormatValue(latest, unit) : "no data")).ToList();

        return new ChartGeometry(xTicks, yTicks, lines, showThreshold ? Y(threshold!.Value) : null, yMax);
    }

    /// <summary>A round maximum and step for about five gridlines (1, 2, 2.5, 5 × 10ⁿ).</summary>
    public static (double Max, double Step) NiceScale(double max)
    {
        if (max <= 0 || double.IsNaN(max))
        {
            return (1, 0.25);
        }
        var raw = max / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(s => s >= raw);
        return (Math.Ceiling(max / step - 1e-9) * step, step);
    }

    public static string UnitSuffix(DisplayUnit unit) => unit switch
    {
        DisplayUnit.Milliseconds => " ms",
        DisplayUnit.RequestsPerSecond => " req/s",
        DisplayUnit.PerSecond => "/s",
        DisplayUnit.Percent => " %",
        DisplayUnit.Gibibytes => " GiB",
        DisplayUnit.Seconds => " s",
        _ => "",
    };

    /// <summary>A value with as many decimals as its size (or the axis step) calls for, and its unit.</summary>
    public static string FormatValue(double value, DisplayUnit unit, double? step = null)
    {
        var reference = step ?? Math.Abs(value);
        var format = reference >= 100 ? "N0" : reference >= 10 ? "N1" : reference >= 1 ? "N2" : reference >= 0.01 ? "N3" : "G3";
        if (step is not null && step >= 1 && Math.Abs(step.Value % 1) < 1e-9)
        {
            format = "N0";
        }
        else if (unit == DisplayUnit.Count && reference >= 1)
        {
            // Task and connection counts are whole most of the time: "6", not "6.00".
            format = "#,0.##";
        }
        return value.ToString(format, CultureInfo.InvariantCulture) + UnitSuffix(unit);
    }

    private static string Fmt(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}

public sealed record AxisTick(double Position, string Label);

/// <summary>One series as an SVG polyline, with what its legend shows.</summary>
public sealed record ChartLine(string Label, string Color, string Points, int PointCount, string LatestText);
