using System.Net;
using FinTech.Portal.Audit;
using FinTech.Portal.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Audit;

/// <summary>Issue 11, defects 3, 6 and 7 and the export's 400s: the reviewer's pages and exports over HTTP through the real host.</summary>
public sealed class AuditBadInputTests : IAsyncLifetime
{
    private readonly PortalAppFactory _app = new();
    private HttpClient _auditor = null!;

    public async Task InitializeAsync()
    {
        _auditor = _app.CreatePortalClient();
        await PersonaSignIn.AsAsync(_auditor, "aubrey");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("abc")]
    [InlineData("1e5")]
    [InlineData("%00")]
    [InlineData("12345678901234567890123")]
    [InlineData("-4")]
    public async Task A_paging_cursor_that_is_not_an_event_number_is_a_bad_request_with_a_message(string before)
    {
        var response = await _auditor.GetAsync($"/audit?before={before}");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("&#x27;before&#x27; must be an event number, a whole number from 1 up", page);
        Assert.Contains("data-testid=\"audit-error\"", page);
    }

    [Fact]
    public async Task A_valid_paging_cursor_renders_the_page()
    {
        var response = await _auditor.GetAsync("/audit?before=42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_bad_date_filter_in_the_address_is_a_bad_request_too()
    {
        var response = await _auditor.GetAsync("/audit?from=soon");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must be a UTC time such as 2026-11-24T03:00:00Z", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_csv_export_quotes_fields_with_any_separator_and_neutralises_formulas_after_each()
    {
        var trail = _app.Services.GetRequiredService<AuditTrail>();
        await trail.RecordAsync(new AuditEntry("sandbox.fault-changed", AuditTestKit.Bob, AuditOutcome.Succeeded, "sandbox", ";=1+1",
            Reason: "tab\t=HYPERLINK(\"x\"),then;@SUM(1),\n-2"), CancellationToken.None);

        var response = await _auditor.GetAsync("/audit/export.csv?eventType=sandbox.fault-changed");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Contains(",\";'=1+1\",", csv);
        Assert.Contains(",\"tab\t'=HYPERLINK(\"\"x\"\"),then;'@SUM(1),\n'-2\",", csv);
    }

    [Theory]
    [InlineData("/audit/export.csv?from=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "'from' must be a UTC time such as 2026-11-24T03:00:00Z.")]
    [InlineData("/audit/export.jsonl?outcome=%3Cscript%3E", "'outcome' must be Succeeded, Failed or Denied.")]
    public async Task An_export_refused_for_bad_input_is_plain_text_not_stored_and_does_not_repeat_the_input(string address, string message)
    {
        var response = await _auditor.GetAsync(address);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Null(response.Content.Headers.ContentDisposition);
        Assert.Equal(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_export_refused_to_someone_without_the_auditor_role_is_not_stored()
    {
        var operatorClient = _app.CreatePortalClient();
        await PersonaSignIn.AsAsync(operatorClient, "olivia");

        var response = await operatorClient.GetAsync("/audit/export.csv");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task The_json_lines_export_is_not_stored_either()
    {
        var response = await _auditor.GetAsync("/audit/export.jsonl");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }
}
