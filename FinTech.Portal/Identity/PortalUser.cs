using System.Globalization;
using System.Security.Claims;

namespace FinTech.Portal.Identity;

/// <summary>
/// The portal's view of a signed-in person: one claims shape for Entra ID users and Sandbox
/// personas, so that policies, services and the audit trail read them the same way.
/// </summary>
public static class PortalUser
{
    /// <summary>Entra's object id: stable per user and tenant, what the audit trail records.</summary>
    public const string ObjectIdClaim = "oid";

    public const string NameClaim = "name";

    /// <summary>When the person signed in (Unix seconds); renewing the cookie keeps it, so it bounds the session.</summary>
    public const string SignedInAtClaim = "portal:signed-in-at";

    /// <summary>How the person signed in: <c>EntraId</c> or <c>Sandbox</c>.</summary>
    public const string SignInMethodClaim = "portal:sign-in-method";

    public static ClaimsPrincipal Create(
        string authenticationType,
        string userId,
        string displayName,
        IEnumerable<string> roles,
        DateTimeOffset signedInAt,
        IEnumerable<Claim>? extraClaims = null)
    {
        var identity = new ClaimsIdentity(authenticationType, NameClaim, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, userId));
        identity.AddClaim(new Claim(NameClaim, displayName));
        identity.AddClaim(new Claim(SignInMethodClaim, authenticationType));
        identity.AddClaim(new Claim(SignedInAtClaim, signedInAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        foreach (var role in roles.Distinct(StringComparer.Ordinal))
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role));
        }
        if (extraClaims is not null)
        {
            identity.AddClaims(extraClaims);
        }
        return new ClaimsPrincipal(identity);
    }

    public static bool IsSignedIn(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true;

    /// <summary>The same order the audit trail uses: <c>oid</c>, then NameIdentifier, then <c>sub</c>.</summary>
    public static string? IdOf(ClaimsPrincipal user) =>
        user.FindFirst(ObjectIdClaim)?.Value
        ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
        ?? user.FindFirst("sub")?.Value;

    public static string DisplayNameOf(ClaimsPrincipal user) =>
        user.FindFirst(NameClaim)?.Value ?? user.Identity?.Name ?? IdOf(user) ?? "anonymous";

    /// <summary>The portal roles the user holds, in <see cref="PortalRoles.All"/> order.</summary>
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) =>
        PortalRoles.All.Where(role => user.HasClaim(ClaimTypes.Role, role)).ToList();

    public static DateTimeOffset? SignedInAtOf(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(SignedInAtClaim)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
