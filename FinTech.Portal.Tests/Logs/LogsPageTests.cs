using Bunit;
using FinTech.Portal.Audit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Logs;

public sealed class LogsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private PortalComponentContext _portal = null!;

    private BunitContext Context => _portal.Bunit;

    private PortalEnvironment Sandbox => Context.Services.GetRequiredService<EnvironmentCatalog>().Get("sandbox");

    private PortalEnvironment Production => Context.Services.GetRequiredService<EnvironmentCatalog>().Get("prod");

    public async Task InitializeAsync()
    {
        _portal = await PortalComponentContext.CreateAsync((services, _) => LogsTestKit.AddLogs(services));
        _portal.Authorization.SwitchTo(SandboxPersonas.Olivia);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private IRenderedComponent<LogsPage> Open(string address, PortalEnvironment? environment = null)
    {
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        return Context.Render<LogsPage>(parameters => parameters.AddCascadingValue(environment ?? Sandbox));
    }

    private DateTimeOffset Now => _portal.Time.GetUtcNow();

    [Fact]
    public void A_link_from_the_errors_panel_runs_its_query_and_shows_the_5xx_lines_and_their_histogram()
    {
        var panel = DashboardCatalog.Find(Sandbox, "overview")!.Panels.Single(p => p.Id == "errors");
        var page = Open(LogLinks.ForPanelPoint(Sandbox, panel, Now.AddMinutes(-10), 60)!);

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=result-row]")), Wait);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=histogram] [data-testid=chart]")), Wait);

        var statuses = page.FindAll("[data-testid=result-row] td[data-field=status]").Select(td => int.Parse(td.TextContent, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(statuses);
        Assert.All(statuses, status => Assert.InRange(status, 500, 599));
        Assert.Contains("Complete.", page.Find("[data-testid=query-status]").TextContent);
        Assert.Equal(["", "@timestamp", "status", "route", "error", "traceId", "@logStream"], page.FindAll("[data-testid=results] th").Select(th => th.TextContent));
    }

    [Fact]
    public void A_malformed_query_shows_the_error_and_marks_where_it_is()
    {
        var page = Open("/logs?env=sandbox&q=" + Uri.EscapeDataString("filter status >= 500 | stats median(durationMs)"));

        page.Find("[data-testid=run-query]").Click();

        page.WaitForAssertion(() => Assert.Contains("Expected an aggregation", page.Find("[data-testid=query-error]").TextContent), Wait);
        Assert.Equal("median", page.Find("[data-testid=query-error-position] mark").TextContent);
        Assert.Empty(page.FindAll("[data-testid=result-row]"));
    }

    [Fact]
    public void Clicking_a_row_shows_the_whole_event_as_json()
    {
        var page = Open("/logs?env=sandbox&range=15m&run=1");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=histogram]")), Wait);

        page.FindAll("[data-testid=result-row]")[0].Click();

        var json = page.WaitForElement("[data-testid=result-json]", Wait).TextContent;
        Assert.Contains("\"@message\": {", json);
        Assert.Contains("\"traceId\": \"1-", json);
    }

    [Fact]
    public async Task A_query_of_production_logs_is_in_the_audit_trail()
    {
        var page = Open("/logs?env=prod&range=15m&q=" + Uri.EscapeDataString("filter status >= 500") + "&run=1", Production);

        page.WaitForAssertion(() => Assert.Contains("Complete.", page.Find("[data-testid=query-status]").TextContent), Wait);

        var recorded = Assert.Single(await _portal.EventsAsync(LogsAuditEvents.Queried));
        Assert.Equal("filter status >= 500", recorded.Parameters["query"]);
    }

    [Fact]
    public async Task A_saved_query_is_listed_for_its_owner()
    {
        var page = Open("/logs?env=sandbox&q=" + Uri.EscapeDataString("filter level = 'error'"));

        page.Find("input[data-testid=save-name]").Change("Errors");
        page.Find("[data-testid=save-query]").Click();

        page.WaitForAssertion(() => Assert.Contains("Saved “Errors”", page.Find("[data-testid=save-message]").TextContent), Wait);
        var saved = Assert.Single(await Context.Services.GetRequiredService<SavedQueries>().ListAsync(LogsTestKit.User(SandboxPersonas.Olivia), CancellationToken.None));
        Assert.Equal("filter level = 'error'", saved.QueryText);
        Assert.Equal(["/fintech/sandbox/api"], saved.LogGroups);
    }

    [Fact]
    public void A_running_query_shows_its_progress_and_can_be_cancelled()
    {
        // A month of request logs: long enough to still be running when Cancel is pressed.
        var start = Now.AddDays(-30).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var page = Open($"/logs?env=sandbox&start={start}&q=" + Uri.EscapeDataString("stats count(*) by status"));

        page.Find("[data-testid=run-query]").Click();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=query-running]")), Wait);
        page.Find("[data-testid=cancel-query]").Click();

        page.WaitForAssertion(() => Assert.Contains("Cancelled.", page.Find("[data-testid=query-status]").TextContent), Wait);
        Assert.Empty(page.FindAll("[data-testid=result-row]"));
    }
}
