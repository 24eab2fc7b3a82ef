using Bunit;
using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Audit;

public sealed class AuditPagesTests : IAsyncLifetime
{
    private AuditPagesContext _context = null!;

    private BunitContext Bunit => _context.Bunit;

    public async Task InitializeAsync()
    {
        _context = await AuditPagesContext.CreateAsync();
        _context.SignInAsAuditor();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    /// <summary>The rows other than the reviewer's own searches (each search is recorded before it runs, so it lists itself).</summary>
    private static List<AngleSharp.Dom.IElement> EventRows(IRenderedComponent<AuditListPage> page) =>
        [.. page.FindAll("[data-testid=audit-row]").Where(r => !r.TextContent.Contains(AuditEventTypes.AuditSearched, StringComparison.Ordinal))];

    private static List<string?> Sequences(IEnumerable<AngleSharp.Dom.IElement> rows) => [.. rows.Select(r => r.GetAttribute("data-sequence"))];

    private void Navigate(string uri) => Bunit.Services.GetRequiredService<NavigationManager>().NavigateTo(uri);

    [Fact]
    public async Task The_list_shows_the_newest_events_first_with_actor_event_and_outcome()
    {
        await _context.Kit.RecordManyAsync(3, n => AuditTestKit.Entry(n, outcome: n == 2 ? AuditOutcome.Denied : AuditOutcome.Succeeded));

        var page = Bunit.Render<AuditListPage>();

        page.WaitForAssertion(() => Assert.Equal(["4", "3", "2", "1"], Sequences(page.FindAll("[data-testid=audit-row]"))));
        Assert.Contains(AuditEventTypes.AuditSearched, page.FindAll("[data-testid=audit-row]")[0].TextContent);
        var second = EventRows(page)[1];
        Assert.Contains("sandbox.fault-changed", second.TextContent);
        Assert.Contains("Bob Operator", second.TextContent);
        Assert.Contains("Denied", second.QuerySelector("[data-testid=audit-outcome]")!.TextContent);
    }

    [Fact]
    public async Task Filters_given_in_the_address_narrow_the_list_and_the_exports()
    {
        await _context.Kit.RecordManyAsync(6, n => AuditTestKit.Entry(n, eventType: n % 2 == 0 ? "dashboard.viewed" : "sandbox.fault-changed", environment: n > 3 ? "prod" : "sandbox"));

        Navigate("/audit?eventType=dashboard.viewed&environment=prod");
        var page = Bunit.Render<AuditListPage>();

        page.WaitForAssertion(() => Assert.Equal(["6", "4"], page.FindAll("[data-testid=audit-row]").Select(r => r.GetAttribute("data-sequence"))));
        Assert.Equal("/audit/export.csv?eventType=dashboard.viewed&environment=prod", page.Find("[data-testid=audit-export-csv]").GetAttribute("href"));
        Assert.Equal("/audit/export.jsonl?eventType=dashboard.viewed&environment=prod", page.Find("[data-testid=audit-export-jsonl]").GetAttribute("href"));
    }

    [Fact]
    public async Task Typing_a_filter_and_searching_shows_only_matching_events_and_puts_the_filter_in_the_address()
    {
        await _context.Kit.RecordManyAsync(4, n => AuditTestKit.Entry(n, actor: n == 3 ? AuditTestKit.Alice : AuditTestKit.Bob));
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => Assert.Equal(4, EventRows(page).Count));

        page.Find("input[data-testid=filter-actor]").Change("Alice Auditor");
        page.Find("[data-testid=audit-search]").Click();

        // Alice's own searches (#5, #6) are hers too.
        page.WaitForAssertion(() => Assert.Equal(["6", "5", "3"], Sequences(page.FindAll("[data-testid=audit-row]"))));
        Assert.Equal(["3"], Sequences(EventRows(page)));
        Assert.EndsWith("/audit?actor=Alice%20Auditor", Bunit.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task The_outcome_is_a_choice_of_the_three_outcomes_and_choosing_Denied_lists_only_denials()
    {
        await _context.Kit.RecordManyAsync(4, n => AuditTestKit.Entry(n, outcome: n == 3 ? AuditOutcome.Denied : AuditOutcome.Succeeded));
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => Assert.Equal(4, EventRows(page).Count));

        Assert.Equal(["", "Succeeded", "Failed", "Denied"], page.FindAll("select[data-testid=filter-outcome] option").Select(o => o.GetAttribute("value")));
        page.Find("select[data-testid=filter-outcome]").Change("Denied");
        page.Find("[data-testid=audit-search]").Click();

        page.WaitForAssertion(() => Assert.Equal(["3"], Sequences(page.FindAll("[data-testid=audit-row]"))));
        Assert.EndsWith("/audit?outcome=Denied", Bunit.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task The_event_type_offers_the_types_the_trail_holds()
    {
        await _context.Kit.RecordManyAsync(3, n => AuditTestKit.Entry(n, eventType: n == 2 ? AuditEventTypes.DashboardViewed : AuditEventTypes.SandboxFaultChanged));

        var page = Bunit.Render<AuditListPage>();

        // The page's own search is recorded before it runs, so its type is there too.
        page.WaitForAssertion(() => Assert.Equal(
            [AuditEventTypes.AuditSearched, AuditEventTypes.DashboardViewed, AuditEventTypes.SandboxFaultChanged],
            page.FindAll("[data-testid=event-type-choices] option").Select(o => o.GetAttribute("value"))));
        Assert.Equal("audit-event-types", page.Find("input[data-testid=filter-event-type]").GetAttribute("list"));
    }

    [Fact]
    public async Task A_time_picked_in_the_from_picker_is_read_as_UTC_and_the_address_time_shows_in_the_picker()
    {
        await _context.Kit.RecordManyAsync(2);
        _context.Kit.Time.Advance(TimeSpan.FromHours(2));
        await _context.Kit.RecordManyAsync(1);
        var late = _context.Kit.Time.GetUtcNow().AddMinutes(-1).UtcDateTime;
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => Assert.Equal(3, EventRows(page).Count));

        var from = page.Find("input[data-testid=filter-from]");
        Assert.Equal(("datetime-local", "1"), (from.GetAttribute("type"), from.GetAttribute("step")));
        from.Change(late.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        page.Find("[data-testid=audit-search]").Click();

        page.WaitForAssertion(() => Assert.Equal(["3"], Sequences(EventRows(page))));
        Assert.Equal(late.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), page.Find("input[data-testid=filter-from]").GetAttribute("value"));
        Assert.Contains("from=" + Uri.EscapeDataString(late.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), Bunit.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task A_time_filter_that_is_not_a_time_is_refused_with_a_message()
    {
        await _context.Kit.RecordManyAsync(1);
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => Assert.Single(EventRows(page)));

        page.Find("input[data-testid=filter-from]").Change("yesterday-ish");
        page.Find("[data-testid=audit-search]").Click();

        page.WaitForAssertion(() => Assert.Contains("'from' must be a UTC time", page.Find("[data-testid=audit-error]").TextContent));
    }

    [Fact]
    public async Task Older_pages_continue_where_the_newer_page_ended()
    {
        await _context.Kit.RecordManyAsync(AuditReader.DefaultPageSize + 5);
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => Assert.Equal(AuditReader.DefaultPageSize, page.FindAll("[data-testid=audit-row]").Count));

        Assert.Equal("56", page.FindAll("[data-testid=audit-row]")[0].GetAttribute("data-sequence"));

        page.Find("[data-testid=audit-older]").Click();

        // Page 1 was #56 (its own search) down to #7; the older page continues at #6.
        page.WaitForAssertion(() => Assert.Equal(["6", "5", "4", "3", "2", "1"], Sequences(page.FindAll("[data-testid=audit-row]"))));
    }

    [Fact]
    public async Task Events_past_online_retention_are_flagged_as_due_for_archive()
    {
        await _context.Kit.RecordManyAsync(1);
        _context.Kit.Time.Advance(TimeSpan.FromDays(401));
        await _context.Kit.RecordManyAsync(1);

        var page = Bunit.Render<AuditListPage>();

        page.WaitForAssertion(() => Assert.Equal(2, EventRows(page).Count));
        var rows = EventRows(page);
        Assert.Empty(rows[0].QuerySelectorAll("[data-testid=due-for-archive]"));
        Assert.Single(rows[1].QuerySelectorAll("[data-testid=due-for-archive]"));
        Assert.Contains("Online retention: 400 days", page.Find("[data-testid=audit-retention]").TextContent);
    }

    [Fact]
    public async Task Opening_the_list_is_itself_recorded_as_an_audit_search_by_the_reviewer()
    {
        Navigate("/audit?eventType=portal.started");
        var page = Bunit.Render<AuditListPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=audit-empty]"));

        var searches = await _context.EventsAsync(AuditEventTypes.AuditSearched);

        var search = Assert.Single(searches);
        Assert.Equal("user-alice", search.Actor.UserId);
        Assert.Equal(AuditOutcome.Succeeded, search.Outcome);
        Assert.Equal("portal.started", search.Parameters["eventType"]);
    }

    [Fact]
    public async Task A_user_without_the_auditor_role_sees_a_refusal_and_the_denial_is_recorded()
    {
        await _context.Kit.RecordManyAsync(2);
        _context.SignInAsOperator();

        var page = Bunit.Render<AuditListPage>();

        page.WaitForAssertion(() => Assert.Contains("needs the Auditor or Admin role", page.Find("[data-testid=audit-error]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=audit-row]"));
        var denial = Assert.Single(await _context.EventsAsync(AuditEventTypes.AuditSearched));
        Assert.Equal(AuditOutcome.Denied, denial.Outcome);
        Assert.Equal("user-bob", denial.Actor.UserId);
    }

    [Fact]
    public async Task The_detail_view_shows_who_what_when_where_the_parameters_and_the_hashes()
    {
        var recorded = await _context.Kit.Trail.RecordAsync(new AuditEntry("sandbox.fault-changed", AuditTestKit.Bob, AuditOutcome.Succeeded, "sandbox", "aurora-replica-lag",
            new Dictionary<string, string?> { ["lagSeconds"] = "30" }), CancellationToken.None);

        var page = Bunit.Render<AuditEventPage>(p => p.Add(x => x.Sequence, recorded.Sequence));

        page.WaitForAssertion(() => page.Find("[data-testid=audit-event]"));
        Assert.Equal("sandbox.fault-changed", page.Find("[data-testid=detail-event-type]").TextContent);
        Assert.Equal("Bob Operator (user-bob)", page.Find("[data-testid=detail-actor]").TextContent);
        Assert.Equal("sandbox", page.Find("[data-testid=detail-environment]").TextContent);
        Assert.Equal("aurora-replica-lag", page.Find("[data-testid=detail-target]").TextContent);
        Assert.Contains(AuditCanonical.FormatTimestamp(recorded.OccurredAt), page.Find("[data-testid=detail-time]").TextContent);
        Assert.Contains("lagSeconds", page.Find("[data-testid=detail-parameters]").TextContent);
        Assert.Equal(recorded.Hash, page.Find("[data-testid=detail-hash]").TextContent);
        var viewed = Assert.Single(await _context.EventsAsync(AuditEventTypes.AuditEventViewed));
        Assert.Equal($"audit-event/{recorded.Sequence}", viewed.Target);
    }

    [Fact]
    public async Task The_detail_view_of_a_missing_event_says_so()
    {
        var page = Bunit.Render<AuditEventPage>(p => p.Add(x => x.Sequence, 999));

        page.WaitForAssertion(() => Assert.Contains("There is no audit event #999", page.Find("[data-testid=audit-not-found]").TextContent));
    }

    [Fact]
    public async Task Verification_reports_an_intact_chain_through_its_head_and_the_anchor_it_matches()
    {
        await _context.Kit.RecordManyAsync(3);
        await _context.Kit.Anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None);
        var panel = Bunit.Render<AuditVerifyPanel>();

        panel.Find("[data-testid=verify-button]").Click();

        panel.WaitForAssertion(() => Assert.Contains("Intact through #4, matches anchor at #3.", panel.Find("[data-testid=verify-result]").TextContent));
        var verified = Assert.Single(await _context.EventsAsync(AuditEventTypes.AuditVerified));
        Assert.Equal(AuditOutcome.Succeeded, verified.Outcome);
    }

    [Fact]
    public async Task Verification_reports_the_first_broken_event_and_why()
    {
        await _context.Kit.RecordManyAsync(5);
        await _context.TamperAsync("UPDATE audit_events SET content = replace(content, 'change number', 'CHANGED') WHERE sequence = 2");
        var panel = Bunit.Render<AuditVerifyPanel>();

        panel.Find("[data-testid=verify-button]").Click();

        panel.WaitForAssertion(() => Assert.Contains("Broken at #2: #2 was changed", panel.Find("[data-testid=verify-result]").TextContent));
        var verified = Assert.Single(await _context.EventsAsync(AuditEventTypes.AuditVerified));
        Assert.Equal(AuditOutcome.Failed, verified.Outcome);
        Assert.Equal("2", verified.Parameters["brokenAt"]);
    }

    [Fact]
    public async Task Anchoring_on_demand_pins_the_head_and_verification_then_names_that_anchor()
    {
        await _context.Kit.RecordManyAsync(2);
        var panel = Bunit.Render<AuditVerifyPanel>();

        panel.Find("[data-testid=anchor-button]").Click();
        panel.WaitForAssertion(() => Assert.StartsWith("Anchored #2 (", panel.Find("[data-testid=anchor-result]").TextContent));
        panel.Find("[data-testid=verify-button]").Click();

        panel.WaitForAssertion(() => Assert.Contains("matches anchor at #2.", panel.Find("[data-testid=verify-result]").TextContent));
        var anchored = Assert.Single(await _context.EventsAsync(AuditEventTypes.AuditAnchored));
        Assert.Equal("user-alice", anchored.Actor.UserId);
    }

    [Fact]
    public async Task When_the_trail_cannot_be_read_the_verification_panel_says_so_in_words()
    {
        await _context.Kit.RecordManyAsync(2);
        var panel = Bunit.Render<AuditVerifyPanel>();
        await _context.TamperAsync("ALTER TABLE audit_events RENAME TO audit_events_gone");

        panel.Find("[data-testid=verify-button]").Click();

        panel.WaitForAssertion(() => Assert.Contains("could not", panel.Find("[data-testid=verify-error]").TextContent));
    }
}
