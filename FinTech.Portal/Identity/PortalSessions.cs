using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using FinTech.Portal.Database;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>Why a session is over.</summary>
public static class SessionEndReasons
{
    public const string SignedOut = "signed-out";
    public const string Idle = "idle";
    public const string MaxAge = "max-age";
    public const string EndedByAdmin = "ended-by-admin";
    public const string SignInNotRecorded = "sign-in-not-recorded";
}

/// <summary>A signed-in session as the portal database holds it.</summary>
public sealed record PortalSession(
    string Id,
    string UserId,
    string DisplayName,
    string? SourceIp,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? EndedAt,
    string? EndReason);

/// <summary>
/// The server side of a sign-in (PCI DSS 8.2.8, ASVS 3.3.1: sign-out ends the session, not just
/// the browser's cookie). Each sign-in gets a row in <c>identity_sessions</c> whose random id
/// travels in the (encrypted) cookie; every request and every circuit revalidation asks whether
/// that row is still active. Signing out, idle expiry, the maximum age and an Admin end the row,
/// so a copied cookie is worthless afterwards on every portal task, and the open pages of that
/// session on this task are told at once (<see cref="WatchEnd"/>); other tasks notice at their
/// next revalidation.
/// </summary>
public sealed class PortalSessions(PortalDatabase database, TimeProvider time, IOptions<PortalIdentityOptions> options, IdentityAudit audit, ILogger<PortalSessions> logger)
{
    /// <summary>The cookie's claim that names the session row.</summary>
    public const string SessionIdClaim = "portal:session";

    /// <summary>
    /// The schema, owned by the identity feature. Ended rows are kept (who was signed in when, and
    /// how the session ended); they are small and only ever looked up by id or by user.
    /// </summary>
    public static Migration Migration { get; } = new(
        "0003_identity_sessions",
        Sqlite: """
            CREATE TABLE identity_sessions (
                id           TEXT NOT NULL PRIMARY KEY,
                user_id      TEXT NOT NULL,
                display_name TEXT NOT NULL,
                source_ip    TEXT NULL,
                started_at   TEXT NOT NULL,
                last_seen_at TEXT NOT NULL,
                ended_at     TEXT NULL,
                end_reason   TEXT NULL
            );
            CREATE INDEX ix_identity_sessions_user ON identity_sessions (user_id, ended_at);
            CREATE INDEX ix_identity_sessions_active ON identity_sessions (ended_at, last_seen_at);
            """,
        PostgreSql: """
            CREATE TABLE identity_sessions (
                id           text NOT NULL PRIMARY KEY,
                user_id      text NOT NULL,
                display_name text NOT NULL,
                source_ip    text NULL,
                started_at   text NOT NULL,
                last_seen_at text NOT NULL,
                ended_at     text NULL,
                end_reason   text NULL
            );
            CREATE INDEX ix_identity_sessions_user ON identity_sessions (user_id, ended_at);
            CREATE INDEX ix_identity_sessions_active ON identity_sessions (ended_at, last_seen_at);
            """);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<object, Action<string>>> _watchers = new(StringComparer.Ordinal);

    public static string? IdOf(ClaimsPrincipal user) => user.FindFirst(SessionIdClaim)?.Value;

    /// <summary>Starts a session for <paramref name="user"/> and adds its id to the principal (before the cookie is written).</summary>
    public async Task<string> StartAsync(ClaimsPrincipal user, string? sourceIp, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = Format(time.GetUtcNow());
        await ExecuteAsync("""
            INSERT INTO identity_sessions (id, user_id, display_name, source_ip, started_at, last_seen_at)
            VALUES (@id, @user, @name, @ip, @now, @now)
            """, ct, ("@id", id), ("@user", PortalUser.IdOf(user) ?? "anonymous"), ("@name", PortalUser.DisplayNameOf(user)), ("@ip", sourceIp), ("@now", now));
        if (user.Identity is ClaimsIdentity identity)
        {
            identity.AddClaim(new Claim(SessionIdClaim, id));
        }
        return id;
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s session may still act: null when it may, else why not. A
    /// session found idle or too old is ended here (and reported once as newly ended).
    /// <paramref name="touch"/> counts this as activity (an HTTP request), which keeps the session
    /// from going idle; a circuit revalidation does not touch.
    /// </summary>
    public async Task<SessionCheck> CheckAsync(ClaimsPrincipal user, bool touch, CancellationToken ct)
    {
        if (IdOf(user) is not { } id)
        {
            return SessionCheck.NoSession;
        }
        var session = await FindAsync(id, ct);
        if (session is null)
        {
            return new SessionCheck(false, "unknown");
        }
        if (session.EndedAt is not null)
        {
            return new SessionCheck(false, session.EndReason);
        }
        var now = time.GetUtcNow();
        var expired = now - session.StartedAt >= options.Value.MaxSessionAge ? SessionEndReasons.MaxAge
            : now - session.LastSeenAt >= options.Value.IdleTimeout ? SessionEndReasons.Idle
            : null;
        if (expired is not null)
        {
            // Recorded before its open pages are told, so that the trail has it when they close.
            if (await EndRowAsync(id, expired, ct))
            {
                await RecordEndAsync(user, expired, ct);
            }
            Notify(id, expired);
            return new SessionCheck(false, expired);
        }
        // Written at most once per granularity, not on every request.
        if (touch && now - session.LastSeenAt >= TouchGranularity)
        {
            await ExecuteAsync("UPDATE identity_sessions SET last_seen_at = @now WHERE id = @id AND ended_at IS NULL", ct, ("@now", Format(now)), ("@id", id));
        }
        return SessionCheck.Active;
    }

    /// <summary>An idle or too old session ends without anyone acting: the trail says when it was noticed.</summary>
    private async Task RecordEndAsync(ClaimsPrincipal user, string reason, CancellationToken ct)
    {
        try
        {
            await audit.SessionEndedAsync(user, sourceIp: null, reason, ct);
        }
        catch (FinTech.Portal.Audit.AuditUnavailableException e)
        {
            // The session is over either way (lowering privilege never waits for the trail).
            logger.LogError(e, "The end of a session ({Reason}) could not be recorded in the audit trail.", reason);
        }
    }

    /// <summary>A tenth of the idle time, at most a minute: idle expiry is late by no more than this.</summary>
    private TimeSpan TouchGranularity => TimeSpan.FromTicks(Math.Min(options.Value.IdleTimeout.Ticks / 10, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Ends one session; false when it was already over. Open pages of it on this task are told at once.</summary>
    public async Task<bool> EndAsync(string sessionId, string reason, CancellationToken ct)
    {
        var ended = await EndRowAsync(sessionId, reason, ct);
        Notify(sessionId, reason);
        return ended;
    }

    private async Task<bool> EndRowAsync(string sessionId, string reason, CancellationToken ct) =>
        await ExecuteAsync(
            "UPDATE identity_sessions SET ended_at = @now, end_reason = @reason WHERE id = @id AND ended_at IS NULL",
            ct, ("@now", Format(time.GetUtcNow())), ("@reason", reason), ("@id", sessionId)) > 0;

    /// <summary>Ends every session of <paramref name="userId"/> that is not over yet; returns how many it ended.</summary>
    public async Task<int> EndAllOfAsync(string userId, string reason, CancellationToken ct)
    {
        List<string> open;
        await using (var connection = await database.OpenConnectionAsync(ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"{SelectSession} WHERE user_id = @user AND ended_at IS NULL";
            command.AddParameter("@user", userId);
            open = (await ReadAsync(command, ct)).Select(s => s.Id).ToList();
        }
        var ended = 0;
        foreach (var id in open)
        {
            ended += await EndAsync(id, reason, ct) ? 1 : 0;
        }
        return ended;
    }

    /// <summary>Sessions not yet ended, newest first (those past the idle time or age are left out: they are over).</summary>
    public async Task<IReadOnlyList<PortalSession>> ActiveAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"{SelectSession} WHERE ended_at IS NULL ORDER BY started_at DESC";
        var now = time.GetUtcNow();
        return (await ReadAsync(command, ct))
            .Where(s => now - s.StartedAt < options.Value.MaxSessionAge && now - s.LastSeenAt < options.Value.IdleTimeout)
            .ToList();
    }

    public async Task<PortalSession?> FindAsync(string sessionId, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"{SelectSession} WHERE id = @id";
        command.AddParameter("@id", sessionId);
        return (await ReadAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>
    /// Calls <paramref name="ended"/> with the reason (on any thread) when this task ends the
    /// session. Dispose the result when the watcher goes away (a circuit closing).
    /// </summary>
    public IDisposable WatchEnd(string sessionId, Action<string> ended)
    {
        var key = new object();
        _watchers.GetOrAdd(sessionId, _ => new ConcurrentDictionary<object, Action<string>>())[key] = ended;
        return new Unwatch(this, sessionId, key);
    }

    private void Notify(string sessionId, string reason)
    {
        if (_watchers.TryRemove(sessionId, out var watchers))
        {
            foreach (var ended in watchers.Values)
            {
                ended(reason);
            }
        }
    }

    private sealed class Unwatch(PortalSessions sessions, string sessionId, object key) : IDisposable
    {
        public void Dispose()
        {
            if (sessions._watchers.TryGetValue(sessionId, out var watchers))
            {
                watchers.TryRemove(key, out _);
                if (watchers.IsEmpty)
                {
                    sessions._watchers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<object, Action<string>>>(sessionId, watchers));
                }
            }
        }
    }

    private const string SelectSession =
        "SELECT id, user_id, display_name, source_ip, started_at, last_seen_at, ended_at, end_reason FROM identity_sessions";

    private static async Task<List<PortalSession>> ReadAsync(DbCommand command, CancellationToken ct)
    {
        var sessions = new List<PortalSession>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(new PortalSession(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                Parse(reader.GetString(4)),
                Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? null : Parse(reader.GetString(6)),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return sessions;
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }
        return await command.ExecuteNonQueryAsync(ct);
    }

    // Fixed-width UTC text: sorts and compares as time on both providers.
    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

/// <summary>The answer of <see cref="PortalSessions.CheckAsync"/>.</summary>
public sealed record SessionCheck(bool IsActive, string? EndReason)
{
    public static SessionCheck Active { get; } = new(true, null);

    /// <summary>A principal that carries no session (built in code, never from a cookie: the cookie check refuses those).</summary>
    public static SessionCheck NoSession { get; } = new(true, null);

    /// <summary>What a person reads when their session is over.</summary>
    public string Message => EndReason switch
    {
        SessionEndReasons.SignedOut => "You signed out of this session. Sign in again to continue.",
        SessionEndReasons.Idle => "Your session ended after a period without activity. Sign in again to continue.",
        SessionEndReasons.MaxAge => "Your session reached its maximum age. Sign in again to continue.",
        SessionEndReasons.EndedByAdmin => "An administrator ended your session. Sign in again to continue.",
        _ => "Your session has ended. Sign in again to continue.",
    };
}
