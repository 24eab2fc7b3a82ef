using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>
/// The session cookie: Secure, HttpOnly, SameSite=Lax, <c>__Host-</c>; it expires after the idle
/// time (sliding) and is refused once the sign-in is older than the maximum session age.
/// </summary>
internal static class SessionCookie
{
    public static void Configure(CookieAuthenticationOptions cookie, PortalIdentityOptions identity, IdentitySetup.CookieSecurity security)
    {
        cookie.Cookie.Name = security.AuthCookieName;
        cookie.Cookie.SecurePolicy = security.SecurePolicy;
        cookie.Cookie.HttpOnly = true;
        // Lax, not Strict: the Entra sign-in comes back as a cross-site POST, and a Strict cookie
        // would be missing on the redirects that follow it.
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.Path = "/";
        cookie.ExpireTimeSpan = identity.IdleTimeout;
        cookie.SlidingExpiration = true;
        cookie.LoginPath = IdentitySetup.SignInPath;
        cookie.LogoutPath = IdentitySetup.SignOutPath;
        cookie.AccessDeniedPath = IdentitySetup.AccessDeniedPath;
        cookie.ReturnUrlParameter = "returnUrl";

        var maxSessionAge = identity.MaxSessionAge;
        var previous = cookie.Events.OnValidatePrincipal;
        cookie.Events.OnValidatePrincipal = async context =>
        {
            await previous(context);
            if (context.Principal is null)
            {
                return;
            }
            var now = (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow();
            if (!IsWithinMaxAge(context.Principal, now, maxSessionAge))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(context.Scheme.Name);
            }
        };
    }

    public static bool IsWithinMaxAge(System.Security.Claims.ClaimsPrincipal user, DateTimeOffset now, TimeSpan maxSessionAge) =>
        PortalUser.SignedInAtOf(user) is { } signedInAt && now - signedInAt < maxSessionAge;
}

/// <summary>
/// A circuit lives on after its page loaded, without HTTP requests that would meet the cookie
/// checks. Every minute this checks the sign-in is still younger than the maximum session age;
/// when it is not, the user becomes anonymous and the router sends them to sign in again.
/// </summary>
internal sealed class SessionRevalidatingStateProvider(
    ILoggerFactory loggerFactory,
    IOptions<PortalIdentityOptions> options,
    TimeProvider time) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        Task.FromResult(!PortalUser.IsSignedIn(authenticationState.User) || SessionCookie.IsWithinMaxAge(authenticationState.User, time.GetUtcNow(), options.Value.MaxSessionAge));
}
