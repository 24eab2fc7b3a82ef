using System.Data.Common;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// Fault knob changes as the portal makes them, on the same safe path as operations: the audit
/// event and the knob's new position (its <see cref="SandboxJournal"/> entry) commit in one
/// database transaction, audit first, and only then does the simulated platform change. A change
/// whose event cannot be written is not made (<see cref="AuditUnavailableException"/>); a knob
/// already in the requested position records nothing, however often it is asked (a double
/// click, a second tab, a second portal task: the journal's lock puts them in line).
/// </summary>
public sealed class SandboxFaultSwitch(AuditTrail trail, SandboxJournal journal)
{
    /// <summary>Returns false, recording nothing, when the knob already is in that position.</summary>
    public async Task<bool> SetFaultAsync(SandboxPlatform platform, PortalEnvironment environment, SandboxFault fault, bool on, AuditActor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(environment);
        if (!Enum.IsDefined(fault))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault, $"There is no Sandbox fault '{fault}'. Faults: {string.Join(", ", Enum.GetNames<SandboxFault>())}.");
        }
        var at = platform.Now;
        SandboxJournalEntry? recorded = null;
        try
        {
            await using var connection = await journal.Database.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await journal.LockAsync(transaction, ct);
            var last = await journal.LastFaultChangeAsync(transaction, environment.Key, fault, ct);
            // Already there (a double click, another tab, another portal task): nothing to record.
            if ((last?.On ?? false) != on)
            {
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
                    }), transaction, ct);
                recorded = await journal.AppendAsync(transaction, environment.Key, at, on ? SandboxAction.FaultOn : SandboxAction.FaultOff, fault.ToString(), ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch (Exception e) when (e is DbException or IOException or TimeoutException)
        {
            throw new AuditUnavailableException(
                $"The change of '{SandboxFaults.Describe(fault).Title}' could not be recorded (the portal database did not answer), so the knob was not moved. " +
                "Try again in a moment; if it persists, the portal database needs attention.", e);
        }
        if (recorded is null)
        {
            // The platform follows the journal in case another portal task made the change.
            await platform.TryCatchUpAsync(ct);
            return false;
        }
        await platform.ApplyCommittedAsync(recorded, ct);
        return true;
    }
}
