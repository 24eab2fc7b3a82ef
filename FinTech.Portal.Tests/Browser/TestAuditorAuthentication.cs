using System.Security.Claims;
using System.Text.Encodings.Web;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// Test-only sign-in: every request is Alice, an Auditor. The audit branch was written before the
/// identity work (Entra ID, Sandbox personas) landed on main, so there was no sign-in for a browser
/// to go through; the test host registers this scheme instead. Once identity is on main, the
/// browser test should sign in as the Sandbox Auditor persona and this handler can go.
/// </summary>
public sealed class TestAuditorAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestAuditor";
    public const string UserId = "test-auditor-alice";
    public const string DisplayName = "Alice Auditor (test)";

    /// <summary>A request header that replaces the Auditor role, to test refusals over HTTP.</summary>
    public const string RoleHeader = "X-Test-Role";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var role = Request.Headers.TryGetValue(RoleHeader, out var header) && header.Count > 0 ? header[0]! : PortalRoles.Auditor;
        var identity = new ClaimsIdentity(
            [new Claim("oid", UserId), new Claim("name", DisplayName), new Claim(ClaimTypes.Name, DisplayName), new Claim(ClaimTypes.Role, role)],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
