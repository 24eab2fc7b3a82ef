using Microsoft.Playwright;

namespace FinTech.Portal.Tests.Browser;

/// <summary>Every page, as the personas who use it, loads without a single error in the browser's console.</summary>
[Collection(BrowserCollection.Name)]
public class ConsoleBrowserTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("olivia", "/", "[data-testid=panel-latency][data-state=Current] polyline")]
    [InlineData("olivia", "/dashboards/database?range=24h", "[data-testid=topology-database][data-state=Current]")]
    [InlineData("olivia", "/sandbox", "[data-testid=aurora-writer]")]
    [InlineData("aubrey", "/audit", "h1")]
    [InlineData("aubrey", "/account", "[data-testid=account-name]")]
    public async Task A_page_loads_without_a_console_error(string persona, string path, string drawn)
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        await page.SignInAsPersonaAsync(persona);
        await page.GotoAsync(path);
        await page.Locator(drawn).First.WaitForAsync();
        // The circuit is live once Blazor reports it; errors of its start arrive before this.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");

        Assert.Empty(errors);
    }
}
