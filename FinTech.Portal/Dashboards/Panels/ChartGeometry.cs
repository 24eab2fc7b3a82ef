using System.Globalization;
using System.Runtime.CompilerServices;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Dashboards.Panels;

/// <summary>
/// Lays out a time-series chart as SVG coordinates: nice axis ticks, scaled lines broken where
/// data is missing, formatted labels, and the values the browser's crosshair reads. Pure, so the
/// layout rules are tested without rendering.
/// </summary>
public sealed class ChartGeometry
{
    public const double Width = 640;
    public const double Height = 220;
    public const double Right = 12;
    public const double Top = 10;
    public const double Bottom = 26;

    /// <summary>Axis labels are 11 px; a digit or letter of the UI font is at most this wide at that size.</summary>
    public const double LabelCharWidth = 6.6;

    /// <summary>The gap between a y label and the plot, and the narrowest left margin.</summary>
    private const double LabelGap = 6;
    private const double MinLeft = 40;

    /// <summary>Series colours: CSS classes whose colours the theme (light or dark) defines in app.css.</summary>
    public const int PaletteSize = 6;

    private static readonly TimeSpan[] TimeSteps =
    [
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1),
    ];

    // Every viewer of a dashboard is pushed the same snapshot, so the same series list: its layout
    // is built once and shared by all their circuits instead of once per circuit.
    private static readonly ConditionalWeakTable<IReadOnlyList<ChartSeries>, ChartGeometry> Shared = [];

    private ChartGeometry(LayoutKey key, double left, IReadOnlyList<AxisTick> xTicks, IReadOnlyList<AxisTick> yTicks,
        IReadOnlyList<ChartLine> lines, double? thresholdY, double yMax, TimeSlots slots)
    {
        Key = key;
        Left = left;
        XTicks = xTicks;
        YTicks = yTicks;
        Lines = lines;
        ThresholdY = thresholdY;
        YMax = yMax;
        Slots = slots;
        LeftText = Fmt(left);
        RightText = Fmt(Width - Right);
        ThresholdText = thresholdY is { } y ? Fmt(y) : null;
        StartMs = key.Start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        EndMs = key.End.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The inside of the chart's SVG (grid, axes, threshold, lines) as markup, built once and
    /// shared by every viewer: each circuit's render tree holds one reference to it instead of a
    /// few hundred elements and attributes of its own per chart.
    /// </summary>
    public string SvgContent => _svgContent ??= BuildSvgContent();

    private string? _svgContent;

    /// <summary>
    /// The chart's picture (the SVG and the overlay charts.js draws the crosshair on) as markup,
    /// once per accessible name: like <see cref="SvgContent"/>, shared by every viewer's circuit.
    /// </summary>
    public string PlotMarkup(string ariaLabel) => _plots.GetOrAdd(ariaLabel, label =>
        $"<div class=\"ts-plot\"><svg viewBox=\"0 0 {Fmt(Width)} {Fmt(Height)}\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(label)}\" focusable=\"false\">{SvgContent}</svg><div class=\"ts-overlay\" aria-hidden=\"true\"></div></div>");

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _plots = new(StringComparer.Ordinal);

    /// <summary>The legend's entries (a swatch, the label and the latest value per line, the warning line) as shared markup.</summary>
    public string LegendContent => _legendContent ??= BuildLegendContent();

    private string? _legendContent;

    private string BuildLegendContent()
    {
        static string E(string text) => System.Net.WebUtility.HtmlEncode(text);
        var legend = new System.Text.StringBuilder(512);
        foreach (var line in Lines)
        {
            legend.Append(CultureInfo.InvariantCulture,
                $"<span class=\"ts-legend-item\" data-testid=\"legend-item\"><span class=\"ts-swatch ts-s{line.ColorIndex}\"></span>{E(line.Label)} <b>{E(line.LatestText)}</b></span>");
        }
        if (Key.Threshold is { } threshold && ThresholdText is not null)
        {
            legend.Append(CultureInfo.InvariantCulture,
                $"<span class=\"ts-legend-item\" data-testid=\"legend-threshold\"><span class=\"ts-swatch ts-swatch-threshold\"></span>warning at {E(FormatValue(threshold, Key.Unit))}</span>");
        }
        legend.Append("<span class=\"ts-legend-note\">times in UTC</span>");
        return legend.ToString();
    }

    private string BuildSvgContent()
    {
        static string E(string text) => System.Net.WebUtility.HtmlEncode(text);
        var axisY = Fmt(Height - Bottom);
        var svg = new System.Text.StringBuilder(4096);
        foreach (var tick in YTicks)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"y-tick\"><line x1=\"{LeftText}\" x2=\"{RightText}\" y1=\"{tick.Coordinate}\" y2=\"{tick.Coordinate}\"></line>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{LeftText}\" y=\"{tick.LabelBaseline}\" dx=\"-6\">{E(tick.Label)}</text></g>");
        }
        foreach (var tick in XTicks)
        {
            // A label at the right edge ends there instead of running out of the picture.
            var anchor = tick.Position > Width - Right - 30 ? "end" : "middle";
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"x-tick\"><line x1=\"{tick.Coordinate}\" x2=\"{tick.Coordinate}\" y1=\"{axisY}\" y2=\"{Fmt(Height - Bottom + 4)}\"></line>")
               .Append(CultureInfo.InvariantCulture, $"<text x=\"{tick.Coordinate}\" y=\"{Fmt(Height - 8)}\" text-anchor=\"{anchor}\">{E(tick.Label)}</text></g>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"ts-axis\" x1=\"{LeftText}\" x2=\"{RightText}\" y1=\"{axisY}\" y2=\"{axisY}\"></line>");
        if (ThresholdText is { } threshold)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"ts-threshold\" x1=\"{LeftText}\" x2=\"{RightText}\" y1=\"{threshold}\" y2=\"{threshold}\" stroke-dasharray=\"6 4\" data-testid=\"threshold\"></line>");
        }
        foreach (var line in Lines)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"ts-line ts-s{line.ColorIndex}\" data-series=\"{E(line.Label)}\" data-values=\"{E(line.HoverValues)}\">");
            foreach (var segment in line.Segments)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{segment}\"></polyline>");
            }
            svg.Append("</g>");
        }
        return svg.ToString();
    }

    // What the markup and the browser's script read, as text built once and shared by every viewer.
    public string LeftText { get; }
    public string RightText { get; }
    public string? ThresholdText { get; }
    public string StartMs { get; }
    public string EndMs { get; }

    private LayoutKey Key { get; }

    /// <summary>Where the plot starts: wide enough for the longest y label, so none is ever cut off.</summary>
    public double Left { get; }

    public double PlotWidth => Width - Left - Right;
    public static double PlotHeight => Height - Top - Bottom;

    public IReadOnlyList<AxisTick> XTicks { get; }
    public IReadOnlyList<AxisTick> YTicks { get; }
    public IReadOnlyList<ChartLine> Lines { get; }

    /// <summary>The y of the warning threshold line, when it is within the chart.</summary>
    public double? ThresholdY { get; }

    public double YMax { get; }

    /// <summary>The points in time the crosshair and the table read, one per period.</summary>
    public TimeSlots Slots { get; }

    /// <summary>The x of a point in time.</summary>
    public double X(DateTimeOffset time) =>
        Left + (time - Key.Start).TotalSeconds / Math.Max((Key.End - Key.Start).TotalSeconds, 1) * PlotWidth;

    /// <summary>The layout of a shared series list, built by the first viewer and reused by the others.</summary>
    public static ChartGeometry Shape(
        IReadOnlyList<ChartSeries> series, DateTimeOffset start, DateTimeOffset end, DisplayUnit unit, double? threshold)
    {
        var key = new LayoutKey(start, end, unit, threshold);
        if (Shared.TryGetValue(series, out var shared) && shared.Key == key)
        {
            return shared;
        }
        var geometry = Layout(series, start, end, unit, threshold);
        Shared.AddOrUpdate(series, geometry);
        return geometry;
    }

    public static ChartGeometry Layout(
        IReadOnlyList<ChartSeries> series, DateTimeOffset start, DateTimeOffset end, DisplayUnit unit, double? threshold)
    {
        ArgumentNullException.ThrowIfNull(series);
        // A zoomed chart shows part of the data it was given.
        var visible = series.Select(s => s.Points.Where(p => p.Timestamp >= start && p.Timestamp <= end && double.IsFinite(p.Value)).ToList()).ToList();

        var dataMax = visible.SelectMany(p => p).Select(p => p.Value).DefaultIfEmpty(0).Max();
        // Show the threshold when it is in sight of the data; a far-away one would flatten the lines.
        var showThreshold = threshold is > 0 && threshold <= Math.Max(dataMax, 1e-9) * 2;
        var top = Math.Max(dataMax, showThreshold ? threshold!.Value : 0);
        if (unit == DisplayUnit.Percent && top > 60)
        {
            top = 100;
        }
        var (yMax, yStep) = NiceScale(top);

        var yLabels = new List<(double Value, string Label)>();
        for (var v = 0.0; v <= yMax + yStep / 2; v += yStep)
        {
            yLabels.Add((v, FormatValue(v, unit, yStep)));
        }
        var left = Math.Max(MinLeft, Math.Ceiling(yLabels.Max(l => l.Label.Length) * LabelCharWidth + LabelGap + 2));
        var plotWidth = Width - left - Right;

        var span = Math.Max((end - start).TotalSeconds, 1);
        double X(DateTimeOffset t) => left + (t - start).TotalSeconds / span * plotWidth;
        double Y(double v) => Top + PlotHeight - v / yMax * PlotHeight;

        var yTicks = yLabels.Select(l => new AxisTick(Y(l.Value), l.Label)).ToList();

        var step = TimeSteps.FirstOrDefault(s => (end - start) / s <= 7, TimeSpan.FromDays(1));
        var multiDay = end - start > TimeSpan.FromDays(1);
        var xTicks = new List<AxisTick>();
        var first = new DateTimeOffset(start.UtcTicks + (step.Ticks - start.UtcTicks % step.Ticks) % step.Ticks, TimeSpan.Zero);
        for (var t = first; t <= end; t += step)
        {
            xTicks.Add(new AxisTick(X(t), t.UtcDateTime.ToString(multiDay ? "ddd dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture)));
        }

        var period = PeriodOf(visible);
        var slots = TimeSlots.For(visible, period);
        var lines = series.Select((s, i) => new ChartLine(
            s.Label,
            i % PaletteSize,
            Segments(visible[i], period).Select(segment => string.Join(" ", segment.Select(p => $"{Fmt(X(p.Timestamp))},{Fmt(Y(p.Value))}"))).ToList(),
            visible[i].Count,
            s.Latest is { } latest ? FormatValue(latest, unit) : "no data",
            slots.Values(visible[i], unit))).ToList();

        return new ChartGeometry(new LayoutKey(start, end, unit, threshold), left, xTicks, yTicks, lines,
            showThreshold ? Y(threshold!.Value) : null, yMax, slots);
    }

    /// <summary>
    /// The period of the data: the shortest step between two points of a series. CloudWatch
    /// leaves a period without data out of the answer, so a longer step is missing data.
    /// </summary>
    public static TimeSpan? PeriodOf(IEnumerable<IReadOnlyList<MetricPoint>> series) => series
        .SelectMany(points => points.Zip(points.Skip(1), (a, b) => b.Timestamp - a.Timestamp))
        .Where(step => step > TimeSpan.Zero)
        .Select(step => (TimeSpan?)step)
        .DefaultIfEmpty(null)
        .Min();

    /// <summary>
    /// The runs of points without missing data between them: a line joins the points of a run and
    /// stops where data is missing, instead of drawing a ramp across the gap.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<MetricPoint>> Segments(IReadOnlyList<MetricPoint> points, TimeSpan? period)
    {
        var segments = new List<IReadOnlyList<MetricPoint>>();
        var current = new List<MetricPoint>();
        foreach (var point in points)
        {
            if (current.Count > 0 && period is { } p && point.Timestamp - current[^1].Timestamp > p * 1.5)
            {
                segments.Add(current);
                current = [];
            }
            current.Add(point);
        }
        if (current.Count > 0)
        {
            segments.Add(current);
        }
        return segments;
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
    public static string FormatValue(double value, DisplayUnit unit, double? step = null) =>
        FormatNumber(value, unit, step) + UnitSuffix(unit);

    /// <summary>The number of <see cref="FormatValue"/> without its unit.</summary>
    public static string FormatNumber(double value, DisplayUnit unit, double? step = null)
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
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Fmt(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private sealed record LayoutKey(DateTimeOffset Start, DateTimeOffset End, DisplayUnit Unit, double? Threshold);
}

/// <summary>A tick: its position, its label, and the position as SVG wants it (built once, shared by every viewer).</summary>
public sealed record AxisTick(double Position, string Label)
{
    public string Coordinate { get; } = Position.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Where a y label's baseline goes: a third of the font below the gridline, so the label is centred on it.</summary>
    public string LabelBaseline { get; } = (Position + 4).ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>
/// One series: its polylines (one per run of points without missing data), its colour (a
/// palette index), what its legend shows, and its value in each of the chart's time slots,
/// formatted, empty where there is no data (what the crosshair and the table show).
/// </summary>
public sealed record ChartLine(string Label, int ColorIndex, IReadOnlyList<string> Segments, int PointCount, string LatestText, IReadOnlyList<string> SlotValues)
{
    /// <summary>The slot values as the browser's script reads them, separated by '|'.</summary>
    public string HoverValues { get; } = string.Join('|', SlotValues);
}

/// <summary>
/// The points in time of a chart, one per period from the first point to the last: what the
/// crosshair moves between and what the table lists. <see cref="Step"/> is zero with one point
/// or none.
/// </summary>
public sealed record TimeSlots(DateTimeOffset First, TimeSpan Step, int Count)
{
    private const int MaxSlots = 2000;

    public static TimeSlots For(IReadOnlyList<IReadOnlyList<MetricPoint>> series, TimeSpan? period)
    {
        var times = series.SelectMany(p => p).Select(p => p.Timestamp).ToList();
        if (times.Count == 0)
        {
            return new TimeSlots(default, TimeSpan.Zero, 0);
        }
        var (first, last) = (times.Min(), times.Max());
        if (period is not { } step || last == first)
        {
            return new TimeSlots(first, TimeSpan.Zero, 1);
        }
        if ((last - first) / step >= MaxSlots)
        {
            step = (last - first) / (MaxSlots - 1);
        }
        return new TimeSlots(first, step, (int)Math.Round((last - first) / step) + 1);
    }

    public string FirstMs { get; } = First.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
    public string StepMs { get; } = ((long)Step.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public DateTimeOffset this[int index] => First + Step * index;

    public int IndexOf(DateTimeOffset time) => Step == TimeSpan.Zero ? 0 : (int)Math.Round((time - First) / Step);

    /// <summary>A series' formatted value in each slot; empty where it has none.</summary>
    public IReadOnlyList<string> Values(IReadOnlyList<MetricPoint> points, DisplayUnit unit)
    {
        var values = new string[Count];
        Array.Fill(values, "");
        foreach (var point in points)
        {
            var index = IndexOf(point.Timestamp);
            if (index >= 0 && index < Count)
            {
                values[index] = ChartGeometry.FormatNumber(point.Value, unit);
            }
        }
        return values;
    }
}
