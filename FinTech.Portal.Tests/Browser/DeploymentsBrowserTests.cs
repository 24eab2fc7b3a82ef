using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Deployments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class DeploymentsBrowserTests(BrowserFixture browser)
{
    // Sandbox sign-in refuses environments flagged IsProduction: "prod" is a simulated environment that, like production, needs an Approver.
    private static Dictionary<string, string?> Production(Dictionary<string, string?>? settings = null)
    {
        var all = settings ?? [];
        all["Platform:DefaultEnvironment"] = "prod";
        all["Platform:Environments:prod:DisplayName"] = "Production (simulated)";
        all["Platform:Environments:prod:Backend"] = "Sandbox";
        all["Operations:StopCheckInterval"] = "00:00:01";
        all["Operations:Deployments:PollInterval"] = "00:00:01";
        return all;
    }

    [Fact]
    public async Task Olivia_deploys_an_image_by_digest_Avery_approves_it_and_Olivia_aborts_it_back_to_the_running_revision()
    {
        await using var server = new PortalServer(Production());

        var olivia = await browser.NewPageAsync(server.RootUri);
        await olivia.SignInAsPersonaAsync("olivia");
        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("current-revision")).ToHaveTextAsync("fintech-sandbox-api:42");
        await Expect(olivia.GetByTestId("rollout-state")).ToHaveTextAsync("COMPLETED");
        var runPath = await RequestAsync(olivia, "pick-v1.47.1", "Deploy v1.47.1", "Release v1.47.1: the HTTP client pinned to the fixed version", "CHG0050001");

        var avery = await browser.NewPageAsync(server.RootUri);
        await avery.SignInAsPersonaAsync("avery");
        await ApproveAsync(avery, runPath);

        // The rollout starts: the new revision registered by digest, UpdateService called, ECS's events in the timeline.
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Running", new() { Timeout = 20_000 });
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("UpdateService(cluster=fintech-sandbox, service=fintech-sandbox-api, taskDefinition=fintech-sandbox-api:43)", new() { Timeout = 20_000 });

        // Olivia stops it: the run goes back to the revision that served at a steady state.
        await olivia.GetByTestId("abort-reason").FillAsync("Wrong release window: roll it back");
        await olivia.GetByTestId("abort").ClickAsync();
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("taskDefinition=fintech-sandbox-api:42) — rollback", new() { Timeout = 20_000 });
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("Rolling back to the last verified revision fintech-sandbox-api:42");
        // ECS's events reach the page with the run's pushed changes: the new tasks, superseded before they served, stop.
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("(service fintech-sandbox-api) has stopped 6 running tasks");

        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("rollout-state")).ToHaveTextAsync("IN_PROGRESS");
        await Expect(olivia.GetByTestId("history")).ToContainTextAsync("Deploy v1.47.1");
        await Expect(olivia.GetByTestId("history")).ToContainTextAsync("Olivia Operator");
        await Expect(olivia.GetByTestId("history")).ToContainTextAsync("Release v1.47.1: the HTTP client pinned to the fixed version (CHG0050001)");
    }

    [Fact]
    public async Task Olivia_deploys_a_good_image_Avery_approves_it_it_bakes_and_a_one_click_rollback_approved_by_Avery_brings_back_the_previous_verified_revision()
    {
        // On a clock 30 times faster, a rollout (about 100 Sandbox seconds) and its one-minute bake take seconds.
        var settings = PortalServer.FastClock(30);
        settings["Operations:Deployments:BakeTime"] = "00:01:00";
        settings["Dashboards:RefreshInterval"] = "00:05:00";
        await using var server = new PortalServer(Production(settings));
        // Last week's restart verified the revision serving now (fintech-sandbox-api:42).
        var restart = await As(server, SandboxPersonas.Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = EcsDeployment.KindKey, Environment = "prod", Target = "fintech-sandbox-api", Reason = "Restart after the Redis AUTH token rotation", ChangeTicket = "CHG0050000",
            Options = new Dictionary<string, string> { [EcsDeployment.ForceNewDeploymentOption] = "true" },
        }, CancellationToken.None);
        await As(server, SandboxPersonas.Avery).ApproveAsync(restart.Id, CancellationToken.None);

        var olivia = await browser.NewPageAsync(server.RootUri);
        await olivia.SignInAsPersonaAsync("olivia");
        await olivia.GotoAsync($"/operations/{restart.Id}?env=prod");
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });

        // Olivia deploys v1.47.1 by digest; Avery approves; it rolls out and bakes.
        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("last-verified")).ToHaveTextAsync("fintech-sandbox-api:42");
        var deployPath = await RequestAsync(olivia, "pick-v1.47.1", "Deploy v1.47.1", "Release v1.47.1: the HTTP client pinned to the fixed version", "CHG0050001");

        var avery = await browser.NewPageAsync(server.RootUri);
        await avery.SignInAsPersonaAsync("avery");
        await ApproveAsync(avery, deployPath);
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });

        // The new revision is the verified one; the one-click rollback offers the verified revision it replaced.
        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("current-revision")).ToHaveTextAsync("fintech-sandbox-api:43");
        await Expect(olivia.GetByTestId("last-verified")).ToHaveTextAsync("fintech-sandbox-api:43");
        await Expect(olivia.GetByTestId("rollback")).ToHaveTextAsync("Roll back to fintech-sandbox-api:42");
        await olivia.AssertAccessibleAsync("the Deployments page after a verified deployment");
        var rollbackPath = await RequestAsync(olivia, "rollback", "Roll back to fintech-sandbox-api:42", "Payouts in GBP fail since v1.47.1: back to the revision before it", "CHG0050002", checkAccessibility: true);
        Assert.NotEqual(deployPath, rollbackPath);

        await ApproveAsync(avery, rollbackPath);
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("taskDefinition=fintech-sandbox-api:42)");

        // The previous verified revision serves again, and the history says who did what, when and why.
        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("current-revision")).ToHaveTextAsync("fintech-sandbox-api:42");
        await Expect(olivia.GetByTestId("rollout-state")).ToHaveTextAsync("COMPLETED");
        await Expect(olivia.GetByTestId("last-verified")).ToHaveTextAsync("fintech-sandbox-api:42");
        var history = olivia.GetByTestId("history");
        var deployRow = history.Locator($"[data-testid=history-{deployPath["/operations/".Length..]}]");
        var rollbackRow = history.Locator($"[data-testid=history-{rollbackPath["/operations/".Length..]}]");
        await Expect(deployRow).ToContainTextAsync("Deploy v1.47.1");
        await Expect(deployRow).ToContainTextAsync("fintech-sandbox-api:42 → fintech-sandbox-api:43");
        await Expect(deployRow).ToContainTextAsync("Olivia Operator");
        await Expect(deployRow).ToContainTextAsync("Release v1.47.1: the HTTP client pinned to the fixed version (CHG0050001)");
        await Expect(deployRow).ToContainTextAsync("Succeeded");
        await Expect(rollbackRow).ToContainTextAsync("fintech-sandbox-api:42");
        await Expect(rollbackRow).ToContainTextAsync("Olivia Operator");
        await Expect(rollbackRow).ToContainTextAsync("Payouts in GBP fail since v1.47.1: back to the revision before it (CHG0050002)");
        await Expect(rollbackRow).ToContainTextAsync("Succeeded");
        await Expect(rollbackRow.Locator("a")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"\d{4}-\d\d-\d\d"));
        await olivia.AssertAccessibleAsync("the Deployments page with its history");
    }

    /// <summary>
    /// Opens the request form from the Deployments page's <paramref name="button"/>, requests with a
    /// reason and a ticket, and returns the path of the run page it lands on, awaiting approval.
    /// The address changes before that page is drawn, and the Deployments page's history has
    /// run-state chips of its own: the run page is there once it names its run.
    /// </summary>
    private static async Task<string> RequestAsync(IPage page, string button, string title, string reason, string ticket, bool checkAccessibility = false)
    {
        await Expect(page.GetByTestId(button)).ToBeEnabledAsync();
        await page.GetByTestId(button).ClickAsync();
        await Expect(page.GetByTestId("request-title")).ToHaveTextAsync(title);
        if (checkAccessibility)
        {
            await page.AssertAccessibleAsync($"the Deployments page with the request form '{title}'");
        }
        await page.GetByTestId("reason").FillAsync(reason);
        await page.GetByTestId("ticket").FillAsync(ticket);
        await page.GetByTestId("submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/operations/op-"));
        var path = new Uri(page.Url).AbsolutePath;
        await Expect(page.GetByTestId("run-summary")).ToContainTextAsync($"Run {path["/operations/".Length..]} on prod");
        await Expect(page.GetByTestId("run-state")).ToHaveTextAsync("AwaitingApproval");
        return path;
    }

    private static async Task ApproveAsync(IPage approver, string runPath)
    {
        await approver.GotoAsync(runPath + "?env=prod");
        await Expect(approver.GetByTestId("approve")).ToBeEnabledAsync();
        await approver.GetByTestId("approve").ClickAsync();
    }

    /// <summary>The operations service as <paramref name="persona"/> (what the run page calls), for what happened before the test.</summary>
    private static OperationsService As(PortalServer server, SandboxPersona persona)
    {
        var user = PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], server.Services.GetRequiredService<TimeProvider>().GetUtcNow());
        return ActivatorUtilities.CreateInstance<OperationsService>(server.Services, new PortalCaller(() => Task.FromResult(user), "127.0.0.1"));
    }
}
