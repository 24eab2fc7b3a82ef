using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// Fault knob changes as people make them: an Operator, on a Sandbox environment only (checked
/// here, not only by the page), then recorded and applied by <see cref="SandboxFaultSwitch"/>.
/// </summary>
public sealed class SandboxFaultKnobs(SandboxBackend backend, PortalAuthorization authorization, SandboxFaultSwitch faultSwitch)
{
    /// <summary>
    /// Turns <paramref name="fault"/> on or off for <paramref name="user"/>. Returns false, recording
    /// nothing, when the knob already was in that position. Throws <see cref="PortalAccessDeniedException"/> (the
    /// denial recorded) for a caller without the Operator role or a non-Sandbox environment, and
    /// <see cref="AuditUnavailableException"/> (the knob unchanged) when the trail cannot record it.
    /// </summary>
    public async Task<bool> SetFaultAsync(ClaimsPrincipal user, string? sourceIp, PortalEnvironment environment, SandboxFault fault, bool on, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        await authorization.EnsureCanChangeSandboxFaultsAsync(user, environment, sourceIp, $"sandbox-fault/{fault}", cancellationToken);
        return await faultSwitch.SetFaultAsync(backend.PlatformFor(environment), environment, fault, on, AuditActor.FromPrincipal(user, sourceIp), cancellationToken);
    }
}
