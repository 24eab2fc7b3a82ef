using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// Every page, as each persona who uses it sees it, has no serious or critical WCAG 2 A/AA
/// violation that axe-core finds: light and dark theme, charts with their table open, and the
/// pages nobody aims for (not found, access denied, the error page).
/// </summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityBrowserTests(BrowserFixture browser)
{
    // Where a page the persona may not open sends them.
    private const string AccessDenied = "[data-testid=access-denied-reason]";

    // Every signed-in persona can land on these: an address that is no page, and the error page.
    private static readonly (string Path, string Drawn)[] Unaimed = [("/no-such-page", "[data-testid=not-found]"), ("/error", "[data-testid=error]")];

    // Each page with the element that shows it has drawn (a circuit's first render is not the page).
    private static readonly Dictionary<string, (string Path, string Drawn)[]> Pages = new()
    {
        ["olivia"] =
        [
            ("/", "[data-testid=panel-latency][data-state=Current] [data-testid=chart]"),
            ("/dashboards/database?range=24h", "[data-testid=panel-db-cpu][data-state=Current] [data-testid=chart]"),
            ("/dashboards/cache", "[data-testid=panel-cache-hit-rate][data-state=Current] [data-testid=chart]"),
            ("/dashboards/sessions", "[data-testid=panel-topology]"),
            ("/sandbox", "[data-testid=aurora-writer]"),
            ("/operations", "h1"),
            ("/operations/request", "h1"),
            ("/logs", "h1"),
            ("/account", "[data-testid=account-name]"),
            ("/audit", AccessDenied),
            .. Unaimed,
        ],
        ["avery"] = [("/", "[data-testid=panel-latency][data-state=Current]"), ("/operations", "h1"), ("/account", "[data-testid=account-name]"), ("/sandbox", AccessDenied), .. Unaimed],
        ["aubrey"] = [("/audit", "h1"), ("/audit/1", "h1"), ("/operations/evidence", "h1"), ("/logs", "h1"), ("/account", "[data-testid=account-name]"), ("/sandbox", AccessDenied), .. Unaimed],
        ["ada"] = [("/admin/sessions", "h1"), ("/audit", "h1"), ("/account", "[data-testid=account-name]"), ("/sandbox", AccessDenied), .. Unaimed],
    };


    [Theory]
    [InlineData("olivia")]
    [InlineData("avery")]
    [InlineData("aubrey")]
    [InlineData("ada")]
    public async Task Every_page_of_a_persona_has_no_serious_accessibility_violation(string persona)
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync(persona);

        var failures = new List<string>();
        foreach (var (path, drawn) in Pages[persona])
        {
            await page.GotoAsync(path);
            await page.Locator(drawn).First.WaitForAsync();
            var violations = await page.AxeViolationsAsync();
            failures.AddRange(violations.Select(v => $"{persona} {path}: {v}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_sign_in_signed_out_and_error_pages_have_no_serious_accessibility_violation()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);

        await page.GotoAsync("/account/sign-in");
        await page.AssertAccessibleAsync("Sign-in");
        await page.GotoAsync("/account/signed-out");
        await page.AssertAccessibleAsync("Signed out");
        await page.GotoAsync("/error");
        await page.Locator("[data-testid=error]").WaitForAsync();
        await page.AssertAccessibleAsync("Error, before sign-in");
    }

    [Fact]
    public async Task A_dashboard_with_a_chart_table_open_and_the_Sandbox_in_the_dark_theme_have_no_serious_accessibility_violation()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        await page.Locator("[data-testid=panel-latency][data-state=Current] [data-testid=chart]").WaitForAsync();

        await page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(page.Locator(".portal-dark")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=panel-latency] [data-testid=chart-table-toggle]").ClickAsync();
        await Expect(page.Locator("[data-testid=panel-latency] [data-testid=chart-table] tbody tr").First).ToBeVisibleAsync();

        await page.AssertAccessibleAsync("Overview, dark, latency table open");

        // The choice is remembered: the Sandbox opens dark; a knob switched on adds its fault history.
        await page.GotoAsync("/sandbox");
        await Expect(page.Locator(".portal-dark")).ToHaveCountAsync(1);
        var knob = page.Locator("[data-testid=fault-LatencySpike] input[type=checkbox]");
        await Expect(knob).ToBeEnabledAsync();
        await knob.ClickAsync(new() { Force = true });
        await Expect(page.Locator("[data-testid=fault-history]")).ToContainTextAsync("still on");
        await page.AssertAccessibleAsync("Sandbox, dark, a fault on");
    }

    [Fact]
    public async Task An_operator_signs_in_and_opens_the_database_dashboard_with_the_keyboard_alone()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.GotoAsync("/account/sign-in");

        await TabToAsync(page, page.GetByTestId("persona-olivia"));
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/"));
        await page.Locator("[data-testid=panel-latency]").WaitForAsync();

        await TabToAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Database", Exact = true }));
        await page.Keyboard.PressAsync("Enter");

        await Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/dashboards/database"));
        await Expect(page.Locator("h1")).ToContainTextAsync("Database");
    }

    /// <summary>Presses Tab until <paramref name="target"/> has the focus, as a keyboard user would; fails if it never does.</summary>
    private static async Task TabToAsync(IPage page, ILocator target)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                return;
            }
            await page.Keyboard.PressAsync("Tab");
        }
        await Expect(target).ToBeFocusedAsync();
    }
}
