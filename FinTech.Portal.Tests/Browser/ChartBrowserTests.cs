using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

/// <summary>What charts.js does in a real browser under the portal's Content-Security-Policy.</summary>
[Collection(BrowserCollection.Name)]
public class ChartBrowserTests(BrowserFixture browser)
{
    private const string Latency = "[data-testid=panel-latency][data-state=Current] [data-testid=chart]";
    private const string Requests = "[data-testid=panel-requests][data-state=Current] [data-testid=chart]";

    /// <summary>Where a chart's picture is in the viewport, in CSS pixels.</summary>
    private sealed record PlotBox(float X, float Y, float Width, float Height);

    /// <summary>
    /// Brings the chart into the viewport (the mouse works there) and returns where its picture is.
    /// A refresh whose data changed replaces the whole panel, chart included: the chart is found,
    /// scrolled to and measured in one step of the page's script, so a refresh cannot detach it
    /// halfway (a redrawn chart is drawn in the same place).
    /// </summary>
    private static async Task<PlotBox> PlotAsync(IPage page, string chart)
    {
        await page.Locator(chart).WaitForAsync();
        var box = await page.EvaluateAsync<float[]>("""
            selector => { const c = document.querySelector(selector);
                          c.scrollIntoView({ block: 'center', behavior: 'instant' });
                          const r = c.querySelector('svg').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; }
            """, chart);
        return new PlotBox(box[0], box[1], box[2], box[3]);
    }

    // The series' value at a minute ("14:05") as the server put it on the chart now: one read of
    // the chart's data, so that a refresh cannot come between its time slots and its values.
    private static Task<string> ValueAtAsync(IPage page, string chart, string series, string minute) =>
        page.EvaluateAsync<string>($$"""
            () => { const c = document.querySelector('{{chart}}');
                    const values = c.querySelector('g[data-series="{{series}}"]').dataset.values.split('|');
                    for (let i = 0; i < +c.dataset.n; i++) {
                      if (new Date(+c.dataset.t0 + i * +c.dataset.step).toISOString().slice(11, 16) === '{{minute}}') return values[i]; }
                    return 'no slot at {{minute}}'; }
            """);

    private static async Task<string> HoverAsync(IPage page, PlotBox box, float share)
    {
        await page.Mouse.MoveAsync(box.X + box.Width * share, box.Y + box.Height / 2);
        var time = page.Locator($"{Latency} .ts-tip .ts-tip-time");
        await Expect(time).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d UTC$"));
        return (await time.TextContentAsync())!.Replace(" UTC", "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hovering_a_chart_shows_every_series_value_at_that_minute_and_the_same_minute_on_the_other_charts()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") { errors.Add(message.Text); } };
        page.PageError += (_, error) => errors.Add(error);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        // Panels with data (data-state=Current) are drawn by the live circuit only: the prerendered
        // page, which the circuit's first render replaces, shows them loading.
        var box = await PlotAsync(page, Latency);
        await page.Locator(Requests).WaitForAsync();

        var minute = await HoverAsync(page, box, 0.6f);

        var tip = page.Locator($"{Latency} .ts-tip");
        var rows = tip.Locator(".ts-tip-row");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(2)).ToContainTextAsync("p99");
        await Expect(rows.Nth(2).Locator("b")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,.]+ ms$"));
        // The value shown is the one the server put on the series for that minute.
        await Expect(rows.Nth(2).Locator("b")).ToHaveTextAsync(await ValueAtAsync(page, Latency, "p99", minute) + " ms");
        // Synced: the requests chart shows its crosshair and values at the same minute.
        await Expect(page.Locator($"{Requests} .ts-cross")).ToBeVisibleAsync();
        await Expect(page.Locator($"{Requests} .ts-tip-time")).ToHaveTextAsync($"{minute} UTC");

        await page.Mouse.MoveAsync(5, 5);
        await Expect(tip).ToBeHiddenAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_crosshair_stays_at_the_same_minute_through_a_refresh_while_the_pointer_rests_on_the_chart()
    {
        // On a clock 30 times faster, a refresh every simulated minute comes every 2 s and moves the
        // hour-long window by a minute: each one redraws every chart's picture.
        var settings = PortalServer.FastClock(30);
        settings["Dashboards:RefreshInterval"] = "00:01:00";
        await using var server = new PortalServer(settings);
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        var box = await PlotAsync(page, Latency);
        await page.Locator(Requests).WaitForAsync();
        var minute = await HoverAsync(page, box, 0.6f);
        var start = await page.Locator(Latency).GetAttributeAsync("data-start");

        // The pointer rests; the next refresh replaces the picture under it (its window starts later).
        await Expect(page.Locator(Latency)).Not.ToHaveAttributeAsync("data-start", start!);

        // The crosshair is drawn again at the same minute, on the new data, on every chart.
        var tip = page.Locator($"{Latency} .ts-tip");
        await Expect(tip).ToBeVisibleAsync();
        await Expect(tip.Locator(".ts-tip-time")).ToHaveTextAsync($"{minute} UTC");
        await Expect(tip.Locator(".ts-tip-row").Nth(2).Locator("b")).ToHaveTextAsync(await ValueAtAsync(page, Latency, "p99", minute) + " ms");
        await Expect(page.Locator($"{Requests} .ts-cross")).ToBeVisibleAsync();
        await Expect(page.Locator($"{Requests} .ts-tip-time")).ToHaveTextAsync($"{minute} UTC");
    }

    [Fact]
    public async Task Dragging_across_a_chart_zooms_the_dashboard_and_the_zoom_is_in_the_address()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/?range=3h");
        var box = await PlotAsync(page, Latency);

        var y = box.Y + box.Height / 2;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.4f, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.5f, y, new() { Steps = 4 });
        await page.Mouse.MoveAsync(box.X + box.Width * 0.7f, y, new() { Steps = 4 });
        await page.Mouse.UpAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("from=.*to=|to=.*from="));
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        Assert.Equal("3h", query["range"]);
        var zoom = FinTech.Portal.Dashboards.ZoomWindow.Parse(query["from"], query["to"]);
        Assert.NotNull(zoom);
        // About 30 % of three hours: 54 minutes, give or take the rounding to whole minutes.
        Assert.InRange((zoom.To - zoom.From).TotalMinutes, 45, 65);
        await Expect(page.GetByTestId("zoom")).ToContainTextAsync("Zoomed to");
        var chart = page.Locator(Latency);
        await Expect(chart).ToHaveAttributeAsync("data-start", zoom.From.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.GetByTestId("zoom-reset").ClickAsync();
        await Expect(page.GetByTestId("zoom")).ToHaveCountAsync(0);
        Assert.DoesNotContain("from=", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_click_on_a_point_opens_the_logs_around_that_minute()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        var box = await PlotAsync(page, "[data-testid=panel-errors][data-state=Current] [data-testid=chart]");

        var logs = await page.Locator("[data-testid=panel-errors] [data-testid=chart]").GetAttributeAsync("data-logs");
        Assert.Contains("{start}", logs, StringComparison.Ordinal);
        await page.Mouse.ClickAsync(box.X + box.Width * 0.5f, box.Y + box.Height / 2);

        await page.WaitForFunctionAsync("() => location.pathname === '/logs'");
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        var start = DateTimeOffset.Parse(query["start"]!, System.Globalization.CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse(query["end"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(6), end - start);
        Assert.Equal("1", query["run"]);
    }

    [Fact]
    public async Task The_dark_theme_is_remembered_on_the_next_visit()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        await page.Locator(Latency).WaitForAsync();
        await Expect(page.Locator(".portal-light")).ToHaveCountAsync(1);

        await page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(page.Locator(".portal-dark")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("theme-toggle")).ToHaveAttributeAsync("aria-pressed", "true");

        await page.GotoAsync("/dashboards/database");
        await Expect(page.Locator(".portal-dark")).ToHaveCountAsync(1);
        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.NotEqual("rgb(255, 255, 255)", background);
    }

    [Fact]
    public async Task A_chart_table_opens_from_the_keyboard_stays_open_and_focused_across_refreshes_and_closes()
    {
        await using var server = new PortalServer();
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");
        await page.GotoAsync("/");
        await page.Locator(Latency).WaitForAsync();
        var toggle = page.Locator("[data-testid=panel-latency] [data-testid=chart-table-toggle]");
        var table = page.Locator("[data-testid=panel-latency] [data-testid=chart-table]");

        // Tab from the time range picker until the latency chart's table toggle has the focus.
        await page.GetByTestId("range-select").FocusAsync();
        for (var i = 0; i < 40 && !await toggle.EvaluateAsync<bool>("e => e === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await Expect(toggle).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(table).ToBeVisibleAsync();
        // Drawn by charts.js from the values the crosshair reads: a row per minute, a column per series.
        await Expect(table.Locator("caption")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^API latency.* \(ms\), UTC$"));
        await Expect(table.Locator("thead th")).ToHaveTextAsync(["Time (UTC)", "p50", "p90", "p99"]);
        var minutes = await page.Locator(Latency).GetAttributeAsync("data-n");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(int.Parse(minutes!, System.Globalization.CultureInfo.InvariantCulture));
        await Expect(table.Locator("tbody tr").First.Locator("th")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d$"));

        // The panels are redrawn on every refresh (every 2 s here): the table stays open and the
        // focus stays on its toggle.
        var refreshed = page.GetByTestId("refreshed-at");
        var before = await refreshed.TextContentAsync();
        await Expect(refreshed).Not.ToHaveTextAsync(before!);
        await Expect(table).ToBeVisibleAsync();
        await Expect(toggle).ToBeFocusedAsync();

        await page.Keyboard.PressAsync("Enter");
        await Expect(table).ToBeHiddenAsync();
    }
}
