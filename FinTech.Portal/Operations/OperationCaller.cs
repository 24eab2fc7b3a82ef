using System.Security.Claims;
using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Components.Authorization;

namespace FinTech.Portal.Operations;

/// <summary>
/// Who is calling the operations services in this scope (a Blazor circuit or an HTTP request),
/// taken from one place instead of being threaded through every call: the circuit's
/// authentication state, or the request's user, and the client address captured when the scope
/// started.
/// </summary>
public sealed class OperationCaller
{
    private readonly Func<Task<ClaimsPrincipal>> _user;

    public OperationCaller(Func<Task<ClaimsPrincipal>> user, string? sourceIp)
    {
        _user = user;
        SourceIp = sourceIp;
    }

    public string? SourceIp { get; }

    public Task<ClaimsPrincipal> UserAsync() => _user();

    public async Task<AuditActor> ActorAsync() => AuditActor.FromPrincipal(await UserAsync(), SourceIp);

    /// <summary>The scope's caller: the HTTP request's user when there is one, else the circuit's.</summary>
    internal static OperationCaller FromScope(IServiceProvider services)
    {
        var http = services.GetRequiredService<IHttpContextAccessor>().HttpContext;
        var sourceIp = services.GetRequiredService<AuditCaller>().SourceIp;
        if (http?.User.Identity?.IsAuthenticated == true)
        {
            var user = http.User;
            return new OperationCaller(() => Task.FromResult(user), sourceIp);
        }
        var authentication = services.GetRequiredService<AuthenticationStateProvider>();
        return new OperationCaller(async () => (await authentication.GetAuthenticationStateAsync()).User, sourceIp);
    }
}
