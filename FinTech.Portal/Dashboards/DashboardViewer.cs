using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// A person opening a dashboard: the service-side check that they may view dashboards (the page's
/// <c>[Authorize]</c> is not the only guard), and the audit record of a production view (PCI DSS
/// 10.2.1). Watching the data itself is the shared <see cref="DashboardRefreshHub"/>.
/// </summary>
public sealed class DashboardViewer(PortalAuthorization authorization, AuditedViews views, ILogger<DashboardViewer> logger)
{
    /// <summary>
    /// Checks and records the view. Throws <see cref="PortalAccessDeniedException"/> (the denial
    /// recorded) for someone without a portal role. When the trail cannot record a production view
    /// the dashboard still opens — dashboards keep working while the trail is down, operations do
    /// not — and the returned warning tells the viewer; the failure is logged.
    /// </summary>
    public async Task<string?> OpenAsync(ClaimsPrincipal user, string? sourceIp, PortalEnvironment environment, string dashboard, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        await authorization.EnsureCanViewDashboardsAsync(user, sourceIp, cancellationToken);
        try
        {
            await views.DashboardViewedAsync(user, sourceIp, environment, dashboard, cancellationToken);
            return null;
        }
        catch (AuditUnavailableException error)
        {
            logger.LogError(error, "The view of dashboard {Dashboard} of production environment {Environment} could not be recorded", dashboard, environment.Key);
            return $"This view of {environment.DisplayName} could not be recorded in the audit trail ({error.Message}). The data is shown; tell the platform team.";
        }
    }
}
