using System.Globalization;

namespace FinTech.Portal.Hosting;

/// <summary>
/// The portal's one way of writing a time: UTC, ISO 8601, zone stated (<c>Z</c>), to the millisecond,
/// e.g. <c>2026-11-24T03:00:00.000Z</c>. Log lines, database rows and the audit trail's hashed content
/// store it (<see cref="Store"/>), and every page shows the same text (<see cref="Show"/>), so a time
/// read on an operations page, the Sandbox or the sessions list is found as written in the audit
/// trail, its exports and the evidence. Pages never format a time themselves (a test reads them).
/// The shorter forms below are for where a full time would not fit or not help, each said once here.
/// </summary>
public static class Timestamps
{
    public const string Stored = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public const string ShownTimeOfDay = "HH:mm:ss";

    public static string Store(DateTimeOffset value) => value.UtcDateTime.ToString(Stored, CultureInfo.InvariantCulture);

    /// <summary>A point in time on a page: exactly the stored text (the audit reviewer's view is this).</summary>
    public static string Show(DateTimeOffset value) => Store(value);

    /// <summary>The time of day only, where the date is evident (a refresh, the data's age); the page says "UTC" beside it.</summary>
    public static string ShowTimeOfDay(DateTimeOffset value) => value.UtcDateTime.ToString(ShownTimeOfDay, CultureInfo.InvariantCulture);

    /// <summary>A day (retention boundaries), e.g. <c>2026-11-24</c>.</summary>
    public static string ShowDay(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A chart's time-axis tick: the hour and minute, with the weekday and day once the range spans days.</summary>
    public static string ShowOnAxis(DateTimeOffset value, bool spansDays) =>
        value.UtcDateTime.ToString(spansDays ? "ddd dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A time range, both ends in full.</summary>
    public static string ShowRange(DateTimeOffset from, DateTimeOffset to) => $"{Show(from)} – {Show(to)}";

    /// <summary>The value syntax of <c>input type=datetime-local</c> (no zone; the portal reads it as UTC).</summary>
    public static string DateTimeInputValue(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
}
