using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using FinTech.Portal.Identity;

namespace FinTech.Portal.Tests.Identity;

/// <summary>Signs a bUnit context in as one of the Sandbox personas, claims shaped as the portal shapes them.</summary>
public static class BunitPersonas
{
    public static BunitAuthorizationContext SignInAs(this BunitContext context, SandboxPersona persona) =>
        context.AddAuthorization().SwitchTo(persona);

    /// <summary>Another persona for a context already signed in (services are fixed once a component rendered).</summary>
    public static BunitAuthorizationContext SwitchTo(this BunitAuthorizationContext authorization, SandboxPersona persona)
    {
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetRoles(persona.Role);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, persona.UserId), new Claim(PortalUser.NameClaim, persona.DisplayName));
        authorization.SetPolicies([.. PortalAccessRules.Policies.Where(policy => PortalAccessRules.RolesFor(policy).Contains(persona.Role))]);
        return authorization;
    }
}
