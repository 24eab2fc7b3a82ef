using System.Net;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// Every caller (each role through its persona, and anonymous) against every protected page and
/// endpoint over HTTP, and every service operation called directly: allowed or denied on the
/// server, as the table below says. The table is written out here, not derived from the rules.
/// </summary>
public class AuthorizationMatrixTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string[]> _rolesAllowed = new()
    {
        [PortalPolicies.ViewDashboards] = [PortalRoles.Operator, PortalRoles.Approver, PortalRoles.Auditor, PortalRoles.Admin],
        [PortalPolicies.RequestOperations] = [PortalRoles.Operator],
        [PortalPolicies.ApproveOperations] = [PortalRoles.Approver],
        [PortalPolicies.ReadAudit] = [PortalRoles.Auditor, PortalRoles.Admin],
        [PortalPolicies.ChangeSandboxFaults] = [PortalRoles.Operator],
        [PortalPolicies.ManageSessions] = [PortalRoles.Admin],
    };

    /// <summary>The callers: anonymous (null) and one persona per role, plus the second Operator.</summary>
    private static readonly SandboxPersona?[] _callers = [null, .. SandboxPersonas.All];

    private static readonly PortalEnvironment _sandbox =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, new PlatformResources(), 20261124, Aws: null);

    private static readonly PortalEnvironment _production =
        new("prod", "Production", PlatformBackend.Aws, IsProduction: true, new PlatformResources(), 0, new AwsEnvironmentOptions { AccountId = "123456789012", Region = "eu-west-1" });

    private readonly PortalAppFactory _app = new();

    public Task InitializeAsync()
    {
        _app.CreatePortalClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Each_role_and_anonymous_get_exactly_what_the_policy_of_every_page_and_endpoint_allows()
    {
        var protectedEndpoints = Endpoints().Where(e => !e.IsAnonymous && e.Methods.Contains("GET")).ToList();
        Assert.Contains(protectedEndpoints, e => e.Policy == PortalPolicies.ViewDashboards);
        Assert.Contains(protectedEndpoints, e => e.Policy == PortalPolicies.ReadAudit);
        Assert.Contains(protectedEndpoints, e => e.Policy == PortalPolicies.ChangeSandboxFaults);
        Assert.Contains(protectedEndpoints, e => e.Policy == PortalPolicies.ManageSessions);
        var mismatches = new List<string>();
        foreach (var caller in _callers)
        {
            var client = _app.CreatePortalClient();
            // As a browser asks: a refused page answers with the access-denied page.
            client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
            if (caller is not null)
            {
                await PersonaSignIn.AsAsync(client, caller.Key);
            }
            foreach (var endpoint in protectedEndpoints)
            {
                var response = await client.GetAsync(endpoint.Url);
                var location = response.Headers.Location is { } l ? new Uri(PortalAppFactory.BaseAddress, l) : null;
                var actual = (response.StatusCode, location?.AbsolutePath) switch
                {
                    (HttpStatusCode.Redirect, "/account/sign-in") => "sign-in",
                    (HttpStatusCode.Redirect, "/account/access-denied") => $"denied:{QueryValue(location!, "policy")}",
                    (HttpStatusCode.OK, _) => "allowed",
                    _ => $"{(int)response.StatusCode} {location}",
                };
                var expected = caller is null ? "sign-in"
                    : endpoint.Policy is null || _rolesAllowed[endpoint.Policy].Contains(caller.Role) ? "allowed"
                    : $"denied:{endpoint.Policy}";
                if (actual != expected)
                {
                    mismatches.Add($"{caller?.DisplayName ?? "anonymous"} GET {endpoint.Url} ({endpoint.Policy ?? "signed-in"}): expected {expected}, got {actual}");
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Every_page_and_endpoint_other_than_the_sign_in_flow_health_and_error_pages_needs_a_signed_in_user()
    {
        var anonymous = Endpoints().Where(e => e.IsAnonymous).Select(e => e.Route).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(
            ["/account/persona-sign-in", "/account/sign-in", "/account/sign-out", "/account/signed-out", "/error", "/healthz", "/readyz"],
            anonymous);
    }

    [Fact]
    public void Every_portal_page_names_its_policy()
    {
        // The account pages and "not found" are for any signed-in user, whatever the role.
        var pagesWithoutPolicy = Endpoints()
            .Where(e => !e.IsAnonymous && e.Policy is null && !e.Route.StartsWith("/account", StringComparison.Ordinal) && e.Route != "/not-found")
            .Select(e => e.Route)
            .ToList();

        Assert.Empty(pagesWithoutPolicy);
    }

    [Fact]
    public async Task Each_role_and_anonymous_get_exactly_what_every_service_operation_allows()
    {
        var mismatches = new List<string>();
        foreach (var caller in _callers)
        {
            var user = caller is null
                ? new ClaimsPrincipal(new ClaimsIdentity())
                : PortalUser.Create("Sandbox", caller.UserId, caller.DisplayName, [caller.Role], DateTimeOffset.UtcNow);
            foreach (var (name, policy, allowedAnyway, operation) in Operations(user))
            {
                var expected = caller is not null && _rolesAllowed[policy].Contains(caller.Role) && allowedAnyway(caller);
                string actual;
                try
                {
                    await operation();
                    actual = "allowed";
                }
                catch (PortalAccessDeniedException e)
                {
                    actual = "denied: " + e.Message;
                }
                catch (AuditAccessDeniedException e)
                {
                    actual = "denied: " + e.Message;
                }
                if (actual.StartsWith("allowed", StringComparison.Ordinal) != expected)
                {
                    mismatches.Add($"{caller?.DisplayName ?? "anonymous"} {name}: expected {(expected ? "allowed" : "denied")}, got {actual}");
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public async Task The_requester_of_an_operation_cannot_approve_it_even_with_the_Approver_role()
    {
        var authorization = _app.Services.GetRequiredService<PortalAuthorization>();
        var avery = PortalUser.Create("Sandbox", SandboxPersonas.Avery.UserId, SandboxPersonas.Avery.DisplayName, [PortalRoles.Approver], DateTimeOffset.UtcNow);

        var denied = await Assert.ThrowsAsync<PortalAccessDeniedException>(() =>
            authorization.EnsureCanApproveAsync(avery, requesterId: SandboxPersonas.Avery.UserId, environment: "prod", target: "secret-rotation/1"));
        await authorization.EnsureCanApproveAsync(avery, requesterId: SandboxPersonas.Olivia.UserId, environment: "prod", target: "secret-rotation/1");

        Assert.Equal("You requested this operation, so someone else with the Approver role must approve it.", denied.Message);
        var recorded = (await _app.IdentityEventsAsync())[^1];
        Assert.Equal(AuditEventTypes.AccessDenied, recorded.EventType);
        Assert.Equal("sandbox:avery", recorded.Actor.UserId);
        Assert.Equal("secret-rotation/1", recorded.Target);
        // This portal has only the Sandbox environment: a "prod" it does not have is recorded as such.
        Assert.Equal("unknown:prod", recorded.Environment);
    }

    /// <summary>The service operations: (name, policy, an extra condition on the caller, the call).</summary>
    private IEnumerable<(string Name, string Policy, Func<SandboxPersona, bool> AllowedAnyway, Func<Task> Call)> Operations(ClaimsPrincipal user)
    {
        var authorization = _app.Services.GetRequiredService<PortalAuthorization>();
        var knobs = _app.Services.GetRequiredService<SandboxFaultKnobs>();
        var revocation = _app.Services.GetRequiredService<SessionRevocation>();
        var scope = _app.Services.CreateScope();
        var reader = scope.ServiceProvider.GetRequiredService<AuditReader>();
        static bool Always(SandboxPersona _) => true;

        yield return ("view dashboards", PortalPolicies.ViewDashboards, Always, () => authorization.EnsureCanViewDashboardsAsync(user));
        yield return ("request an operation", PortalPolicies.RequestOperations, Always, () => authorization.EnsureCanRequestOperationsAsync(user, environment: "prod"));
        yield return ("approve Omar's operation", PortalPolicies.ApproveOperations, p => p.UserId != SandboxPersonas.Omar.UserId,
            () => authorization.EnsureCanApproveAsync(user, SandboxPersonas.Omar.UserId, environment: "prod"));
        yield return ("approve their own operation", PortalPolicies.ApproveOperations, _ => false,
            () => authorization.EnsureCanApproveAsync(user, PortalUser.IdOf(user) ?? "anonymous", environment: "prod"));
        yield return ("read the audit trail", PortalPolicies.ReadAudit, Always, () => authorization.EnsureCanReadAuditAsync(user));
        yield return ("search the audit trail (AuditReader)", PortalPolicies.ReadAudit, Always,
            () => reader.SearchAsync(user, "10.0.0.1", AuditFilter.None, before: null, pageSize: 10, CancellationToken.None));
        yield return ("export the audit trail (AuditReader)", PortalPolicies.ReadAudit, Always,
            () => reader.ExportAsync(user, "10.0.0.1", AuditFilter.None, AuditExportFormat.Csv, Stream.Null, CancellationToken.None));
        yield return ("list who is signed in (SessionRevocation)", PortalPolicies.ManageSessions, Always,
            () => revocation.SignedInAsync(user, "10.0.0.1", CancellationToken.None));
        yield return ("end someone's sessions (SessionRevocation)", PortalPolicies.ManageSessions, Always,
            () => revocation.EndSessionsOfAsync(user, "10.0.0.1", "sandbox:nobody", CancellationToken.None));
        yield return ("turn a Sandbox fault knob", PortalPolicies.ChangeSandboxFaults, Always,
            () => authorization.EnsureCanChangeSandboxFaultsAsync(user, _sandbox));
        yield return ("turn a fault knob on production", PortalPolicies.ChangeSandboxFaults, _ => false,
            () => authorization.EnsureCanChangeSandboxFaultsAsync(user, _production));
        yield return ("switch a Sandbox fault (SandboxFaultKnobs)", PortalPolicies.ChangeSandboxFaults, Always,
            () => ToggleAsync(knobs, user, _sandbox));
        yield return ("switch a fault on production (SandboxFaultKnobs)", PortalPolicies.ChangeSandboxFaults, _ => false,
            () => ToggleAsync(knobs, user, _production));
    }

    private static async Task ToggleAsync(SandboxFaultKnobs knobs, ClaimsPrincipal user, PortalEnvironment environment)
    {
        await knobs.SetFaultAsync(user, "10.0.0.1", environment, SandboxFault.LatencySpike, on: true, CancellationToken.None);
        await knobs.SetFaultAsync(user, "10.0.0.1", environment, SandboxFault.LatencySpike, on: false, CancellationToken.None);
    }

    private sealed record EndpointInfo(string Route, string Url, IReadOnlyList<string> Methods, string? Policy, bool IsAnonymous);

    /// <summary>The portal's routed pages and endpoints, without static files, file fallbacks and the Blazor hub.</summary>
    private IEnumerable<EndpointInfo> Endpoints()
    {
        var source = _app.Services.GetRequiredService<EndpointDataSource>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (route.StartsWith("/_blazor", StringComparison.Ordinal) || route.StartsWith("/_framework", StringComparison.Ordinal)
                || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is not null
                || route.Contains("{**", StringComparison.Ordinal))
            {
                continue;
            }
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var policy = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            yield return new EndpointInfo(route, Url(endpoint.RoutePattern), methods.ToList(), policy, anonymous);
        }
    }

    /// <summary>A concrete address for a route: a known dashboard for its id, 1 for anything else.</summary>
    private static string Url(RoutePattern pattern) => "/" + string.Join('/', pattern.PathSegments.Select(segment =>
        string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart { Name: "DashboardId" } => "overview",
            RoutePatternParameterPart => "1",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private static string? QueryValue(Uri uri, string name) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).TryGetValue(name, out var value) ? value.ToString() : null;
}
