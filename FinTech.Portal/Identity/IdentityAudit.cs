using System.Security.Claims;
using FinTech.Portal.Audit;

namespace FinTech.Portal.Identity;

/// <summary>
/// Records sign-ins, sign-outs, failed sign-ins and access denials in the audit trail with user,
/// roles, source address and outcome. Throws <see cref="AuditUnavailableException"/> when the
/// trail cannot be written: a sign-in fails closed on it; callers decide for the others.
/// </summary>
public sealed class IdentityAudit(AuditTrail trail)
{
    public Task SignedInAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignedIn, user, sourceIp, AuditOutcome.Succeeded, environment: null, target: null, MethodOf(user), reason: null, cancellationToken);

    public Task SignedOutAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignedOut, user, sourceIp, AuditOutcome.Succeeded, environment: null, target: null, MethodOf(user), reason: null, cancellationToken);

    /// <summary><paramref name="user"/> is who tried, when known (an unknown persona, a token without a user id: nobody).</summary>
    public Task SignInFailedAsync(ClaimsPrincipal? user, string? sourceIp, string reason, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignInFailed, user ?? new ClaimsPrincipal(new ClaimsIdentity()), sourceIp, AuditOutcome.Failed,
            environment: null, target: null, method: null, reason, cancellationToken);

    public Task AccessDeniedAsync(ClaimsPrincipal user, string? sourceIp, AccessDecision decision, string? environment, string? target, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.AccessDenied, user, sourceIp, AuditOutcome.Denied, environment, target ?? decision.Policy,
            new Dictionary<string, string?> { ["policy"] = decision.Policy }, decision.Reason, cancellationToken);

    private static Dictionary<string, string?>? MethodOf(ClaimsPrincipal user) =>
        user.FindFirst(PortalUser.SignInMethodClaim)?.Value is { } method ? new() { ["method"] = method } : null;

    private Task<AuditRecorded> RecordAsync(string eventType, ClaimsPrincipal user, string? sourceIp, AuditOutcome outcome,
        string? environment, string? target, IReadOnlyDictionary<string, string?>? method, string? reason, CancellationToken cancellationToken) =>
        trail.RecordAsync(new AuditEntry(eventType, AuditActor.FromPrincipal(user, sourceIp), outcome, environment, target, method, reason), cancellationToken);
}
