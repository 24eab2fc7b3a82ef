using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Logging.Abstractions;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>Opening a dashboard: checked in the service, and recorded for production environments.</summary>
public sealed class DashboardViewerTests : IAsyncLifetime
{
    private static readonly PortalEnvironment Production =
        new("prod", "Production", PlatformBackend.Sandbox, IsProduction: true, new PlatformResources(), 1, Aws: null);

    private static readonly PortalEnvironment Sandbox =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, new PlatformResources(), 1, Aws: null);

    private readonly SqliteTestDatabase _database = new();
    private AuditTestKit _kit = null!;
    private DashboardViewer _viewer = null!;

    public async Task InitializeAsync()
    {
        _kit = new AuditTestKit(_database.Database);
        await _kit.Migrations.ApplyAsync(CancellationToken.None);
        var audit = new IdentityAudit(_kit.Trail, new EnvironmentCatalog(Microsoft.Extensions.Options.Options.Create(new PlatformOptions
        {
            Environments = { ["prod"] = new EnvironmentOptions { IsProduction = true }, ["sandbox"] = new EnvironmentOptions() },
        })));
        _viewer = new DashboardViewer(
            new PortalAuthorization(audit, new PortalSessions(_kit.Database, _kit.Time, Microsoft.Extensions.Options.Options.Create(new PortalIdentityOptions()), audit, NullLogger<PortalSessions>.Instance),
                NullLogger<PortalAuthorization>.Instance),
            new AuditedViews(_kit.Trail),
            NullLogger<DashboardViewer>.Instance);
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private static ClaimsPrincipal Person(string id, params string[] roles) =>
        new(new ClaimsIdentity([new Claim("oid", id), new Claim("name", id), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test"));

    private async Task<IReadOnlyList<AuditEvent>> TrailAsync() =>
        (await _kit.Store.SearchAsync(AuditFilter.None, null, 10, CancellationToken.None)).Events;

    [Theory]
    [InlineData(PortalRoles.Operator)]
    [InlineData(PortalRoles.Approver)]
    [InlineData(PortalRoles.Auditor)]
    [InlineData(PortalRoles.Admin)]
    public async Task Any_portal_role_opens_a_production_dashboard_and_the_view_is_recorded(string role)
    {
        var warning = await _viewer.OpenAsync(Person("carol", role), "203.0.113.7", Production, "database", CancellationToken.None);

        Assert.Null(warning);
        var viewed = Assert.Single(await TrailAsync());
        Assert.Equal((AuditEventTypes.DashboardViewed, "prod", "database", "carol", "203.0.113.7", AuditOutcome.Succeeded),
            (viewed.EventType, viewed.Environment, viewed.Target, viewed.Actor.UserId, viewed.Actor.SourceIp, viewed.Outcome));
    }

    [Fact]
    public async Task Views_of_environments_that_are_not_production_are_not_recorded()
    {
        await _viewer.OpenAsync(Person("carol", PortalRoles.Operator), "203.0.113.7", Sandbox, "overview", CancellationToken.None);

        Assert.Empty(await TrailAsync());
    }

    [Fact]
    public async Task Someone_without_a_portal_role_is_refused_by_the_service_and_the_refusal_is_recorded()
    {
        var refused = await Assert.ThrowsAsync<PortalAccessDeniedException>(() =>
            _viewer.OpenAsync(Person("mallory"), "198.51.100.9", Production, "overview", CancellationToken.None));

        Assert.Contains("Viewing dashboards", refused.Message);
        var denial = Assert.Single(await TrailAsync());
        Assert.Equal((AuditOutcome.Denied, "mallory"), (denial.Outcome, denial.Actor.UserId));
    }

    [Fact]
    public async Task When_the_trail_cannot_record_a_production_view_the_dashboard_still_opens_with_a_warning()
    {
        await _database.ExecuteAsync("DROP TABLE audit_events");

        var warning = await _viewer.OpenAsync(Person("carol", PortalRoles.Operator), "203.0.113.7", Production, "overview", CancellationToken.None);

        Assert.NotNull(warning);
        Assert.Contains("could not be recorded in the audit trail", warning);
    }
}
