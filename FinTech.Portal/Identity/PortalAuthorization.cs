using System.Security.Claims;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Identity;

/// <summary>Thrown by a service that refuses the caller; the message says which role is missing.</summary>
public sealed class PortalAccessDeniedException(AccessDecision decision)
    : Exception(decision.Reason ?? $"Access denied by policy {decision.Policy}.")
{
    public AccessDecision Decision { get; } = decision;
}

/// <summary>
/// The checks services make before they act (architecture decision 5): the page may have hidden
/// the button, but the service asks again, records the denial in the audit trail and throws
/// <see cref="PortalAccessDeniedException"/>. A session that has ended (signed out in another tab,
/// idle, ended by an Admin) is refused here too, before its open page learns it is over.
/// </summary>
public sealed class PortalAuthorization(IdentityAudit audit, PortalSessions sessions, ILogger<PortalAuthorization> logger)
{
    public Task EnsureCanViewDashboardsAsync(ClaimsPrincipal user, string? sourceIp = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.ViewDashboards, resource: null, environment: null, target: null, cancellationToken);

    public Task EnsureCanRequestOperationsAsync(ClaimsPrincipal user, string? sourceIp = null, string? environment = null, string? target = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.RequestOperations, resource: null, environment, target, cancellationToken);

    /// <summary>Approver role, and never the person who requested the operation.</summary>
    public Task EnsureCanApproveAsync(ClaimsPrincipal user, string requesterId, string? sourceIp = null, string? environment = null, string? target = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.ApproveOperations, new ApprovalResource(requesterId), environment, target, cancellationToken);

    public Task EnsureCanReadAuditAsync(ClaimsPrincipal user, string? sourceIp = null, string? target = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.ReadAudit, resource: null, environment: null, target, cancellationToken);

    /// <summary>Operator role, and only on a Sandbox environment.</summary>
    public Task EnsureCanChangeSandboxFaultsAsync(ClaimsPrincipal user, PortalEnvironment environment, string? sourceIp = null, string? target = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.ChangeSandboxFaults, environment, environment.Key, target, cancellationToken);

    /// <summary>Admin role.</summary>
    public Task EnsureCanManageSessionsAsync(ClaimsPrincipal user, string? sourceIp = null, string? target = null, CancellationToken cancellationToken = default) =>
        EnsureAsync(user, sourceIp, PortalPolicies.ManageSessions, resource: null, environment: null, target, cancellationToken);

    public async Task EnsureAsync(ClaimsPrincipal user, string? sourceIp, string policy, object? resource, string? environment, string? target, CancellationToken cancellationToken)
    {
        var decision = PortalAccessRules.Evaluate(policy, user, resource);
        if (decision.IsAllowed)
        {
            var session = await sessions.CheckAsync(user, touch: false, cancellationToken);
            if (session.IsActive)
            {
                return;
            }
            decision = AccessDecision.Deny(policy, session.Message);
        }
        try
        {
            await audit.AccessDeniedAsync(user, sourceIp, decision, environment, target, cancellationToken);
        }
        catch (FinTech.Portal.Audit.AuditUnavailableException e)
        {
            // Denied either way; an unrecorded denial is logged so that it is not lost entirely.
            logger.LogError(e, "An access denial ({Policy}) could not be recorded in the audit trail.", policy);
        }
        throw new PortalAccessDeniedException(decision);
    }
}
