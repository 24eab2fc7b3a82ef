using System.Data.Common;
using System.Text.RegularExpressions;
using FinTech.Portal.Hosting;

namespace FinTech.Portal.Audit;

/// <summary>
/// The one recording API. Every state change of the portal goes through it; operations call the
/// overload that joins their own transaction, so the change and its event commit together or not
/// at all (architecture decision 3).
/// <para>
/// Fail-closed contract: when an event cannot be written, <see cref="RecordAsync(AuditEntry, CancellationToken)"/>
/// throws <see cref="AuditUnavailableException"/> and the caller must not go ahead. Nothing here
/// catches and carries on.
/// </para>
/// </summary>
public sealed partial class AuditTrail(AuditStore store, PortalInstance instance, TimeProvider time, ILogger<AuditTrail> logger)
{
    /// <summary>The only value a parameter whose name looks like a secret may carry.</summary>
    public const string Redacted = "[redacted]";

    /// <summary>Records <paramref name="entry"/> in its own transaction; returns once it is committed.</summary>
    public async Task<AuditRecorded> RecordAsync(AuditEntry entry, CancellationToken ct)
    {
        Validate(entry);
        DbConnection? connection = null;
        try
        {
            connection = await store.Database.OpenConnectionAsync(ct);
            if (await store.TryAppendAfterKnownHeadAsync(connection, entry, instance.Id, time.GetUtcNow(), ct) is { } fast)
            {
                return fast;
            }
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var recorded = await store.AppendAsync(transaction, entry, instance.Id, time.GetUtcNow(), ct);
            await transaction.CommitAsync(ct);
            store.RememberCommitted(recorded, entry.EventType);
            return recorded;
        }
        catch (Exception e) when (IsStorageFailure(e, ct))
        {
            throw Unavailable(entry, e);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Records <paramref name="entry"/> inside the caller's <paramref name="transaction"/> (on the
    /// portal database): the event exists if and only if the caller commits. Until then the chain
    /// is locked for other writers, so keep the transaction short. On SQLite the transaction must
    /// be an immediate one (the default of <c>BeginTransaction</c>); on PostgreSQL, READ COMMITTED
    /// (the default), so the head is read after the chain lock is taken. A transaction that
    /// cannot see the latest head fails with <see cref="AuditUnavailableException"/> (the primary
    /// key refuses the duplicate sequence) rather than forking the chain.
    /// </summary>
    public async Task<AuditRecorded> RecordAsync(AuditEntry entry, DbTransaction transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Validate(entry);
        try
        {
            return await store.AppendAsync(transaction, entry, instance.Id, time.GetUtcNow(), ct);
        }
        catch (Exception e) when (IsStorageFailure(e, ct))
        {
            throw Unavailable(entry, e);
        }
    }

    private AuditUnavailableException Unavailable(AuditEntry entry, Exception e)
    {
        logger.LogError(e, "Audit event {EventType} could not be recorded", entry.EventType);
        return new AuditUnavailableException(
            $"The audit trail could not record '{entry.EventType}', so the action was not carried out. " +
            "Try again in a moment; if it persists, the portal database needs attention.", e);
    }

    // Cancellation by the caller stays a cancellation; argument errors are the caller's bug and
    // surface as they are. Anything else means the trail was not written.
    private static bool IsStorageFailure(Exception e, CancellationToken ct) =>
        e is not ArgumentException && !(e is OperationCanceledException && ct.IsCancellationRequested);

    /// <summary>Refuses entries that cannot be recorded as given, before anything is written.</summary>
    internal static void Validate(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Actor);
        if (!EventTypePattern().IsMatch(entry.EventType ?? ""))
        {
            throw new ArgumentException(
                $"Audit event type '{entry.EventType}' must be dot + kebab case, such as 'portal.started' or 'sandbox.fault-changed'.", nameof(entry));
        }
        if (string.IsNullOrWhiteSpace(entry.Actor.UserId))
        {
            throw new ArgumentException("An audit event needs the actor's user id.", nameof(entry));
        }
        if (!Enum.IsDefined(entry.Outcome))
        {
            throw new ArgumentException($"Audit outcome '{entry.Outcome}' is not one of Succeeded, Failed, Denied.", nameof(entry));
        }
        foreach (var (name, value) in entry.Parameters ?? new Dictionary<string, string?>())
        {
            if (LooksLikeSecret(name) && value is not null && value != Redacted)
            {
                throw new ArgumentException(
                    $"Audit parameter '{name}' looks like a secret. Audit events never carry secret values: " +
                    $"leave it out, or record '{Redacted}'.", nameof(entry));
            }
        }
    }

    /// <summary>
    /// Does a parameter or configuration name look like it holds a secret? Words such as
    /// password, secret, token, credential or connection string anywhere in it, or a key that is
    /// an API, access, private, signing ... key. A bare "key" that names something (an
    /// environment key, a dashboard key) is an identifier and allowed.
    /// </summary>
    public static bool LooksLikeSecret(string name)
    {
        var words = WordPattern().Matches(name).Select(m => m.Value.ToLowerInvariant()).ToList();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (SecretWords.Contains(word) || (word is "string" && i > 0 && words[i - 1] == "connection"))
            {
                return true;
            }
            if (word is "key" or "keys" && (words.Count == 1 || (i > 0 && SecretKeyKinds.Contains(words[i - 1]))))
            {
                return true;
            }
        }
        var flat = string.Concat(words);
        return flat.Contains("apikey", StringComparison.Ordinal) || flat.Contains("accesskey", StringComparison.Ordinal)
            || flat.Contains("privatekey", StringComparison.Ordinal) || flat.Contains("connectionstring", StringComparison.Ordinal);
    }

    private static readonly HashSet<string> SecretWords =
    [
        "password", "passwords", "passwd", "pwd", "passphrase", "secret", "secrets", "token", "tokens",
        "credential", "credentials", "apikey", "cookie", "cookies", "signature", "pin", "cvv", "pan",
    ];

    private static readonly HashSet<string> SecretKeyKinds =
    [
        "api", "access", "private", "secret", "signing", "encryption", "master", "session", "client", "shared", "account", "storage", "ssh", "subscription",
    ];

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)+$")]
    private static partial Regex EventTypePattern();

    // Words of camelCase, PascalCase, snake_case, kebab-case and Section:Key names.
    [GeneratedRegex("[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")]
    private static partial Regex WordPattern();
}
