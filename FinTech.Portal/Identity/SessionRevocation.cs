using System.Security.Claims;
using FinTech.Portal.Audit;

namespace FinTech.Portal.Identity;

/// <summary>One person's open sessions, as the Admin's list shows them.</summary>
public sealed record SignedInPerson(string UserId, string DisplayName, int Sessions, DateTimeOffset FirstStartedAt, DateTimeOffset LastSeenAt, string? SourceIp);

/// <summary>
/// An Admin's view of who is signed in, and "end this person's sessions" (a lost laptop, a leaver,
/// a suspected stolen cookie): every session of that person ends on every portal task, their open
/// pages close, and the trail records who ended them. Checked here, not only by the page.
/// </summary>
public sealed class SessionRevocation(PortalSessions sessions, PortalAuthorization authorization, IdentityAudit audit, ILogger<SessionRevocation> logger)
{
    public async Task<IReadOnlyList<SignedInPerson>> SignedInAsync(ClaimsPrincipal admin, string? sourceIp, CancellationToken ct)
    {
        await authorization.EnsureCanManageSessionsAsync(admin, sourceIp, "sessions", ct);
        return (await sessions.ActiveAsync(ct))
            .GroupBy(s => s.UserId, StringComparer.Ordinal)
            .Select(g => new SignedInPerson(g.Key, g.First().DisplayName, g.Count(), g.Min(s => s.StartedAt), g.Max(s => s.LastSeenAt),
                g.MaxBy(s => s.LastSeenAt)!.SourceIp))
            .OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// Ends every session of <paramref name="userId"/> and returns how many were open. Ending
    /// sessions lowers privilege, so it goes ahead even when the trail cannot record it; the
    /// returned warning then says so (and the failure is logged).
    /// </summary>
    public async Task<(int Ended, string? Warning)> EndSessionsOfAsync(ClaimsPrincipal admin, string? sourceIp, string userId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        await authorization.EnsureCanManageSessionsAsync(admin, sourceIp, $"user/{userId}", ct);
        var ended = await sessions.EndAllOfAsync(userId, SessionEndReasons.EndedByAdmin, ct);
        try
        {
            await audit.SessionsRevokedAsync(admin, sourceIp, userId, ended, ct);
            return (ended, null);
        }
        catch (AuditUnavailableException e)
        {
            logger.LogError(e, "Ending the sessions of {UserId} could not be recorded in the audit trail.", userId);
            return (ended, $"The sessions were ended, but the audit trail could not record it ({e.Message}). Tell the platform team.");
        }
    }
}
