using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class DashboardBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_overview_shows_a_p99_latency_chart_with_data()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");

        await page.GotoAsync("/");

        var p99 = page.Locator("[data-testid=panel-latency][data-state=Current] [data-series='p99'] polyline");
        await Expect(p99).ToHaveCountAsync(1);
        var points = (await p99.GetAttributeAsync("points"))!.Split(' ');
        Assert.Equal(60, points.Length);
        await Expect(page.Locator("[data-testid=panel-latency] [data-testid=legend-item]").Filter(new() { HasText = "p99" })).ToContainTextAsync(" ms");
        await Expect(page.Locator("[data-testid=panel-alarms] [data-testid=alarm-ok]").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Choosing_seven_days_redraws_the_charts_over_the_week()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");

        await page.GotoAsync("/dashboards/database?range=7d");

        var writerCpu = page.Locator("[data-testid=panel-db-cpu][data-state=Current] [data-series='writer'] polyline");
        await Expect(writerCpu).ToHaveCountAsync(1);
        Assert.Equal(168, (await writerCpu.GetAttributeAsync("points"))!.Split(' ').Length);
        await Expect(page.Locator("[data-testid=db-member]").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_dashboard_keeps_refreshing_while_it_is_open()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        var refreshed = page.Locator("[data-testid=refreshed-at]");
        await Expect(refreshed).ToContainTextAsync("Refreshed");
        var first = await refreshed.TextContentAsync();

        // The test server refreshes every 2 s; a later refresh changes the time shown.
        await Expect(refreshed).Not.ToHaveTextAsync(first!, new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task A_link_to_an_environment_that_does_not_exist_says_so_instead_of_showing_another()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");

        await page.GotoAsync("/dashboards/overview?env=prdo");

        await Expect(page.Locator("[data-testid=unknown-environment]")).ToContainTextAsync("There is no environment 'prdo'");
        await Expect(page.Locator("[data-testid=panel-latency]")).ToHaveCountAsync(0);
    }
}
