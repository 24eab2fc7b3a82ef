using FinTech.Portal.Platform;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class RotationBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task Olivia_rotates_the_database_credentials_from_the_secrets_page_Avery_approves_and_the_page_names_the_service_to_restart()
    {
        // "prod" is a simulated environment that, like production, needs an Approver (Sandbox sign-in refuses real production).
        // The database credentials rotate in 6-17 s of real time.
        await using var server = new PortalServer(new Dictionary<string, string?>
        {
            ["Platform:DefaultEnvironment"] = "prod",
            ["Platform:Environments:prod:DisplayName"] = "Production (simulated)",
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Operations:Rotation:VerificationWindow"] = "00:00:02",
            ["Operations:Rotation:PollInterval"] = "00:00:01",
            ["Operations:StopCheckInterval"] = "00:00:01",
        });
        var secret = PlatformResources.SandboxAuroraCredentialsSecret(PlatformResources.SandboxNames.AuroraCluster);

        var olivia = await browser.NewPageAsync(server.RootUri);
        await olivia.SignInAsPersonaAsync("olivia");
        await olivia.GotoAsync("/secrets?env=prod");
        var row = olivia.Locator($"[data-testid=secret][data-secret='{secret}']");
        await Expect(row.GetByTestId("secret-state")).ToContainTextAsync("AWSCURRENT on version");
        await row.GetByTestId("rotate-now").ClickAsync();
        await Expect(olivia).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/operations/request?"));
        await Expect(olivia.GetByTestId("submit")).ToBeEnabledAsync();
        await olivia.GetByTestId("reason").FillAsync("Quarterly rotation of the database credentials (PCI DSS 8.3.9)");
        await olivia.GetByTestId("ticket").FillAsync("CHG0040002");
        await olivia.GetByTestId("submit").ClickAsync();
        await Expect(olivia).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/operations/op-"));
        var runPath = new Uri(olivia.Url).AbsolutePath;
        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("AwaitingApproval");

        var avery = await browser.NewPageAsync(server.RootUri);
        await avery.SignInAsPersonaAsync("avery");
        await avery.GotoAsync(runPath + "?env=prod");
        await Expect(avery.GetByTestId("approve")).ToBeEnabledAsync();
        await avery.GetByTestId("approve").ClickAsync();

        await Expect(olivia.GetByTestId("run-state")).ToHaveTextAsync("Succeeded", new() { Timeout = 60_000 });
        await Expect(olivia.GetByTestId("run-outcome")).ToContainTextAsync("AWSCURRENT moved to version");
        await Expect(olivia.GetByTestId("timeline")).ToContainTextAsync("finishSecret: AWSCURRENT moved to version");

        await olivia.GotoAsync("/secrets?env=prod");
        var consumer = row.GetByTestId("consumer");
        await Expect(consumer).ToContainTextAsync("fintech-sandbox-api");
        await Expect(consumer).ToContainTextAsync("DATABASE__PASSWORD");
        await Expect(consumer.GetByTestId("consumer-state")).ToHaveTextAsync("tasks started before the last rotation, still on the previous version");
        await Expect(consumer.GetByTestId("restart-consumer")).ToHaveAttributeAsync("href", "/operations/request?env=prod&kind=ecs-deployment&target=fintech-sandbox-api&option=forceNewDeployment%3Dtrue");
    }
}
