using Bunit;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations;

/// <summary>The request form, the run page in each state and its approve control, rendered with bUnit over the real engine (SQLite).</summary>
public sealed class OperationPagesTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private readonly BunitContext _context = PortalBunit.Create();
    private OperationsTestKit _kit = null!;
    private Bunit.TestDoubles.BunitAuthorizationContext _authorization = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database);
        await _kit.MigrateAsync();
        var services = _context.Services;
        _kit.AddServicesTo(services);
        services.AddSingleton<OperationWindowCharts>();
        _authorization = _context.SignInAs(Olivia);
        _context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _context.JSInterop.SetupMudInputs();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private PortalEnvironment Prod => _kit.Environments.Get("prod");

    [Fact]
    public async Task The_request_form_marks_each_invalid_field_and_creates_nothing()
    {
        var page = _context.Render<OperationRequestPage>(p => p.AddCascadingValue(Prod));

        page.Find("[data-testid=ticket]").Change("12345");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Correct the fields marked in red.", page.Find("[data-testid=request-error]").TextContent.Trim()));
        Assert.Contains("The change ticket must match ^CHG[0-9]{7}$ (for example CHG0012345).", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Say why, in at least 10 characters", page.Markup, StringComparison.Ordinal);
        Assert.Empty(await _kit.Store.ListAsync(null, 10, None));
    }

    [Fact]
    public async Task A_valid_request_creates_one_run_and_opens_its_page()
    {
        var navigation = _context.Services.GetRequiredService<NavigationManager>();
        var page = _context.Render<OperationRequestPage>(p => p.AddCascadingValue(Prod));

        page.Find("[data-testid=reason]").Change("Quarterly resilience test of the widget tier");
        page.Find("[data-testid=ticket]").Change("CHG0012345");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.StartsWith("http://localhost/operations/op-", navigation.Uri, StringComparison.Ordinal));
        var run = Assert.Single(await _kit.Store.ListAsync(null, 10, None));
        Assert.Equal(("widget-cache-flush", "widget-1", "CHG0012345", OperationState.AwaitingApproval), (run.Kind, run.Target, run.ChangeTicket, run.State));
    }

    [Fact]
    public async Task The_requester_sees_no_approve_control_and_the_service_refuses_them_anyway()
    {
        var run = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(), None);

        var page = _context.Render<OperationRunPage>(p => p.Add(x => x.RunId, run.Id));

        page.WaitForAssertion(() => Assert.Equal("Waiting for an Approver other than you.", page.Find("[data-testid=awaiting-other-approver]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=approve]"));
        var asApprover = _kit.As(new SandboxPersona(Olivia.Key, Olivia.DisplayName, PortalRoles.Approver, ""));
        await Assert.ThrowsAsync<PortalAccessDeniedException>(() => asApprover.ApproveAsync(run.Id, None));
    }

    [Fact]
    public async Task An_approver_approves_from_the_run_page_and_the_page_shows_the_new_state()
    {
        var run = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(), None);
        _authorization.SwitchTo(Avery);
        var page = _context.Render<OperationRunPage>(p => p.Add(x => x.RunId, run.Id));

        page.WaitForAssertion(() => page.Find("[data-testid=approve]").Click());

        page.WaitForAssertion(() => Assert.Equal("Approved", page.Find("[data-testid=run-state]").TextContent.Trim()));
        Assert.Contains("Avery Approver", page.Find("[data-testid=approval]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_run_page_shows_a_service_event_as_soon_as_the_shared_feed_check_sees_it()
    {
        var run = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(), None);
        var page = _context.Render<OperationRunPage>(p => p.Add(x => x.RunId, run.Id));
        page.WaitForAssertion(() => Assert.Equal("AwaitingApproval", page.Find("[data-testid=run-state]").TextContent.Trim()));
        await _kit.Feed.CheckOnceAsync(None);

        // Recorded by a worker, with no state change: only the timeline moves.
        await using (var connection = await _kit.Store.OpenAsync(None))
        {
            await _kit.Store.AddTimelineAsync(connection, null, run.Id, _kit.Time.GetUtcNow(), OperationTimelineCategories.Event,
                "RDS-EVENT-0073 Started cross AZ failover to DB instance: fintech-sandbox-aurora-2", "e-0073", None);
        }
        Assert.DoesNotContain("RDS-EVENT-0073", page.Find("[data-testid=timeline]").TextContent, StringComparison.Ordinal);
        await _kit.Feed.CheckOnceAsync(None);

        page.WaitForAssertion(() => Assert.Contains("RDS-EVENT-0073 Started cross AZ failover", page.Find("[data-testid=timeline]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_run_page_shows_each_state_with_its_outcome_and_only_the_controls_that_apply()
    {
        var waiting = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(environment: "sandbox"), None);
        var rejected = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(target: "widget-1"), None);
        await _kit.As(Avery).RejectAsync(rejected.Id, "Not during the sale", None);
        var succeeded = await _kit.As(Olivia).RequestAsync(OperationsTestKit.Form(target: "widget-2", kind: "widget-cache-flush"), None);
        Assert.Equal(OperationState.Succeeded, (await RunToEndAsync(succeeded)).State);
        _authorization.SwitchTo(Avery);

        var expected = new Dictionary<string, (string State, string? Outcome, bool Approve, bool Abort, bool Evidence)>
        {
            [waiting.Id] = ("AwaitingApproval", null, true, true, false),
            [rejected.Id] = ("Rejected", "Not during the sale", false, false, false),
            [succeeded.Id] = ("Succeeded", "Meets the objective: restarted in 3 s.", false, false, true),
        };
        foreach (var (id, want) in expected)
        {
            var page = _context.Render<OperationRunPage>(p => p.Add(x => x.RunId, id));
            page.WaitForAssertion(() => Assert.Equal(want.State, page.Find("[data-testid=run-state]").TextContent.Trim()));
            Assert.Equal(want.Outcome, page.FindAll("[data-testid=run-outcome]").SingleOrDefault()?.TextContent.Trim());
            Assert.Equal(want.Approve, page.FindAll("[data-testid=approve]").Count == 1);
            Assert.Equal(want.Abort, page.FindAll("[data-testid=abort]").Count == 1);
            Assert.Equal(want.Evidence, page.FindAll("[data-testid=evidence-link]").Count == 1);
            // A run that started links to the logs of its window; one that never ran has none.
            var logs = page.FindAll("[data-testid=run-logs-link]").SingleOrDefault()?.GetAttribute("href");
            Assert.Equal(want.Evidence, logs is not null);
            if (logs is not null)
            {
                var run = await _kit.Store.GetAsync(id, None);
                Assert.StartsWith($"/logs?env={run!.Environment}&", logs, StringComparison.Ordinal);
                Assert.Contains("group=" + Uri.EscapeDataString($"/fintech/{run.Environment}/api"), logs, StringComparison.Ordinal);
            }
        }
    }

    private async Task<OperationRun> RunToEndAsync(OperationRun run)
    {
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        await _kit.Worker.RunUntilIdleAsync(None);
        return (await _kit.Store.GetAsync(run.Id, None))!;
    }
}
