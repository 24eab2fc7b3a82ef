using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Sandbox;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class OperationsBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Olivia_requests_a_failover_test_Avery_approves_it_runs_live_and_Aubrey_verifies_its_evidence()
    {
        // A production environment on the Sandbox backend: simulated, so persona sign-in may use
        // it, and production's rules hold (an Approver other than the requester). Its seed makes
        // the first Aurora failover one of the quick ones (20-22 s of real time).
        var seed = Enumerable.Range(1, 1000).First(s => SandboxAuroraFailover.DurationOf(s, 0) <= TimeSpan.FromSeconds(22));
        await using var server = new PortalServer(new Dictionary<string, string?>
        {
            ["Platform:DefaultEnvironment"] = "prod",
            ["Platform:Environments:prod:DisplayName"] = "Production (simulated)",
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Platform:Environments:prod:IsProduction"] = "true",
            ["Platform:Environments:prod:SandboxSeed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Operations:Failover:VerificationWindow"] = "00:00:02",
            ["Operations:Failover:PollInterval"] = "00:00:01",
            ["Operations:StopCheckInterval"] = "00:00:01",
        });

        var olivia = await browser.NewPageAsync(server.RootUri);
        await olivia.SignInAsPersonaAsync("olivia");
        await olivia.GotoAsync($"/operations/request?env=prod&kind={AuroraFailoverTest.KindKey}");
        await Expect(olivia.GetByTestId("submit")).ToBeEnabledAsync();
        await olivia.AssertAccessibleAsync("The request form");
        await olivia.GetByTestId("reason").FillAsync("Quarterly DR test: prove the writer fails over within the RTO");
        await olivia.GetByTestId("ticket").FillAsync("CHG0040001");
        await olivia.GetByTestId("submit").ClickAsync();
        await Expect(olivia).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/operations/op-"));
        var runPath = new Uri(olivia.Url).AbsolutePath;
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("AwaitingApproval");
        await Expect(olivia.GetByTestId("production-badge")).ToHaveTextAsync("PRODUCTION");
        await Expect(olivia.GetByTestId("awaiting-other-approver")).ToBeVisibleAsync();

        var avery = await browser.NewPageAsync(server.RootUri);
        await avery.SignInAsPersonaAsync("avery");
        await avery.GotoAsync(runPath + "?env=prod");
        await Expect(avery.GetByTestId("approve")).ToBeEnabledAsync();
        await avery.AssertAccessibleAsync("The run page awaiting approval");
        await avery.GetByTestId("approve").ClickAsync();

        // Olivia's page follows the run without reloading: pushed over her circuit.
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Running", new() { Timeout = 20_000 });
        // RDS's event is pushed as the worker records it, long before the failover completes.
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("RDS-EVENT-0073 Started cross AZ failover", new() { Timeout = 10_000 });
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Running");
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Expect(olivia.GetByTestId("run-outcome")).ToContainTextAsync("Meets the RTO of 90 s");
        await olivia.AssertAccessibleAsync("The run page of a completed run, with its chart");

        var aubrey = await browser.NewPageAsync(server.RootUri);
        await aubrey.SignInAsPersonaAsync("aubrey");
        await aubrey.GotoAsync("/operations/evidence?env=prod");
        // The list links the run's evidence. Opened by its address rather than a click: a click while the
        // list is still prerendered races the circuit's start, which renders the list again over it.
        var evidenceLink = aubrey.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = runPath["/operations/".Length..] });
        await Expect(evidenceLink).ToHaveAttributeAsync("href", $"{runPath}/evidence");
        await aubrey.GotoAsync($"{runPath}/evidence");
        // Enabled once the page is interactive and has loaded the evidence again (it shows "Loading…" meanwhile).
        await Expect(aubrey.GetByTestId("verify-evidence")).ToBeEnabledAsync(new() { Timeout = 20_000 });
        await Expect(aubrey.GetByTestId("evidence-verdict")).ToContainTextAsync("Meets the RTO of 90 s");
        await Expect(aubrey.GetByTestId("figure-timeToNewWriterSeconds")).ToBeVisibleAsync();
        await aubrey.AssertAccessibleAsync("The evidence page");
        await aubrey.GetByTestId("verify-evidence").ClickAsync();
        await Expect(aubrey.GetByTestId("evidence-verification")).ToContainTextAsync("Intact: SHA-256", new() { Timeout = 20_000 });
    }
}
