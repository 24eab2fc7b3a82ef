using System.Security.Claims;
using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Components.Authorization;

namespace FinTech.Portal.Identity;

/// <summary>
/// Who is acting, the one way the portal works it out: the signed-in user (and so their roles),
/// the client address, and the audit actor made of both. Pages, panels and the scoped services
/// (operations, secrets) inject it; an endpoint outside Blazor takes <see cref="ForRequest"/>.
/// Roles are still enforced by the services that act: this only says who asks.
/// </summary>
public sealed class PortalCaller
{
    private readonly Func<Task<ClaimsPrincipal>> _user;
    private readonly AuthenticationStateProvider? _authentication;

    public PortalCaller(Func<Task<ClaimsPrincipal>> user, string? sourceIp)
    {
        _user = user;
        SourceIp = sourceIp;
    }

    private PortalCaller(AuthenticationStateProvider authentication, string? sourceIp)
        : this(async () => (await authentication.GetAuthenticationStateAsync()).User, sourceIp) =>
        _authentication = authentication;

    /// <summary>
    /// The client address, captured when the scope started (the HTTP request, or the connection that
    /// opened the circuit), because Blazor components have no HttpContext of their own afterwards.
    /// </summary>
    public string? SourceIp { get; }

    /// <summary>The user now (an anonymous principal when nobody is signed in any more).</summary>
    public Task<ClaimsPrincipal> UserAsync() => _user();

    public async Task<IReadOnlyList<string>> RolesAsync() => PortalUser.RolesOf(await UserAsync());

    /// <summary>What the audit trail records as the actor of what this caller does.</summary>
    public async Task<AuditActor> ActorAsync() => AuditActor.FromPrincipal(await UserAsync(), SourceIp);

    /// <summary>Why this circuit's session ended (<see cref="SessionEndReasons"/>), or null while it lasts.</summary>
    public string? SessionEndReason => (_authentication as SessionRevalidatingStateProvider)?.EndReason;

    /// <summary>The caller of an endpoint outside Blazor: its request's user and address.</summary>
    public static PortalCaller ForRequest(HttpContext http) =>
        new(() => Task.FromResult(http.User), IdentitySetup.SourceIpOf(http));

    /// <summary>
    /// The caller of a Blazor scope (prerender or circuit): the authentication state's current user,
    /// which follows the circuit (a session ended by an Admin acts as nobody from then on).
    /// </summary>
    internal static PortalCaller FromScope(IServiceProvider services) =>
        new(services.GetRequiredService<AuthenticationStateProvider>(),
            services.GetRequiredService<IHttpContextAccessor>().HttpContext is { } http ? IdentitySetup.SourceIpOf(http) : null);
}
