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
    public async Task The_exports_refuse_a_caller_without_the_auditor_role()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _portal.RootUri };

        var response = await client.GetAsync("audit/export.csv");

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain("sequence,occurred_at", await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _portal.Dispose();
}
