using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class LogsBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_SRE_switches_on_an_error_burst_follows_the_5xx_panel_s_logs_link_and_sees_the_errors_of_that_minute()
    {
        await using var server = new ShiftedClockPortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/sandbox?env=sandbox");
        var knob = page.Locator("[data-testid=fault-ErrorBurst] input[type=checkbox]");
        await Expect(knob).ToBeEnabledAsync();
        await knob.ClickAsync(new() { Force = true });
        await Expect(page.Locator("[data-testid=fault-history]")).ToContainTextAsync("still on");

        // Five minutes of the burst pass for the platform (not for the test).
        server.Clock.Shift(TimeSpan.FromMinutes(5));
        await page.GotoAsync("/?env=sandbox");
        var panel = page.Locator("[data-testid=panel-errors][data-state=Current]");
        await Expect(panel).ToHaveCountAsync(1);
        var link = panel.Locator("[data-testid=panel-logs]");
        var href = await link.GetAttributeAsync("href");
        await link.ClickAsync();

        await Expect(page).ToHaveURLAsync(PersonaSignInExtensions.PathStartsWith("/logs?"));
        var rows = page.Locator("[data-testid=result-row]");
        // The Sandbox scans a few tens of thousands of simulated records (about 1 s on a quiet machine);
        // a loaded 2-core CI machine needs far longer.
        await Expect(rows.First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=query-status]")).ToContainTextAsync("Complete.");
        // The link ends with the panel's latest minute: newest first, that minute's 5xx lead.
        var end = DateTimeOffset.Parse(Uri.UnescapeDataString(href!.Split("end=")[1].Split('&')[0]), CultureInfo.InvariantCulture);
        var first = await rows.First.Locator("td[data-field='@timestamp']").TextContentAsync();
        var firstAt = DateTimeOffset.ParseExact(first!, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(firstAt, end.AddMinutes(-1), end);
        await Expect(rows.First.Locator("td[data-field=status]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^5\\d\\d$"));
        await Expect(page.Locator("[data-testid=results] td[data-field=error]").Filter(new() { HasText = "40P01: deadlock detected" }).First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=histogram] [data-testid=chart]")).ToBeVisibleAsync();
    }

    /// <summary>The portal on a clock that runs in real time and can jump ahead, so minutes of a fault pass at once.</summary>
    private sealed class ShiftedClockPortalServer : PortalServer
    {
        public ShiftedClock Clock { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        }
    }

    internal sealed class ShiftedClock : TimeProvider
    {
        private long _offsetTicks;

        public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
    }
}
