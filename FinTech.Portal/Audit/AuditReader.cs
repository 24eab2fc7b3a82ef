using System.Globalization;
using System.Security.Claims;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Audit;

/// <summary>
/// What a compliance reviewer can do with the trail: search, open, export, verify. Every call
/// checks the caller against <see cref="PortalPolicies.ReadAudit"/> itself (architecture decision 5:
/// pages hide, services enforce) and is recorded, including the denials: reading the audit trail
/// is itself audited (PCI DSS 10.2.1.3). Recording comes first, so a trail that cannot be written
/// cannot be read either.
/// </summary>
public sealed class AuditReader(
    AuditStore store,
    AuditTrail trail,
    AuditVerifier verifier,
    IAuditAnchorSink anchors,
    AuditAnchoring anchoring,
    IAuthorizationService authorization,
    IOptions<AuditOptions> options,
    TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>Events older than this are past online retention and due for archive (they stay in the chain).</summary>
    public DateTimeOffset DueForArchiveBefore => time.GetUtcNow().AddDays(-options.Value.RetentionDays);

    public int RetentionDays => options.Value.RetentionDays;

    public async Task<AuditPage> SearchAsync(ClaimsPrincipal user, string? sourceIp, AuditFilter filter, long? before, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new Dictionary<string, string?>(filter.ToParameters());
        if (before is { } keyset)
        {
            parameters["before"] = keyset.ToString(CultureInfo.InvariantCulture);
        }
        await AuthorizeAndRecordAsync(user, sourceIp, AuditEventTypes.AuditSearched, "audit-trail", parameters, ct);
        return await ReadAsync(() => store.SearchAsync(filter, before, Math.Clamp(pageSize, 1, MaxPageSize), ct), ct);
    }

    public async Task<AuditEvent?> GetAsync(ClaimsPrincipal user, string? sourceIp, long sequence, CancellationToken ct)
    {
        await AuthorizeAndRecordAsync(user, sourceIp, AuditEventTypes.AuditEventViewed, Target(sequence), null, ct);
        return await ReadAsync(() => store.GetAsync(sequence, ct), ct);
    }

    /// <summary>Writes the events matching <paramref name="filter"/> to <paramref name="output"/>, after recording the export.</summary>
    public async Task ExportAsync(ClaimsPrincipal user, string? sourceIp, AuditFilter filter, AuditExportFormat format, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parameters = new Dictionary<string, string?>(filter.ToParameters()) { ["format"] = format.ToString() };
        await AuthorizeAndRecordAsync(user, sourceIp, AuditEventTypes.AuditExported, "audit-trail", parameters, ct);
        var events = store.StreamAsync(filter, ct);
        if (format == AuditExportFormat.Csv)
        {
            await AuditExport.WriteCsvAsync(events, output, ct);
        }
        else
        {
            var anchorList = await anchors.ReadAllAsync(ct);
            await AuditExport.WriteJsonLinesAsync(events, filter, anchorList, time.GetUtcNow(), output, ct);
        }
    }

    /// <summary>Verifies the chain (or a range) and records the result as <c>audit.verified</c>.</summary>
    public async Task<AuditVerification> VerifyAsync(ClaimsPrincipal user, string? sourceIp, long? from, long? to, CancellationToken ct)
    {
        await AuthorizeAsync(user, sourceIp, AuditEventTypes.AuditVerified, "audit-chain", ct);
        var result = await ReadAsync(() => verifier.VerifyAsync(from, to, ct), ct);
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.AuditVerified,
            AuditActor.FromPrincipal(user, sourceIp),
            result.Intact ? AuditOutcome.Succeeded : AuditOutcome.Failed,
            Target: "audit-chain",
            Parameters: new Dictionary<string, string?>
            {
                ["from"] = result.From.ToString(CultureInfo.InvariantCulture),
                ["to"] = to?.ToString(CultureInfo.InvariantCulture),
                ["verifiedThrough"] = result.VerifiedThrough?.ToString(CultureInfo.InvariantCulture),
                ["anchor"] = result.MatchedAnchor?.Sequence.ToString(CultureInfo.InvariantCulture),
                ["brokenAt"] = result.BrokenAt?.ToString(CultureInfo.InvariantCulture),
                ["break"] = result.Break?.ToString(),
            },
            Reason: result.Message), ct);
        return result;
    }

    /// <summary>
    /// Writes the current chain head to the anchor sink now (a reviewer about to export or hand
    /// over evidence pins the chain first). Recorded as <c>audit.anchored</c> by the reviewer.
    /// </summary>
    public async Task<AuditAnchor?> AnchorNowAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken ct)
    {
        await AuthorizeAsync(user, sourceIp, AuditEventTypes.AuditAnchored, "audit-chain", ct);
        return await anchoring.AnchorNowAsync(AuditActor.FromPrincipal(user, sourceIp), ct);
    }

    /// <summary>
    /// The event types in the trail, for the list's event-type choice. Authorized like a read; not
    /// recorded on its own, because it only names types (the same names the portal's code holds)
    /// and the page that asks records its search.
    /// </summary>
    public async Task<IReadOnlyList<string>> EventTypesAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken ct)
    {
        await AuthorizeAsync(user, sourceIp, AuditEventTypes.AuditSearched, "audit-trail", ct);
        return await ReadAsync(() => store.EventTypesAsync(ct), ct);
    }

    /// <summary>Can <paramref name="user"/> read the trail? For pages deciding what to show; the methods above check again.</summary>
    public async Task<bool> CanReadAsync(ClaimsPrincipal user) =>
        (await authorization.AuthorizeAsync(user, PortalPolicies.ReadAudit)).Succeeded;

    /// <summary>A read that fails for any reason but cancellation is reported as the trail being unavailable, in words for people.</summary>
    private static async Task<T> ReadAsync<T>(Func<Task<T>> read, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is not AuditUnavailableException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw new AuditUnavailableException("The audit trail could not be read right now. Try again in a moment; if it persists, the portal database needs attention.", e);
        }
    }

    private static string Target(long sequence) => "audit-event/" + sequence.ToString(CultureInfo.InvariantCulture);

    private async Task AuthorizeAndRecordAsync(ClaimsPrincipal user, string? sourceIp, string eventType, string target, IReadOnlyDictionary<string, string?>? parameters, CancellationToken ct)
    {
        await AuthorizeAsync(user, sourceIp, eventType, target, ct);
        await trail.RecordAsync(new AuditEntry(eventType, AuditActor.FromPrincipal(user, sourceIp), AuditOutcome.Succeeded, Target: target, Parameters: parameters), ct);
    }

    private async Task AuthorizeAsync(ClaimsPrincipal user, string? sourceIp, string eventType, string target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (await CanReadAsync(user))
        {
            return;
        }
        const string why = "Reading the audit trail needs the Auditor or Admin role.";
        await trail.RecordAsync(new AuditEntry(eventType, AuditActor.FromPrincipal(user, sourceIp), AuditOutcome.Denied, Target: target, Reason: why), ct);
        throw new AuditAccessDeniedException(why);
    }
}
