using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// Fault knob changes as people make them: an Operator, on a Sandbox environment only (checked
/// here, not only by the page), recorded in the audit trail before the knob moves.
/// </summary>
public sealed class SandboxFaultKnobs(SandboxBackend backend, PortalAuthorization authorization, AuditTrail trail)
{
    /// <summary>
    /// Turns <paramref name="fault"/> on or off for <paramref name="user"/>. Returns false when the
    /// knob already was in that position. Throws <see cref="PortalAccessDeniedException"/> for a
    /// caller without the Operator role or a non-Sandbox environment, and
    /// <see cref="AuditUnavailableException"/> (the knob unchanged) when the trail cannot record it.
    /// </summary>
    public async Task<bool> SetFaultAsync(ClaimsPrincipal user, string? sourceIp, PortalEnvironment environment, SandboxFault fault, bool on, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var target = $"sandbox-fault/{fault}";
        await authorization.EnsureCanChangeSandboxFaultsAsync(user, environment, sourceIp, target, cancellationToken);
        var platform = backend.PlatformFor(environment);
        if (platform.IsActive(fault) == on)
        {
            return false;
        }
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.SandboxFaultChanged,
            AuditActor.FromPrincipal(user, sourceIp),
            AuditOutcome.Succeeded,
            Environment: environment.Key,
            Target: target,
            Parameters: new Dictionary<string, string?> { ["on"] = on ? "true" : "false" }), cancellationToken);
        return platform.SetFault(fault, on);
    }
}
