using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

/// <summary>The navigation drawer on a wide and on a narrow screen (drawer.js), as MudDrawer's responsive variant behaves.</summary>
[Collection(BrowserCollection.Name)]
public class DrawerBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task On_a_phone_the_drawer_starts_closed_opens_over_the_page_and_closes_on_the_backdrop_on_Escape_and_after_choosing_a_page()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri, width: 390, height: 844);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        await page.Locator("[data-testid=panel-latency][data-state=Current]").WaitForAsync();
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
        var drawer = page.Locator("#portal-drawer");
        var backdrop = page.Locator("[data-drawer-backdrop]");

        await Expect(drawer).Not.ToBeInViewportAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");

        await toggle.ClickAsync();
        await Expect(drawer).ToBeInViewportAsync();
        await Expect(backdrop).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await backdrop.ClickAsync(new() { Position = new() { X = 370, Y = 400 } });
        await Expect(drawer).Not.ToBeInViewportAsync();
        await Expect(backdrop).ToBeHiddenAsync();

        await toggle.ClickAsync();
        await Expect(drawer).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(drawer).Not.ToBeInViewportAsync();
        await Expect(toggle).ToBeFocusedAsync();

        await toggle.ClickAsync();
        await drawer.GetByRole(AriaRole.Link, new() { Name = "Database" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/dashboards/database"));
        await Expect(drawer).Not.ToBeInViewportAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
    }

    [Fact]
    public async Task On_a_wide_screen_the_drawer_is_docked_and_the_toggle_hides_and_shows_it_beside_the_page()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        await page.Locator("[data-testid=panel-latency][data-state=Current]").WaitForAsync();
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" });
        var drawer = page.Locator("#portal-drawer");

        await Expect(drawer).ToBeInViewportAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator("[data-drawer-backdrop]")).ToBeHiddenAsync();

        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(drawer).Not.ToBeInViewportAsync();

        await toggle.ClickAsync();
        await Expect(drawer).ToBeInViewportAsync();
        await Expect(page.Locator("[data-drawer-backdrop]")).ToBeHiddenAsync();
    }
}
