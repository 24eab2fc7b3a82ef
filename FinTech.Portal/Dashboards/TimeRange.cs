namespace FinTech.Portal.Dashboards;

/// <summary>
/// A relative time range ("the last hour") and the CloudWatch period that keeps a chart at a
/// few hundred points at most. Relative ranges are what viewers share a refresh for.
/// </summary>
public sealed record TimeRange(string Key, string Label, TimeSpan Length, int PeriodSeconds)
{
    public static readonly IReadOnlyList<TimeRange> All =
    [
        new("15m", "Last 15 minutes", TimeSpan.FromMinutes(15), 60),
        new("1h", "Last hour", TimeSpan.FromHours(1), 60),
        new("3h", "Last 3 hours", TimeSpan.FromHours(3), 60),
        new("12h", "Last 12 hours", TimeSpan.FromHours(12), 300),
        new("24h", "Last 24 hours", TimeSpan.FromHours(24), 300),
        new("3d", "Last 3 days", TimeSpan.FromDays(3), 900),
        new("7d", "Last 7 days", TimeSpan.FromDays(7), 3600),
    ];

    public static TimeRange Default => All[1];

    /// <summary>
    /// The shortest range whose window reaches back to <paramref name="from"/>: the one with the
    /// finest period that still holds a zoomed window's data. Older than every range, the longest.
    /// </summary>
    public static TimeRange Covering(DateTimeOffset from, DateTimeOffset now) =>
        All.FirstOrDefault(r => r.WindowEndingAt(now).Start <= from) ?? All[^1];

    public static TimeRange? Find(string? key) => All.FirstOrDefault(r => string.Equals(r.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The window ending at the last whole period before <paramref name="now"/>: CloudWatch's
    /// current minute is still filling, and a half-full bucket would read as a drop.
    /// </summary>
    public (DateTimeOffset Start, DateTimeOffset End) WindowEndingAt(DateTimeOffset now)
    {
        var period = TimeSpan.FromSeconds(PeriodSeconds);
        var end = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % period.Ticks), TimeSpan.Zero);
        return (end - Length, end);
    }
}

/// <summary>
/// A dashboard zoomed into part of its time range (dragged across a chart): <c>?from=&amp;to=</c> in
/// the address, ISO 8601 UTC, beside <c>?range=</c>. The panels draw this window only.
/// </summary>
public sealed record ZoomWindow(DateTimeOffset From, DateTimeOffset To)
{
    public static readonly TimeSpan Shortest = TimeSpan.FromMinutes(2);

    /// <summary>The window the address names, or null when it names none or a nonsensical one (then the page is not zoomed).</summary>
    public static ZoomWindow? Parse(string? from, string? to) =>
        Time(from) is { } start && Time(to) is { } end && end - start >= Shortest ? new ZoomWindow(start, end) : null;

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
