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
        // The session row is created with the cookie, so that the cookie names it.
        var signingIn = cookie.Events.OnSigningIn;
        cookie.Events.OnSigningIn = async context =>
        {
            await signingIn(context);
            if (context.Principal is { } user && PortalSessions.IdOf(user) is null)
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<PortalSessions>();
                await sessions.StartAsync(user, IdentitySetup.SourceIpOf(context.HttpContext), context.HttpContext.RequestAborted);
            }
        };
        var previous = cookie.Events.OnValidatePrincipal;
        cookie.Events.OnValidatePrincipal = async context =>
        {
            await previous(context);
            if (context.Principal is null)
            {
                return;
            }
            var now = (context.Options.TimeProvider ?? TimeProvider.System).GetUtcNow();
            // A cookie without a session row (issued before sessions existed) is not accepted either.
            var check = !IsWithinMaxAge(context.Principal, now, maxSessionAge) ? new SessionCheck(false, SessionEndReasons.MaxAge)
                : PortalSessions.IdOf(context.Principal) is null ? new SessionCheck(false, "unknown")
                : await context.HttpContext.RequestServices.GetRequiredService<PortalSessions>().CheckAsync(context.Principal, touch: true, context.HttpContext.RequestAborted);
            if (!check.IsActive)
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
/// checks. Every <see cref="PortalIdentityOptions.SessionRevalidationInterval"/> this asks whether
/// the session is still active (not signed out, idle, too old or ended by an Admin; on any portal
/// task), and it is told at once when this task ends the session. When it is over, the user becomes
/// anonymous: the router sends the open page to sign in, and services refuse what it still sends.
/// </summary>
internal sealed class SessionRevalidatingStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private static readonly AuthenticationState _anonymous = new(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity()));

    private readonly IOptions<PortalIdentityOptions> _options;
    private readonly PortalSessions _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private IDisposable? _watch;

    public SessionRevalidatingStateProvider(ILoggerFactory loggerFactory, IOptions<PortalIdentityOptions> options, PortalSessions sessions, TimeProvider time)
        : base(loggerFactory)
    {
        _options = options;
        _sessions = sessions;
        _time = time;
        _logger = loggerFactory.CreateLogger<SessionRevalidatingStateProvider>();
        AuthenticationStateChanged += state => _ = WatchAsync(state);
    }

    protected override TimeSpan RevalidationInterval => _options.Value.SessionRevalidationInterval;

    /// <summary>Why this task ended the circuit's session, when it did (a sign-out lands on the signed-out page, not on sign-in).</summary>
    public string? EndReason { get; private set; }

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (!PortalUser.IsSignedIn(user))
        {
            return true;
        }
        return SessionCookie.IsWithinMaxAge(user, _time.GetUtcNow(), _options.Value.MaxSessionAge)
            && (await _sessions.CheckAsync(user, touch: false, cancellationToken)).IsActive;
    }

    /// <summary>Follows the session of the circuit's user, so that ending it here closes the page now rather than at the next check.</summary>
    private async Task WatchAsync(Task<AuthenticationState> state)
    {
        try
        {
            var user = (await state).User;
            _watch?.Dispose();
            _watch = PortalSessions.IdOf(user) is { } sessionId
                ? _sessions.WatchEnd(sessionId, reason =>
                {
                    EndReason = reason;
                    SetAuthenticationState(Task.FromResult(_anonymous));
                })
                : null;
        }
        catch (Exception e)
        {
            // The periodic revalidation still ends the session; only the immediate notice is lost.
            _logger.LogWarning(e, "Could not follow the session of a circuit.");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watch?.Dispose();
        }
        base.Dispose(disposing);
    }
}
