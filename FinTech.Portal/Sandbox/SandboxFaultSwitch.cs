using FinTech.Portal.Audit;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// Fault knob changes as the portal makes them: recorded in the audit trail first, then applied
/// through <see cref="SandboxPlatform.SetFault"/> (audit first, fail closed: a change whose event
/// cannot be written is not made, and <see cref="AuditUnavailableException"/> tells the caller).
/// </summary>
public sealed class SandboxFaultSwitch(AuditTrail trail)
{
    /// <summary>Returns false, recording nothing, when the knob already is in that position.</summary>
    public async Task<bool> SetFaultAsync(SandboxPlatform platform, PortalEnvironment environment, SandboxFault fault, bool on, AuditActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(environment);
        if (platform.IsActive(fault) == on)
        {
            return false;
        }
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.SandboxFaultChanged,
            actor,
            AuditOutcome.Succeeded,
            Environment: environment.Key,
            Target: $"sandbox-fault/{fault}",
            Parameters: new Dictionary<string, string?>
            {
                ["fault"] = fault.ToString(),
                ["on"] = on ? "true" : "false",
            }), ct);
        return platform.SetFault(fault, on);
    }
}
