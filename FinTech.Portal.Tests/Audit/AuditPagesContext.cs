using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Tests.Database;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Audit;

/// <summary>The audit pages' bUnit context: the portal's shared one, with the reviewer personas of these tests.</summary>
public sealed class AuditPagesContext : IAsyncDisposable
{
    private readonly PortalComponentContext _portal;

    private AuditPagesContext(PortalComponentContext portal) => _portal = portal;

    public BunitContext Bunit => _portal.Bunit;

    public AuditTestKit Kit => _portal.Audit;

    public BunitAuthorizationContext Authorization => _portal.Authorization;

    /// <param name="anchoring">Anchors through another sink than the kit's file (an AWS sink, a failing one).</param>
    public static async Task<AuditPagesContext> CreateAsync(Func<AuditTestKit, AuditAnchoring>? anchoring = null) =>
        new(await PortalComponentContext.CreateAsync(anchoring: anchoring));

    public void SignInAsAuditor()
    {
        Authorization.SetAuthorized("Alice Auditor");
        Authorization.SetRoles(PortalRoles.Auditor);
        Authorization.SetPolicies(PortalPolicies.ReadAudit);
        // Last: bUnit rebuilds the principal on each Set call and keeps only the latest claims.
        Authorization.SetClaims(new Claim("oid", "user-alice"), new Claim("name", "Alice Auditor"));
    }

    public void SignInAsOperator()
    {
        Authorization.SetAuthorized("Bob Operator");
        Authorization.SetRoles(PortalRoles.Operator);
        Authorization.SetPolicies();
        Authorization.SetClaims(new Claim("oid", "user-bob"), new Claim("name", "Bob Operator"));
    }

    public Task TamperAsync(string sql) => _portal.TamperAsync(sql);

    public Task<List<AuditEvent>> EventsAsync(string eventType) => _portal.EventsAsync(eventType);

    public ValueTask DisposeAsync() => _portal.DisposeAsync();
}
