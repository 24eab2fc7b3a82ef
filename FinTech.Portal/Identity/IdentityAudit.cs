using System.Globalization;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Identity;

/// <summary>
/// Records sign-ins, sign-outs, failed sign-ins, access denials and the end of sessions in the
/// audit trail with user, roles, source address and outcome. Throws
/// <see cref="AuditUnavailableException"/> when the trail cannot be written: a sign-in fails closed
/// on it; callers decide for the others.
/// </summary>
public sealed class IdentityAudit(AuditTrail trail, EnvironmentCatalog environments)
{
    /// <summary>Marks an environment named in a request that the portal does not have.</summary>
    public const string UnknownEnvironmentPrefix = "unknown:";

    public Task SignedInAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignedIn, user, sourceIp, AuditOutcome.Succeeded, environment: null, target: null, MethodOf(user), reason: null, cancellationToken);

    public Task SignedOutAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignedOut, user, sourceIp, AuditOutcome.Succeeded, environment: null, target: null, MethodOf(user), reason: null, cancellationToken);

    /// <summary><paramref name="user"/> is who tried, when known (an unknown persona, a token without a user id: nobody).</summary>
    public Task SignInFailedAsync(ClaimsPrincipal? user, string? sourceIp, string reason, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignInFailed, user ?? new ClaimsPrincipal(new ClaimsIdentity()), sourceIp, AuditOutcome.Failed,
            environment: null, target: null, parameters: null, reason, cancellationToken);

    /// <summary>
    /// A sign-out without a valid antiforgery token: a page of another site posting the form, or a
    /// script. Refused; the origin it came from is recorded (bounded and escaped).
    /// </summary>
    public Task SignOutRefusedAsync(ClaimsPrincipal user, string? sourceIp, string? origin, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SignOutRefused, user, sourceIp, AuditOutcome.Denied, environment: null, target: IdentitySetup.SignOutPath,
            new Dictionary<string, string?> { ["origin"] = AuditText.Bounded(origin ?? "none") },
            "The sign-out request carried no valid antiforgery token (a form posted from another site, or a script).", cancellationToken);

    public Task AccessDeniedAsync(ClaimsPrincipal user, string? sourceIp, AccessDecision decision, string? environment, string? target, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.AccessDenied, user, sourceIp, AuditOutcome.Denied, EnvironmentField(environment), AuditText.Bounded(target, 256) ?? decision.Policy,
            new Dictionary<string, string?> { ["policy"] = decision.Policy }, decision.Reason, cancellationToken);

    /// <summary>The session went idle or reached its maximum age (noticed by the next request or revalidation).</summary>
    public Task SessionEndedAsync(ClaimsPrincipal user, string? sourceIp, string? reason, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SessionEnded, user, sourceIp, AuditOutcome.Succeeded, environment: null, target: null,
            new Dictionary<string, string?> { ["reason"] = reason }, reason == SessionEndReasons.Idle ? "No activity for the idle time." : "The session reached its maximum age.", cancellationToken);

    /// <summary>An Admin ended every session of <paramref name="userId"/>.</summary>
    public Task SessionsRevokedAsync(ClaimsPrincipal admin, string? sourceIp, string userId, int ended, CancellationToken cancellationToken) =>
        RecordAsync(AuditEventTypes.SessionsRevoked, admin, sourceIp, AuditOutcome.Succeeded, environment: null, target: $"user/{userId}",
            new Dictionary<string, string?> { ["sessionsEnded"] = ended.ToString(CultureInfo.InvariantCulture) }, reason: null, cancellationToken);

    /// <summary>
    /// The trail's environment field holds a configured environment key, or, for anything a request
    /// named that the portal does not have, the bounded, escaped text marked <c>unknown:</c>, so a
    /// typed <c>?env=prod</c> can never pass for the production environment in a search.
    /// </summary>
    public string? EnvironmentField(string? requested) =>
        string.IsNullOrEmpty(requested) ? null
        : environments.Find(requested) is { } known ? known.Key
        : UnknownEnvironmentPrefix + AuditText.Bounded(requested);

    private static Dictionary<string, string?>? MethodOf(ClaimsPrincipal user) =>
        user.FindFirst(PortalUser.SignInMethodClaim)?.Value is { } method ? new() { ["method"] = method } : null;

    private Task<AuditRecorded> RecordAsync(string eventType, ClaimsPrincipal user, string? sourceIp, AuditOutcome outcome,
        string? environment, string? target, IReadOnlyDictionary<string, string?>? parameters, string? reason, CancellationToken cancellationToken) =>
        trail.RecordAsync(new AuditEntry(eventType, AuditActor.FromPrincipal(user, sourceIp), outcome, environment, target, parameters, reason), cancellationToken);
}
