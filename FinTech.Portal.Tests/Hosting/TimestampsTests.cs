using System.Text.RegularExpressions;
using FinTech.Portal.Audit;
using FinTech.Portal.Hosting;

namespace FinTech.Portal.Tests.Hosting;

/// <summary>One timestamp format: what it is, that the audit reviewer's view is it, and that no page writes a time its own way.</summary>
public sealed partial class TimestampsTests
{
    // Anything a page could write a time with: a date pattern or a one-letter date format given to
    // ToString, a date pattern in an interpolation hole, the culture-dependent shortcuts, the local
    // zone, or the audit trail's canonical formatter used as a display format.
    [GeneratedRegex("""
        ToString\(\s*"[^"]*(yy|MM|dd|HH|hh|mm|ss)[^"]*"
        |ToString\(\s*"[uUoOs]"
        |\{[^{}"]*:(yyyy|yy|MM|dd|HH|hh|mm)[^{}]*\}
        |To(Short|Long)(Date|Time)String\(
        |ToLocalTime\(
        |AuditCanonical\.FormatTimestamp\(
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex OwnTimeFormat();

    [Fact]
    public void A_time_is_shown_in_UTC_as_ISO_8601_with_its_zone_and_milliseconds()
    {
        var inParis = new DateTimeOffset(2026, 11, 24, 4, 5, 6, 789, TimeSpan.FromHours(1));

        Assert.Equal("2026-11-24T03:05:06.789Z", Timestamps.Show(inParis));
        Assert.Equal("2026-11-24", Timestamps.ShowDay(inParis));
        Assert.Equal("03:05:06", Timestamps.ShowTimeOfDay(inParis));
        Assert.Equal("2026-11-24T03:05:06.789Z – 2026-11-24T04:05:06.789Z", Timestamps.ShowRange(inParis, inParis.AddHours(1)));
    }

    [Fact]
    public void A_page_shows_a_time_exactly_as_the_audit_trail_records_it()
    {
        var occurredAt = new DateTimeOffset(2026, 11, 24, 3, 0, 0, 120, TimeSpan.Zero);

        Assert.Equal(AuditCanonical.FormatTimestamp(occurredAt), Timestamps.Show(occurredAt));
        Assert.Equal(occurredAt, AuditCanonical.ParseTimestamp(Timestamps.Show(occurredAt)));
    }

    [Fact]
    public void No_page_formats_a_time_of_its_own()
    {
        var pages = PortalSources.Files(".razor", ".razor.cs");
        Assert.Contains("Operations/OperationRunPage.razor", pages);
        Assert.Contains("Identity/Pages/SessionsPage.razor", pages);

        Assert.Empty(PortalSources.LinesMatching(pages, OwnTimeFormat()));
    }

    [Theory]
    [InlineData("""<td>@run.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)</td>""")]
    [InlineData("""<td>@PortalUser.SignedInAtOf(_user)?.ToString("u")</td>""")]
    [InlineData("""@($"by {value.ChangedBy} at {value.ChangedAt:HH:mm} UTC")""")]
    [InlineData("""<td>@e.OccurredAt.ToLocalTime()</td>""")]
    [InlineData("""<td>@AuditCanonical.FormatTimestamp(e.OccurredAt)</td>""")]
    public void The_page_rule_catches_a_time_formatted_in_a_page(string line) =>
        Assert.Matches(OwnTimeFormat(), line);

    [Theory]
    [InlineData("""<td>@Timestamps.Show(run.CreatedAt)</td>""")]
    [InlineData("""@table.ItemCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) items""")]
    [InlineData("""@($"{statistics.BytesScanned / 1_000_000:N1} MB scanned")""")]
    [InlineData("""<MudLink Href="@($"/operations/{h.RunId}?env={Uri.EscapeDataString(Environment.Key)}")">""")]
    public void The_page_rule_leaves_numbers_and_addresses_alone(string line) =>
        Assert.DoesNotMatch(OwnTimeFormat(), line);
}
