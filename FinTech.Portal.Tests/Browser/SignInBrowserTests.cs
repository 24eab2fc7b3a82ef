using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly PortalServer _server = new();
    private readonly List<string> _problems = [];

    [Fact]
    public async Task A_visitor_signs_in_as_a_persona_uses_allowed_pages_is_refused_a_forbidden_one_and_signs_out()
    {
        var page = await NewWatchedPageAsync();

        // Anonymous: the portal sends the visitor to the persona picker.
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/account/sign-in?returnUrl=%2F"));
        await Assertions.Expect(page.GetByTestId("persona-olivia")).ToBeVisibleAsync();

        // Olivia Operator signs in and lands on the page she asked for, live over the circuit.
        await page.GetByTestId("persona-olivia").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/"));
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Olivia Operator");
        await Assertions.Expect(page.GetByTestId("refreshed-at")).ToContainTextAsync("Refreshed");

        // The Sandbox page is hers: the knob moves through the service, under the CSP.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sandbox" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/sandbox?env=sandbox"));
        var latency = page.Locator("[data-testid=fault-LatencySpike] input[type=checkbox]");
        await latency.CheckAsync();
        await Assertions.Expect(latency).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByTestId("fault-error")).ToHaveCountAsync(0);

        // Signing out ends the session.
        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/account/signed-out"));
        await Assertions.Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
        await page.GotoAsync("/sandbox");
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathIs("/account/sign-in?returnUrl=%2Fsandbox"));

        // Aubrey Auditor may see dashboards but not the fault knobs: the access-denied page says why.
        await page.GetByTestId("persona-aubrey").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/account/access-denied?policy=ChangeSandboxFaults"));
        await Assertions.Expect(page.GetByTestId("access-denied-reason"))
            .ToHaveTextAsync("Changing Sandbox fault knobs needs the Operator role; you have Auditor.");

        Assert.True(_problems.Count == 0, string.Join(Environment.NewLine, _problems));
    }

    [Fact]
    public async Task A_forbidden_page_reached_inside_the_circuit_ends_on_the_access_denied_page()
    {
        var page = await NewWatchedPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.GetByTestId("persona-avery").ClickAsync();
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Avery Approver");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sandbox" })).ToHaveCountAsync(0);

        // No link for it, but the address is typed into the running app: the router asks the server.
        await page.EvaluateAsync("() => Blazor.navigateTo('/sandbox')");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/access-denied\\?policy=ChangeSandboxFaults&returnUrl=%2Fsandbox$"));
        await Assertions.Expect(page.GetByTestId("access-denied-reason"))
            .ToHaveTextAsync("Changing Sandbox fault knobs needs the Operator role; you have Approver.");
        Assert.True(_problems.Count == 0, string.Join(Environment.NewLine, _problems));
    }

    [Fact]
    public async Task An_unattended_page_asks_for_sign_in_again_after_the_idle_time()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var server = new PortalServerWithClock(time, new Dictionary<string, string?> { ["Identity:IdleTimeout"] = "00:05:00" });
        var page = await browser.NewPageAsync(server.RootUri);
        await page.Clock.InstallAsync();
        await page.SignInAsPersonaAsync("olivia");
        await Assertions.Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Olivia Operator");

        // Six minutes without input, on both sides: the page reloads and the lapsed cookie is refused.
        time.Advance(TimeSpan.FromMinutes(6));
        await page.Clock.RunForAsync((long)TimeSpan.FromMinutes(6).TotalMilliseconds);

        // Whichever notices first: the reload meets the lapsed cookie, or the server ends the idle session and closes the page (with a notice).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/sign-in\\?returnUrl=%2F(&error=session-ended)?$"));
    }

    /// <summary>A page whose console errors and CSP violations fail the test.</summary>
    private async Task<IPage> NewWatchedPageAsync()
    {
        var page = await browser.NewPageAsync(_server.RootUri);
        page.Console += (_, message) =>
        {
            // The portal has no favicon; the browser's request for one is not the page's doing.
            if ((message.Type == "error" && !message.Location.Contains("/favicon.ico", StringComparison.Ordinal))
                || message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (_problems)
                {
                    _problems.Add($"console {message.Type} at {page.Url}: {message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_problems)
            {
                _problems.Add($"page error: {error}");
            }
        };
        return page;
    }

    public void Dispose() => _server.Dispose();
}

/// <summary>The portal on Kestrel with a clock the test moves (session cookies expire by it).</summary>
internal sealed class PortalServerWithClock(TimeProvider time, IReadOnlyDictionary<string, string?> settings) : PortalServer(settings)
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton(time));
    }
}
