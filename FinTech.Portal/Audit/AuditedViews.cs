using System.Security.Claims;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Audit;

/// <summary>
/// Recording of what people looked at, where PCI DSS asks for it: dashboards of production
/// environments (10.2.1: access to cardholder-data systems). Views of other environments are not
/// recorded, to keep the trail about what matters.
/// </summary>
public sealed class AuditedViews(AuditTrail trail)
{
    /// <summary>
    /// Records <c>dashboard.viewed</c> when <paramref name="environment"/> is production and
    /// returns the event; returns null (nothing recorded) otherwise. Throws
    /// <see cref="AuditUnavailableException"/> when the event cannot be written: the dashboard page
    /// decides whether to keep showing data (dashboards keep working; operations are refused).
    /// </summary>
    public async Task<AuditRecorded?> DashboardViewedAsync(ClaimsPrincipal user, string? sourceIp, PortalEnvironment environment, string dashboard, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!environment.IsProduction)
        {
            return null;
        }
        return await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.DashboardViewed,
            AuditActor.FromPrincipal(user, sourceIp),
            AuditOutcome.Succeeded,
            Environment: environment.Key,
            Target: dashboard), ct);
    }
}
