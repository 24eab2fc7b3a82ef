using System.Globalization;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// <c>MaxRecords</c>/<c>Marker</c> paging as the RDS and ElastiCache APIs do it. The marker is the
/// position of the next record: lists are in time order and only grow at the end, so a marker
/// stays valid while new records arrive.
/// </summary>
internal static class SandboxPaging
{
    public const int MinRecords = 20;
    public const int MaxRecords = 100;

    public static (IReadOnlyList<T> Page, string? Marker) Page<T>(IReadOnlyList<T> records, int? maxRecords, string? marker)
    {
        var size = maxRecords ?? MaxRecords;
        if (size is < MinRecords or > MaxRecords)
        {
            throw new InvalidParameterValueException($"MaxRecords must be between {MinRecords} and {MaxRecords}; got {size}.");
        }
        var offset = 0;
        if (marker is not null && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > records.Count))
        {
            throw new InvalidParameterValueException($"The marker '{marker}' was not issued by this service: start again without a marker.");
        }
        var page = records.Skip(offset).Take(size).ToList();
        var next = offset + page.Count;
        return (page, next < records.Count ? next.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>
    /// The [start, end] of a <c>DescribeEvents</c> request: <c>StartTime</c>/<c>EndTime</c> when given,
    /// else <c>Duration</c> minutes (default 60) back from the end; never beyond the 14 days AWS keeps events.
    /// </summary>
    public static (DateTimeOffset Start, DateTimeOffset End) EventRange(DateTimeOffset now, DateTimeOffset? startTime, DateTimeOffset? endTime, int? duration)
    {
        if (duration is < 0)
        {
            throw new InvalidParameterValueException($"Duration is a number of minutes and cannot be negative; got {duration}.");
        }
        var end = endTime ?? now;
        var start = startTime ?? end.AddMinutes(-(duration ?? 60));
        if (start > end)
        {
            throw new InvalidParameterValueException($"StartTime ({start:u}) is after EndTime ({end:u}).");
        }
        var retained = now.AddDays(-14);
        return (start < retained ? retained : start, end > now ? now : end);
    }
}
