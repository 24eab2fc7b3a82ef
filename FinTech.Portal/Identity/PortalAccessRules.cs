using System.Security.Claims;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Authorization;

namespace FinTech.Portal.Identity;

/// <summary>The answer to "may this user do that", with the reason people read when it is no.</summary>
public sealed record AccessDecision(bool IsAllowed, string Policy, string? Reason)
{
    public static AccessDecision Allow(string policy) => new(true, policy, null);

    public static AccessDecision Deny(string policy, string reason) => new(false, policy, reason);
}

/// <summary>The operation whose approval is being decided: who asked for it.</summary>
public sealed record ApprovalResource(string RequesterId);

/// <summary>
/// The portal's access rules in one place. The authorization policies of pages and endpoints and
/// the checks inside services both evaluate these, so the UI and the services cannot disagree.
/// A policy evaluated without a resource (a page) checks the role only; the resource-based parts
/// (the requester cannot approve, fault knobs only on Sandbox) apply when the service passes the
/// resource it is about to act on.
/// </summary>
public static class PortalAccessRules
{
    public static IReadOnlyList<string> Policies { get; } =
    [
        PortalPolicies.ViewDashboards,
        PortalPolicies.RequestOperations,
        PortalPolicies.ApproveOperations,
        PortalPolicies.ReadAudit,
        PortalPolicies.ChangeSandboxFaults,
        PortalPolicies.ManageSessions,
    ];

    /// <summary>The roles any one of which grants <paramref name="policy"/>.</summary>
    public static IReadOnlyList<string> RolesFor(string policy) => policy switch
    {
        PortalPolicies.ViewDashboards => PortalRoles.All,
        PortalPolicies.RequestOperations => [PortalRoles.Operator],
        PortalPolicies.ApproveOperations => [PortalRoles.Approver],
        PortalPolicies.ReadAudit => [PortalRoles.Auditor, PortalRoles.Admin],
        PortalPolicies.ChangeSandboxFaults => [PortalRoles.Operator],
        PortalPolicies.ManageSessions => [PortalRoles.Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a portal policy."),
    };

    /// <summary>What the policy lets people do, as the access-denied page says it.</summary>
    public static string ActivityOf(string policy) => policy switch
    {
        PortalPolicies.ViewDashboards => "Viewing dashboards",
        PortalPolicies.RequestOperations => "Requesting operations",
        PortalPolicies.ApproveOperations => "Approving operations",
        PortalPolicies.ReadAudit => "Reading and exporting the audit trail",
        PortalPolicies.ChangeSandboxFaults => "Changing Sandbox fault knobs",
        PortalPolicies.ManageSessions => "Ending other people's sessions",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not a portal policy."),
    };

    public static AccessDecision Evaluate(string policy, ClaimsPrincipal user, object? resource = null)
    {
        var required = RolesFor(policy);
        if (!PortalUser.IsSignedIn(user))
        {
            return AccessDecision.Deny(policy, $"{ActivityOf(policy)} needs you to sign in.");
        }
        if (!required.Any(role => user.HasClaim(ClaimTypes.Role, role)))
        {
            return AccessDecision.Deny(policy, MissingRoleMessage(policy, PortalUser.RolesOf(user)));
        }
        switch (policy, resource)
        {
            case (PortalPolicies.ApproveOperations, ApprovalResource approval)
                when string.Equals(approval.RequesterId, PortalUser.IdOf(user), StringComparison.Ordinal):
                return AccessDecision.Deny(policy, "You requested this operation, so someone else with the Approver role must approve it.");
            case (PortalPolicies.ChangeSandboxFaults, PortalEnvironment environment)
                when environment.Backend != PlatformBackend.Sandbox || environment.IsProduction:
                return AccessDecision.Deny(policy,
                    $"Fault knobs exist only on Sandbox environments; '{environment.Key}' is {(environment.IsProduction ? "a production" : "an " + environment.Backend)} environment.");
            default:
                return AccessDecision.Allow(policy);
        }
    }

    public static string MissingRoleMessage(string policy, IReadOnlyList<string> heldRoles)
    {
        var required = RolesFor(policy);
        var needs = required.Count == 1
            ? $"the {required[0]} role"
            : $"one of the roles {string.Join(", ", required.Take(required.Count - 1))} or {required[^1]}";
        var has = heldRoles.Count == 0 ? "you have no portal role" : $"you have {string.Join(", ", heldRoles)}";
        return $"{ActivityOf(policy)} needs {needs}; {has}.";
    }

    /// <summary>Registers every portal policy as one requirement evaluated by <see cref="Evaluate"/>.</summary>
    public static void AddPortalPolicies(this AuthorizationOptions options)
    {
        foreach (var policy in Policies)
        {
            options.AddPolicy(policy, builder => builder
                .RequireAuthenticatedUser()
                .AddRequirements(new PortalPolicyRequirement(policy)));
        }
    }
}

/// <summary>One of the portal's policies as an authorization requirement.</summary>
public sealed record PortalPolicyRequirement(string Policy) : IAuthorizationRequirement;

/// <summary>
/// Evaluates <see cref="PortalPolicyRequirement"/> with the shared rules and hands the reason on
/// when it fails. Inside a circuit (no HTTP request, whose cookie check already asked) it also asks
/// whether the user's session is still active, so a signed-out session's open page cannot act.
/// </summary>
public sealed class PortalPolicyHandler(PortalSessions sessions) : AuthorizationHandler<PortalPolicyRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, PortalPolicyRequirement requirement)
    {
        var decision = PortalAccessRules.Evaluate(requirement.Policy, context.User, context.Resource);
        if (decision.IsAllowed && context.Resource is not HttpContext)
        {
            var session = await sessions.CheckAsync(context.User, touch: false, CancellationToken.None);
            if (!session.IsActive)
            {
                decision = AccessDecision.Deny(requirement.Policy, session.Message);
            }
        }
        if (decision.IsAllowed)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new PortalPolicyFailure(this, decision));
        }
    }
}

/// <summary>Why a portal policy failed, with the policy's name (an explicit failure lists no failed requirements).</summary>
public sealed class PortalPolicyFailure(IAuthorizationHandler handler, AccessDecision decision)
    : AuthorizationFailureReason(handler, decision.Reason ?? decision.Policy)
{
    public AccessDecision Decision { get; } = decision;
}
