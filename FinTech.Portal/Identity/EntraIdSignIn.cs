using System.Security.Claims;
using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FinTech.Portal.Identity;

/// <summary>
/// Sign-in with Microsoft Entra ID (configuration section <c>AzureAd</c>) through
/// Microsoft.Identity.Web: OpenID Connect with the authorization code flow and PKCE, the client
/// secret from the environment or Secrets Manager. The app roles in the ID token
/// (<c>Portal.Operator</c>, ...) become the portal's roles.
/// </summary>
public static class EntraIdSignIn
{
    public const string SectionName = "AzureAd";

    /// <summary>The values of the app roles defined on the portal's app registration.</summary>
    public static readonly IReadOnlyDictionary<string, string> AppRoles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Portal.Operator"] = PortalRoles.Operator,
        ["Portal.Approver"] = PortalRoles.Approver,
        ["Portal.Auditor"] = PortalRoles.Auditor,
        ["Portal.Admin"] = PortalRoles.Admin,
    };

    private static readonly string[] _requiredSettings = ["Instance", "TenantId", "ClientId", "ClientSecret"];

    /// <summary>What must be configured for Entra ID sign-in, named by the key's full path.</summary>
    public static IEnumerable<string> MissingSettings(IConfigurationSection section)
    {
        foreach (var key in _requiredSettings)
        {
            if (string.IsNullOrWhiteSpace(section[key]))
            {
                yield return $"{section.Path}:{key} is required when Identity:Mode is EntraId" +
                    (key == "ClientSecret" ? " (set it from the environment or Secrets Manager, e.g. AzureAd__ClientSecret)." : ".");
            }
        }
        if (section["TenantId"] is { } tenant && tenant is "common" or "organizations" or "consumers")
        {
            yield return $"{section.Path}:TenantId must be the portal's own tenant id, not '{tenant}': only that tenant's users may sign in.";
        }
    }

    /// <summary>The scheme and host of the configured Entra instance (<c>AzureAd:Instance</c>), if it is a valid address.</summary>
    public static string? AuthorityOrigin(IConfiguration configuration) =>
        Uri.TryCreate(configuration[$"{SectionName}:Instance"], UriKind.Absolute, out var instance)
            ? instance.GetLeftPart(UriPartial.Authority)
            : null;

    internal static AuthenticationBuilder AddEntraIdSignIn(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        authentication.AddMicrosoftIdentityWebApp(configuration.GetSection(SectionName));
        authentication.Services.AddOptions<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme)
            .PostConfigure<IOptions<PortalIdentityOptions>, IHostEnvironment>((options, identity, host) =>
                Configure(options, identity.Value, IdentitySetup.CookiesFor(host).SecurePolicy));
        return authentication;
    }

    private static void Configure(OpenIdConnectOptions options, PortalIdentityOptions identity, CookieSecurePolicy securePolicy)
    {
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        options.SaveTokens = false;
        // Entra asks for the password again when its own session is older than this.
        options.MaxAge = identity.MaxSessionAge;
        options.SignedOutRedirectUri = IdentitySetup.SignedOutPath;
        // Single tenant: exactly this issuer, rather than Entra's multi-tenant issuer template.
        if (options.Authority is { Length: > 0 } authority)
        {
            options.TokenValidationParameters.ValidIssuer = authority.TrimEnd('/');
            options.TokenValidationParameters.IssuerValidator = null;
        }
        options.TokenValidationParameters.NameClaimType = PortalUser.NameClaim;
        options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
        foreach (var cookie in new[] { options.CorrelationCookie, options.NonceCookie })
        {
            cookie.SecurePolicy = securePolicy;
            cookie.HttpOnly = true;
        }

        var onTokenValidated = options.Events.OnTokenValidated;
        options.Events.OnTokenValidated = async context =>
        {
            await onTokenValidated(context);
            var http = context.HttpContext;
            var time = context.Options.TimeProvider ?? TimeProvider.System;
            var audit = http.RequestServices.GetRequiredService<IdentityAudit>();
            if (context.Principal is null)
            {
                return;
            }
            var user = ToPortalPrincipal(context.Principal, time.GetUtcNow());
            if (user is null)
            {
                context.Fail("The ID token has no oid claim.");
                return;
            }
            // Fail closed: a sign-in that the audit trail cannot record does not happen.
            try
            {
                await audit.SignedInAsync(user, IdentitySetup.SourceIpOf(http), http.RequestAborted);
            }
            catch (AuditUnavailableException e)
            {
                context.Fail(e);
                return;
            }
            context.Principal = user;
        };

        var onRemoteFailure = options.Events.OnRemoteFailure;
        options.Events.OnRemoteFailure = async context =>
        {
            await onRemoteFailure(context);
            var http = context.HttpContext;
            var auditDown = context.Failure is AuditUnavailableException;
            var reason = context.Failure?.Message ?? "The identity provider reported a failure.";
            await AccountEndpoints.TryRecordAsync(() => http.RequestServices.GetRequiredService<IdentityAudit>()
                .SignInFailedAsync(null, IdentitySetup.SourceIpOf(http), reason, http.RequestAborted), http);
            context.Response.Redirect($"{IdentitySetup.SignInPath}?error={(auditDown ? "audit-unavailable" : "sign-in-failed")}");
            context.HandleResponse();
        };
    }

    /// <summary>
    /// The portal's principal for an Entra user: the object id as user id, the display name, and
    /// the portal roles for the app roles the token carries (unknown app roles are dropped).
    /// </summary>
    public static ClaimsPrincipal? ToPortalPrincipal(ClaimsPrincipal entraUser, DateTimeOffset signedInAt)
    {
        var objectId = entraUser.FindFirst(PortalUser.ObjectIdClaim)?.Value
            ?? entraUser.FindFirst(ClaimConstants.ObjectId)?.Value;
        if (objectId is null)
        {
            return null;
        }
        var appRoles = entraUser.FindAll("roles").Concat(entraUser.FindAll(ClaimTypes.Role)).Select(c => c.Value);
        var roles = appRoles.Where(AppRoles.ContainsKey).Select(r => AppRoles[r]);
        var name = entraUser.FindFirst(PortalUser.NameClaim)?.Value
            ?? entraUser.FindFirst("preferred_username")?.Value
            ?? objectId;
        var carried = new[] { "tid", "preferred_username" }
            .Select(type => entraUser.FindFirst(type))
            .OfType<Claim>()
            .Select(c => new Claim(c.Type, c.Value))
            .Append(new Claim(PortalUser.ObjectIdClaim, objectId));
        return PortalUser.Create(nameof(IdentityMode.EntraId), objectId, name, roles, signedInAt, carried);
    }
}
