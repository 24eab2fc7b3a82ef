using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FinTech.Portal.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AuditTrailBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly AuditorPortal _portal = new();

    [Fact]
    public async Task An_auditor_filters_the_trail_opens_an_event_and_exports_the_filter_as_csv()
    {
        var trail = _portal.Services.GetRequiredService<AuditTrail>();
        var root = _portal.RootUri;
        var operatorActor = new AuditActor("user-bob", "Bob Operator", ["Operator"], "10.0.0.8");
        for (var i = 1; i <= 3; i++)
        {
            await trail.RecordAsync(new AuditEntry(AuditEventTypes.SandboxFaultChanged, operatorActor, AuditOutcome.Succeeded, "sandbox", "aurora-replica-lag",
                new Dictionary<string, string?> { ["lagSeconds"] = (i * 10).ToString(System.Globalization.CultureInfo.InvariantCulture) }), CancellationToken.None);
        }
        var page = await browser.NewPageAsync(root);
        try
        {
            await FilterOpenAndExportAsync(page);
        }
        finally
        {
            // Closing the circuit first lets the portal stop without waiting out its grace period.
            await page.Context.CloseAsync();
        }
    }

    private async Task FilterOpenAndExportAsync(IPage page)
    {

        await page.GotoAsync("audit");
        await Assertions.Expect(page.GetByTestId("audit-row").First).ToBeVisibleAsync();
        await page.GetByTestId("filter-event-type").FillAsync(AuditEventTypes.SandboxFaultChanged);
        await page.GetByTestId("audit-search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("audit-row")).ToHaveCountAsync(3);
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("eventType=sandbox.fault-changed"));

        await page.GetByTestId("audit-open").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("detail-event-type")).ToHaveTextAsync(AuditEventTypes.SandboxFaultChanged);
        await Assertions.Expect(page.GetByTestId("detail-actor")).ToHaveTextAsync("Bob Operator (user-bob)");
        await Assertions.Expect(page.GetByTestId("detail-parameters")).ToContainTextAsync("30");

        await page.GoBackAsync();
        await Assertions.Expect(page.GetByTestId("audit-row")).ToHaveCountAsync(3);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("audit-export-csv").ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync());

        Assert.Equal(string.Join(',', AuditExport.CsvColumns), csv[0]);
        Assert.Equal(3, csv.Length - 1);
        Assert.All(csv.Skip(1), line => Assert.Contains(",sandbox.fault-changed,Succeeded,user-bob,Bob Operator,", line));
        var exports = await _portal.Services.GetRequiredService<AuditStore>()
            .SearchAsync(new AuditFilter(EventType: AuditEventTypes.AuditExported), null, 10, CancellationToken.None);
        var export = Assert.Single(exports.Events);
        Assert.Equal(TestAuditorAuthentication.UserId, export.Actor.UserId);
        Assert.Equal(AuditEventTypes.SandboxFaultChanged, export.Parameters["eventType"]);
    }

    public void Dispose() => _portal.Dispose();
}
