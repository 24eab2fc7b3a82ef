using System.Text.RegularExpressions;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// Issue 11, defect 1 in the browser: an open page of a session that ended (signed out in another
/// tab, ended on another portal task, idle) stops acting and goes to sign-in.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SessionEndBrowserTests(BrowserFixture browser)
{
    private static readonly Regex _signInPage = new("/account/sign-in\\?returnUrl=%2Fsandbox");

    [Fact]
    public async Task Signing_out_in_one_tab_closes_the_sandbox_page_in_the_other_and_its_knobs_stop_acting()
    {
        await using var server = new PortalServer();
        var sandboxTab = await browser.NewPageAsync(server.RootUri);
        await sandboxTab.SignInAsPersonaAsync("olivia");
        await sandboxTab.GotoAsync("/sandbox?env=sandbox");
        var errorBurst = sandboxTab.Locator("[data-testid=fault-ErrorBurst] input[type=checkbox]");
        await Expect(errorBurst).ToBeEnabledAsync();

        var accountTab = await sandboxTab.Context.NewPageAsync();
        await accountTab.GotoAsync("/account");
        await accountTab.GetByTestId("sign-out").ClickAsync();
        await Expect(accountTab).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/account/signed-out"));

        // Closed at once (this portal task ended the session), well before the first revalidation (1 min).
        await Expect(sandboxTab).ToHaveURLAsync(new Regex("/account/signed-out$"), new() { Timeout = 15_000 });
        await Expect(sandboxTab.GetByTestId("signed-out")).ToBeVisibleAsync();
        var environment = server.Services.GetRequiredService<EnvironmentCatalog>().Get("sandbox");
        Assert.Empty(server.Services.GetRequiredService<SandboxBackend>().PlatformFor(environment).ActiveFaults);
        var trail = (await server.Services.GetRequiredService<AuditStore>().SearchAsync(AuditFilter.None, null, 100, CancellationToken.None)).Events;
        var signedOut = Assert.Single(trail, e => e.EventType == AuditEventTypes.SignedOut);
        Assert.DoesNotContain(trail, e => e.EventType == AuditEventTypes.SandboxFaultChanged && e.Sequence > signedOut.Sequence && e.Outcome == AuditOutcome.Succeeded);
    }

    [Fact]
    public async Task A_session_ended_on_another_portal_task_closes_its_open_page_within_one_revalidation_interval()
    {
        await using var server = new PortalServer(new Dictionary<string, string?> { ["Identity:SessionRevalidationInterval"] = "00:00:02" });
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/sandbox?env=sandbox");
        await Expect(page.Locator("[data-testid=fault-ErrorBurst] input[type=checkbox]")).ToBeEnabledAsync();

        // Another task ends it: a row change in the shared database, no notice to this task.
        await using (var database = new FinTech.Portal.Database.PortalDatabase(FinTech.Portal.Database.DatabaseProvider.Sqlite,
            $"Data Source={Path.Combine(server.DataDirectory, "portal.db")}"))
        await using (var connection = await database.OpenConnectionAsync(CancellationToken.None))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE identity_sessions SET ended_at = '2026-01-01T00:00:00.000Z', end_reason = 'ended-by-admin' WHERE ended_at IS NULL";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        // One interval (2 s) plus the time a loaded CI machine needs to load the sign-in page; the
        // default interval (1 min) would not get there in time.
        await Expect(page).ToHaveURLAsync(_signInPage, new() { Timeout = 15_000 });
        await Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("Your session ended");
    }

    [Fact]
    public async Task An_idle_session_closes_its_open_page_within_one_revalidation_interval_though_the_page_never_reloaded()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var server = new PortalServerWithClock(time, new Dictionary<string, string?>
        {
            ["Identity:IdleTimeout"] = "00:05:00",
            ["Identity:SessionRevalidationInterval"] = "00:00:02",
        });
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/sandbox?env=sandbox");
        await Expect(page.Locator("[data-testid=fault-ErrorBurst] input[type=checkbox]")).ToBeEnabledAsync();

        // Six minutes pass for the server; the browser's own idle reload (identity/idle.js) is minutes away.
        time.Advance(TimeSpan.FromMinutes(6));

        await Expect(page).ToHaveURLAsync(_signInPage, new() { Timeout = 15_000 });
        var ended = await server.Services.GetRequiredService<AuditStore>().SearchAsync(
            AuditFilter.None with { EventType = AuditEventTypes.SessionEnded }, null, 10, CancellationToken.None);
        Assert.Equal(SessionEndReasons.Idle, Assert.Single(ended.Events).Parameters["reason"]);
    }
}
