using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Tests.Browser;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Audit;

/// <summary>The portal as it starts with no database configuration: a SQLite file, migrated, with its start recorded.</summary>
public sealed class PortalAuditHostTests : IDisposable
{
    private readonly PortalServer _portal = new();

    [Fact]
    public async Task Starting_the_portal_creates_the_database_and_records_its_start_and_configuration()
    {
        using var client = new HttpClient { BaseAddress = _portal.RootUri };

        var ready = await client.GetAsync("readyz");
        var store = _portal.Services.GetRequiredService<AuditStore>();
        var started = await store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.PortalStarted), null, 10, CancellationToken.None);
        var configuration = await store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.PortalConfiguration), null, 10, CancellationToken.None);
        var applied = await _portal.Services.GetRequiredService<MigrationRunner>().AppliedAsync(CancellationToken.None);

        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.True(File.Exists(Path.Combine(_portal.DataDirectory, "portal.db")));
        Assert.Equal(Migrations.All.Select(m => m.Id), applied);
        var start = Assert.Single(started.Events);
        Assert.Equal(AuditActor.System.UserId, start.Actor.UserId);
        Assert.Equal("Sqlite", start.Parameters["databaseProvider"]);
        Assert.Equal(AuditTrail.Redacted, Assert.Single(configuration.Events).Parameters["Database:ConnectionString"]);
    }

    [Fact]
    public async Task The_exports_send_an_anonymous_caller_to_sign_in_and_export_nothing()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _portal.RootUri };

        var response = await client.GetAsync("audit/export.csv");

        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", new Uri(_portal.RootUri, response.Headers.Location!).AbsolutePath);
        Assert.DoesNotContain("sequence,occurred_at", await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _portal.Dispose();
}

/// <summary>The export endpoints over HTTP, signed in as a Sandbox persona.</summary>
public sealed class AuditExportEndpointTests : IDisposable
{
    private readonly PortalServer _portal = new();

    [Fact]
    public async Task The_json_lines_export_of_a_filter_verifies_offline()
    {
        var trail = _portal.Services.GetRequiredService<AuditTrail>();
        using var client = await _portal.SignedInClientAsync("aubrey");
        for (var i = 0; i < 3; i++)
        {
            await trail.RecordAsync(AuditTestKit.Entry(i), CancellationToken.None);
        }

        var response = await client.GetAsync("audit/export.jsonl?eventType=sandbox.fault-changed");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(3, body.Split('\n').Count(l => l.Contains("\"type\":\"event\"", StringComparison.Ordinal)));
        Assert.Null(AuditExport.VerifyJsonLines(new StringReader(body)));
    }

    [Fact]
    public async Task A_signed_in_user_without_the_auditor_role_is_forbidden_the_export()
    {
        using var client = await _portal.SignedInClientAsync("olivia");

        var response = await client.GetAsync("audit/export.csv");

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_time_that_is_not_a_time_is_a_bad_request_with_the_expected_form()
    {
        using var client = await _portal.SignedInClientAsync("aubrey");

        var response = await client.GetAsync("audit/export.csv?from=soon");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("2026-11-24T03:00:00Z", await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _portal.Dispose();
}
