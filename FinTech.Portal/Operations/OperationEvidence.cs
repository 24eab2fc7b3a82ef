using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;

namespace FinTech.Portal.Operations;

public sealed record EvidenceDocument(string Content, string Sha256);

/// <summary>The result of checking sealed evidence: its hash, its audit event, and the chain up to it.</summary>
public sealed record EvidenceVerification(bool Intact, string Message, long AuditSequence, string Sha256);

/// <summary>
/// Evidence of a finished run (PCI DSS 6.5.1 and 10.2): requester, approvers and the approved
/// parameter hash, preflight, the timeline of calls and events, the measured figures and the
/// verdict. Built as JSON, hashed, and sealed by the run's final audit event, which carries the
/// hash (<c>evidenceSha256</c>); verification re-hashes the stored JSON and verifies the audit
/// chain through that event.
/// </summary>
public sealed class OperationEvidence(OperationStore store, AuditStore auditStore, AuditVerifier verifier, AuditTrail trail,
    PortalAuthorization authorization)
{
    public const string Format = "fintech-operation-evidence/1";

    internal async Task<EvidenceDocument> BuildAsync(DbTransaction transaction, OperationRun run, OperationMeasurements? measurements, CancellationToken cancellationToken)
    {
        var approvals = await store.ApprovalsAsync(transaction.Connection!, transaction, run.Id, cancellationToken);
        var timeline = await store.TimelineAsync(transaction.Connection!, transaction, run.Id, cancellationToken);
        var document = new JsonObject
        {
            ["format"] = Format,
            ["runId"] = run.Id,
            ["kind"] = run.Kind,
            ["environment"] = run.Environment,
            ["target"] = run.Target,
            ["reason"] = run.Reason,
            ["changeTicket"] = run.ChangeTicket,
            ["emergency"] = run.Emergency,
            ["requester"] = new JsonObject { ["userId"] = run.RequesterId, ["displayName"] = run.RequesterName },
            ["requestedAt"] = Time(run.CreatedAt),
            ["parameters"] = JsonNode.Parse(run.ParametersJson),
            ["parametersHash"] = run.ParametersHash,
            ["approvals"] = new JsonArray(approvals.Select(a => (JsonNode)new JsonObject
            {
                ["approverId"] = a.ApproverId,
                ["approverName"] = a.ApproverName,
                ["approvedAt"] = Time(a.ApprovedAt),
                ["parametersHash"] = a.ParametersHash,
                ["targetStateHash"] = a.TargetStateHash,
                ["targetState"] = JsonNode.Parse(a.TargetState),
            }).ToArray()),
            ["preflight"] = new JsonArray(run.Preflight.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["passed"] = c.Passed, ["detail"] = c.Detail,
            }).ToArray()),
            ["timeline"] = new JsonArray(timeline.Select(t => (JsonNode)new JsonObject
            {
                ["at"] = Time(t.At), ["category"] = t.Category, ["text"] = t.Text,
            }).ToArray()),
            ["measurements"] = measurements is null ? null : new JsonObject
            {
                ["figures"] = new JsonObject(measurements.Figures.OrderBy(f => f.Key, StringComparer.Ordinal)
                    .Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value)))),
                ["meetsObjective"] = measurements.MeetsObjective,
                ["verdict"] = measurements.Verdict,
            },
            ["outcome"] = new JsonObject
            {
                ["state"] = run.State.ToString(),
                ["reason"] = run.OutcomeReason,
                ["startedAt"] = run.StartedAt is { } started ? Time(started) : null,
                ["finishedAt"] = run.FinishedAt is { } finished ? Time(finished) : null,
            },
        };
        var content = document.ToJsonString(OperationJson.Canonical);
        return new EvidenceDocument(content, OperationJson.Sha256(content));
    }

    public async Task<IReadOnlyList<EvidenceListItem>> ListAsync(PortalCaller caller, CancellationToken cancellationToken)
    {
        await authorization.EnsureCanViewDashboardsAsync(await caller.UserAsync(), caller.SourceIp, cancellationToken);
        return await store.EvidenceListAsync(200, cancellationToken);
    }

    public async Task<SealedEvidence?> GetAsync(PortalCaller caller, string runId, CancellationToken cancellationToken)
    {
        await authorization.EnsureCanViewDashboardsAsync(await caller.UserAsync(), caller.SourceIp, cancellationToken);
        return await store.EvidenceAsync(runId, cancellationToken);
    }

    /// <summary>An export is recorded (who took a copy of the evidence, in which form) before it is sent.</summary>
    public async Task RecordExportAsync(PortalCaller caller, SealedEvidence evidence, string format, CancellationToken cancellationToken) =>
        await trail.RecordAsync(new AuditEntry("operation.evidence-exported", await caller.ActorAsync(), AuditOutcome.Succeeded, null, $"operation/{evidence.RunId}",
            new Dictionary<string, string?> { ["format"] = format, ["evidenceSha256"] = evidence.Sha256 }), cancellationToken);

    /// <summary>Auditors (and Admins) verify: the stored JSON's hash, the sealing audit event, and the chain through it. Recorded.</summary>
    public async Task<EvidenceVerification> VerifyAsync(PortalCaller caller, string runId, CancellationToken cancellationToken)
    {
        var user = await caller.UserAsync();
        await authorization.EnsureCanReadAuditAsync(user, caller.SourceIp, $"operation/{runId}", cancellationToken);
        var result = await VerifyCoreAsync(runId, cancellationToken);
        await trail.RecordAsync(new AuditEntry("operation.evidence-verified", AuditActor.FromPrincipal(user, caller.SourceIp),
            result.Intact ? AuditOutcome.Succeeded : AuditOutcome.Failed, null, $"operation/{runId}",
            new Dictionary<string, string?> { ["evidenceSha256"] = result.Sha256, ["sealedBy"] = result.AuditSequence.ToString(CultureInfo.InvariantCulture) },
            result.Message), cancellationToken);
        return result;
    }

    internal async Task<EvidenceVerification> VerifyCoreAsync(string runId, CancellationToken cancellationToken)
    {
        var sealedEvidence = await store.EvidenceAsync(runId, cancellationToken);
        if (sealedEvidence is null)
        {
            return new EvidenceVerification(false, $"Run {runId} has no sealed evidence.", 0, "");
        }
        var actual = OperationJson.Sha256(sealedEvidence.Content);
        if (actual != sealedEvidence.Sha256)
        {
            return new EvidenceVerification(false, $"The evidence was changed after sealing: its SHA-256 is {actual}, sealed as {sealedEvidence.Sha256}.", sealedEvidence.AuditSequence, actual);
        }
        var sealing = await auditStore.GetAsync(sealedEvidence.AuditSequence, cancellationToken);
        if (sealing is null || sealing.Target != $"operation/{runId}" || sealing.Parameters.GetValueOrDefault("evidenceSha256") != actual)
        {
            return new EvidenceVerification(false, $"Audit event #{sealedEvidence.AuditSequence} does not seal this evidence (its hash or run differs).", sealedEvidence.AuditSequence, actual);
        }
        var chain = await verifier.VerifyAsync(1, sealedEvidence.AuditSequence, cancellationToken);
        if (!chain.Intact)
        {
            return new EvidenceVerification(false, $"The audit chain that seals the evidence is broken: {chain.Message}", sealedEvidence.AuditSequence, actual);
        }
        return new EvidenceVerification(true,
            $"Intact: SHA-256 {actual} matches audit event #{sealedEvidence.AuditSequence} ({sealing.EventType}, {AuditCanonical.FormatTimestamp(sealing.OccurredAt)}); the chain verifies through it.",
            sealedEvidence.AuditSequence, actual);
    }

    private static string Time(DateTimeOffset value) => AuditCanonical.FormatTimestamp(value);
}
