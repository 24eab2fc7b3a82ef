using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class SandboxBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Flipping_a_knob_in_the_browser_turns_the_fault_on_in_the_simulated_platform()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/sandbox?env=sandbox");
        var knob = page.Locator("[data-testid=fault-CacheMissStorm] input[type=checkbox]");
        await Expect(knob).Not.ToBeCheckedAsync();
        await Expect(page.Locator("[data-testid=aurora-writer]")).ToHaveTextAsync("fintech-sandbox-aurora-1");

        // The switches are enabled once the circuit is live.
        await Expect(knob).ToBeEnabledAsync();
        await knob.ClickAsync(new() { Force = true });

        await Expect(page.Locator("[data-testid=fault-history]")).ToContainTextAsync("still on");
        var environment = server.Services.GetRequiredService<EnvironmentCatalog>().Get("sandbox");
        var platform = server.Services.GetRequiredService<SandboxBackend>().PlatformFor(environment);
        Assert.Equal([SandboxFault.CacheMissStorm], platform.ActiveFaults);

        // The change is in the trail with who did it and from where, though it came over the circuit.
        var changes = await server.Services.GetRequiredService<AuditStore>().SearchAsync(
            AuditFilter.None with { EventType = AuditEventTypes.SandboxFaultChanged }, null, 10, CancellationToken.None);
        var change = Assert.Single(changes.Events);
        Assert.Equal(("sandbox:olivia", "127.0.0.1", AuditOutcome.Succeeded), (change.Actor.UserId, change.Actor.SourceIp, change.Outcome));
    }
}
