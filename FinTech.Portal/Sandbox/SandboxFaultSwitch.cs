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
    // One change at a time: a double click, or two SREs turning the same knob, must not both see it
    // off, both record a change and only one of them happen.
    private readonly SemaphoreSlim _oneChangeAtATime = new(1, 1);

    /// <summary>Returns false, recording nothing, when the knob already is in that position.</summary>
    public async Task<bool> SetFaultAsync(SandboxPlatform platform, PortalEnvironment environment, SandboxFault fault, bool on, AuditActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(environment);
        await _oneChangeAtATime.WaitAsync(ct);
        try
        {
            return await SetFaultExclusiveAsync(platform, environment, fault, on, actor, ct);
        }
        finally
        {
            _oneChangeAtATime.Release();
        }
    }

    private async Task<bool> SetFaultExclusiveAsync(SandboxPlatform platform, PortalEnvironment environment, SandboxFault fault, bool on, AuditActor actor, CancellationToken ct)
    {
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
