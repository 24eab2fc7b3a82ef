using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class DeploymentsBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Olivia_deploys_an_image_by_digest_Avery_approves_it_and_Olivia_aborts_it_back_to_the_running_revision()
    {
        // Sandbox sign-in refuses environments flagged IsProduction: "prod" is a simulated environment that, like production, needs an Approver.
        await using var server = new PortalServer(new Dictionary<string, string?>
        {
            ["Platform:DefaultEnvironment"] = "prod",
            ["Platform:Environments:prod:DisplayName"] = "Production (simulated)",
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Operations:StopCheckInterval"] = "00:00:01",
            ["Operations:Deployments:PollInterval"] = "00:00:01",
        });

        var olivia = await browser.NewPageAsync(server.RootUri);
        await olivia.SignInAsPersonaAsync("olivia");
        await olivia.GotoAsync("/deployments?env=prod");
        await Expect(olivia.GetByTestId("current-revision")).ToHaveTextAsync("fintech-sandbox-api:42");
        await Expect(olivia.GetByTestId("rollout-state")).ToHaveTextAsync("COMPLETED");
        await olivia.GetByTestId("pick-v1.47.1").ClickAsync();
        await Expect(olivia.GetByTestId("request-title")).ToHaveTextAsync("Deploy v1.47.1");
        await olivia.GetByTestId("reason").FillAsync("Release v1.47.1: the HTTP client pinned to the fixed version");
        await olivia.GetByTestId("ticket").FillAsync("CHG0050001");
        await olivia.GetByTestId("submit").ClickAsync();
        await Expect(olivia).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/operations/op-"));
        var runPath = new Uri(olivia.Url).AbsolutePath;
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("AwaitingApproval");

        var avery = await browser.NewPageAsync(server.RootUri);
        await avery.SignInAsPersonaAsync("avery");
        await avery.GotoAsync(runPath + "?env=prod");
        await Expect(avery.GetByTestId("approve")).ToBeEnabledAsync();
        await avery.GetByTestId("approve").ClickAsync();

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
}
