using System.Security.Claims;

namespace FinTech.Portal.Identity;

/// <summary>
/// Records sign-ins, sign-outs, failed sign-ins and access denials with user, roles, source
/// address and outcome.
/// </summary>
public sealed class IdentityAudit(ILogger<IdentityAudit> logger)
{
    public const string SignedIn = "identity.signed-in";
    public const string SignedOut = "identity.signed-out";
    public const string SignInFailed = "identity.sign-in-failed";
    public const string AccessDenied = "identity.access-denied";

    public Task SignedInAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(SignedIn, user, sourceIp, "Succeeded", target: null, reason: null, cancellationToken);

    public Task SignedOutAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(SignedOut, user, sourceIp, "Succeeded", target: null, reason: null, cancellationToken);

    public Task SignInFailedAsync(ClaimsPrincipal? user, string? sourceIp, string reason, CancellationToken cancellationToken) =>
        RecordAsync(SignInFailed, user ?? new ClaimsPrincipal(new ClaimsIdentity()), sourceIp, "Failed", target: null, reason, cancellationToken);

    public Task AccessDeniedAsync(ClaimsPrincipal user, string? sourceIp, AccessDecision decision, string? environment, string? target, CancellationToken cancellationToken) =>
        RecordAsync(AccessDenied, user, sourceIp, "Denied", target ?? decision.Policy, decision.Reason, cancellationToken);

    private Task RecordAsync(string eventType, ClaimsPrincipal user, string? sourceIp, string outcome, string? target, string? reason, CancellationToken cancellationToken)
    {
        logger.LogInformation("{EventType} {Outcome} user {UserId} roles {Roles} from {SourceIp} target {Target}: {Reason}",
            eventType, outcome, PortalUser.IdOf(user), string.Join(",", PortalUser.RolesOf(user)), sourceIp, target, reason);
        return Task.CompletedTask;
    }
}
