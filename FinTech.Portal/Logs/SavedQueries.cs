using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Logs.Query;

namespace FinTech.Portal.Logs;

/// <summary>A query someone saved: theirs alone, or shared with everyone who can read logs.</summary>
public sealed record SavedQuery(long Id, string OwnerId, string OwnerName, string Name, string QueryText, IReadOnlyList<string> LogGroups, bool Shared, DateTimeOffset CreatedAt);

/// <summary>A query someone ran lately, for the editor's "recent" list.</summary>
public sealed record RecentQuery(string Environment, string QueryText, IReadOnlyList<string> LogGroups, DateTimeOffset RanAt);

/// <summary>A saved query that cannot be saved or changed as asked; the message is for people.</summary>
public sealed class SavedQueryException(string message) : Exception(message);

/// <summary>
/// Saved and recent queries in the portal database. Log groups are stored one per line; a person
/// sees their own saved queries and everyone's shared ones, and only the owner may delete one.
/// </summary>
public sealed class SavedQueries(PortalDatabase database, TimeProvider time)
{
    public const int MaxNameLength = 100;
    public const int MaxQueryLength = 10_000;
    public const int RecentKept = 20;

    public async Task<IReadOnlyList<SavedQuery>> ListAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var userId = UserId(user);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, owner_id, owner_name, name, query_text, log_groups, shared, created_at FROM logs_saved_queries
            WHERE owner_id = @owner OR shared = 1 ORDER BY lower(name), id
            """;
        command.AddParameter("owner", userId);
        var list = new List<SavedQuery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new SavedQuery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                Groups(reader.GetString(5)), reader.GetInt32(6) == 1, DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture)));
        }
        return list;
    }

    /// <summary>Saves a query after checking it: a name, at most 50 log groups, and a query that compiles.</summary>
    public async Task<SavedQuery> SaveAsync(ClaimsPrincipal user, string name, string queryText, IReadOnlyList<string> logGroups, bool shared, CancellationToken ct)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new SavedQueryException($"Give the query a name of 1 to {MaxNameLength} characters.");
        }
        if (string.IsNullOrWhiteSpace(queryText) || queryText.Length > MaxQueryLength)
        {
            throw new SavedQueryException($"The query must have 1 to {MaxQueryLength:N0} characters.");
        }
        if (logGroups.Count is 0 or > 50 || logGroups.Any(g => string.IsNullOrWhiteSpace(g) || g.Contains('\n', StringComparison.Ordinal)))
        {
            throw new SavedQueryException("Pick 1 to 50 log groups for the query.");
        }
        try
        {
            QueryParser.Parse(queryText);
        }
        catch (Platform.CloudWatchLogs.MalformedQueryException error)
        {
            throw new SavedQueryException($"Only a valid query can be saved: {error.Message}");
        }
        var userId = UserId(user);
        var ownerName = AuditActor.FromPrincipal(user, null).DisplayName;
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO logs_saved_queries (owner_id, owner_name, name, query_text, log_groups, shared, created_at)
            VALUES (@owner, @ownerName, @name, @query, @groups, @shared, @created) RETURNING id
            """;
        command.AddParameter("owner", userId).AddParameter("ownerName", ownerName).AddParameter("name", name).AddParameter("query", queryText)
            .AddParameter("groups", string.Join('\n', logGroups)).AddParameter("shared", shared ? 1 : 0).AddParameter("created", now.ToString("O", CultureInfo.InvariantCulture));
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return new SavedQuery(id, userId, ownerName, name, queryText, logGroups, shared, now);
    }

    /// <summary>Deletes one of the caller's own saved queries; someone else's cannot be deleted.</summary>
    public async Task DeleteAsync(ClaimsPrincipal user, long id, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM logs_saved_queries WHERE id = @id AND owner_id = @owner";
        command.AddParameter("id", id).AddParameter("owner", UserId(user));
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            throw new SavedQueryException("That saved query is not yours to delete (or it is gone already).");
        }
    }

    public async Task AddRecentAsync(ClaimsPrincipal user, string environment, string queryText, IReadOnlyList<string> logGroups, CancellationToken ct)
    {
        var userId = UserId(user);
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await Execute(connection, transaction, "DELETE FROM logs_recent_queries WHERE user_id = @user AND query_text = @query AND environment = @environment",
            ("user", userId), ("query", queryText), ("environment", environment));
        await Execute(connection, transaction, """
            INSERT INTO logs_recent_queries (user_id, environment, query_text, log_groups, ran_at) VALUES (@user, @environment, @query, @groups, @ran)
            """, ("user", userId), ("environment", environment), ("query", queryText), ("groups", string.Join('\n', logGroups)),
            ("ran", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        await Execute(connection, transaction, $"""
            DELETE FROM logs_recent_queries WHERE user_id = @user AND id NOT IN
                (SELECT id FROM logs_recent_queries WHERE user_id = @user ORDER BY id DESC LIMIT {RecentKept})
            """, ("user", userId));
        await transaction.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<RecentQuery>> RecentAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT environment, query_text, log_groups, ran_at FROM logs_recent_queries WHERE user_id = @user ORDER BY id DESC LIMIT {RecentKept}";
        command.AddParameter("user", UserId(user));
        var list = new List<RecentQuery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new RecentQuery(reader.GetString(0), reader.GetString(1), Groups(reader.GetString(2)), DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture)));
        }
        return list;
    }

    private static async Task Execute(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.AddParameter(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    private static string UserId(ClaimsPrincipal user) => AuditActor.FromPrincipal(user, null).UserId;

    private static IReadOnlyList<string> Groups(string stored) => stored.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
