using System.Security.Claims;

namespace FinTech.Portal.Audit;

public enum AuditOutcome
{
    Succeeded,
    Failed,
    Denied,
}

/// <summary>Who did it: PCI DSS 10.2.2 "user identification", with the roles in force and the client address.</summary>
public sealed record AuditActor(string UserId, string DisplayName, IReadOnlyList<string> Roles, string? SourceIp)
{
    /// <summary>The portal itself: start and stop, configuration, anchoring.</summary>
    public static AuditActor System { get; } = new("portal", "FinTech Ops Portal", [], null);

    /// <summary>
    /// The signed-in user. User id: the Entra ID object id (<c>oid</c>), else the name identifier,
    /// else <c>sub</c>; an anonymous caller is recorded as <c>anonymous</c>.
    /// </summary>
    public static AuditActor FromPrincipal(ClaimsPrincipal user, string? sourceIp)
    {
        ArgumentNullException.ThrowIfNull(user);
        var userId = user.FindFirst("oid")?.Value
            ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value
            ?? user.FindFirst("sub")?.Value
            ?? "anonymous";
        var name = user.FindFirst("name")?.Value ?? user.Identity?.Name ?? userId;
        var roles = user.FindAll(ClaimTypes.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new AuditActor(userId, name, roles, sourceIp);
    }

    // Records compare lists by reference; two actors are the same when their values are.
    public bool Equals(AuditActor? other) =>
        other is not null && UserId == other.UserId && DisplayName == other.DisplayName && SourceIp == other.SourceIp && Roles.SequenceEqual(other.Roles);

    public override int GetHashCode() => HashCode.Combine(UserId, DisplayName, SourceIp, Roles.Count);
}

/// <summary>
/// What happened. <paramref name="EventType"/> is dot + kebab case (<c>portal.started</c>,
/// <c>sandbox.fault-changed</c>); <paramref name="Parameters"/> never carry secret values.
/// </summary>
public sealed record AuditEntry(
    string EventType,
    AuditActor Actor,
    AuditOutcome Outcome,
    string? Environment = null,
    string? Target = null,
    IReadOnlyDictionary<string, string?>? Parameters = null,
    string? Reason = null);

/// <summary>Where an event landed in the chain.</summary>
public sealed record AuditRecorded(long Sequence, string Hash, DateTimeOffset OccurredAt);

/// <summary>
/// The audit trail could not be written (or read), so whatever depended on it must not happen.
/// The message is for people; the inner exception says why.
/// </summary>
public sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The caller may not read the audit trail. The denial itself was recorded.</summary>
public sealed class AuditAccessDeniedException(string message) : UnauthorizedAccessException(message);

/// <summary>The event types the portal records; identity and operations add theirs in the same shape.</summary>
public static class AuditEventTypes
{
    public const string PortalStarted = "portal.started";
    public const string PortalStopped = "portal.stopped";
    public const string PortalConfiguration = "portal.configuration";
    public const string DashboardViewed = "dashboard.viewed";
    public const string SandboxFaultChanged = "sandbox.fault-changed";
    public const string AuditSearched = "audit.searched";
    public const string AuditEventViewed = "audit.event-viewed";
    public const string AuditExported = "audit.exported";
    public const string AuditVerified = "audit.verified";
    public const string AuditAnchored = "audit.anchored";
    public const string SignedIn = "identity.signed-in";
    public const string SignedOut = "identity.signed-out";
    public const string SignInFailed = "identity.sign-in-failed";
    public const string AccessDenied = "identity.access-denied";
    public const string SignOutRefused = "identity.sign-out-refused";
    public const string SessionEnded = "identity.session-ended";
    public const string SessionsRevoked = "identity.sessions-revoked";
}
