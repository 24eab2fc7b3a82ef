using System.Globalization;

namespace FinTech.Portal.Hosting;

/// <summary>
/// The portal's two ways of writing a time, always UTC: <see cref="Stored"/> for machines (log
/// lines, database rows, the audit trail's hashed content; sortable, millisecond precision) and
/// <see cref="Shown"/> for people (pages, with "UTC" said once nearby).
/// </summary>
public static class Timestamps
{
    public const string Stored = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public const string Shown = "yyyy-MM-dd HH:mm:ss";

    /// <summary>The time of day only, where the date is evident (a refresh, the data's age).</summary>
    public const string ShownTimeOfDay = "HH:mm:ss";

    public static string Store(DateTimeOffset value) => value.UtcDateTime.ToString(Stored, CultureInfo.InvariantCulture);

    public static string Show(DateTimeOffset value) => value.UtcDateTime.ToString(Shown, CultureInfo.InvariantCulture);

    public static string ShowTimeOfDay(DateTimeOffset value) => value.UtcDateTime.ToString(ShownTimeOfDay, CultureInfo.InvariantCulture);
}
