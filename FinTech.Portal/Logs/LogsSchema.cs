using FinTech.Portal.Database;

namespace FinTech.Portal.Logs;

/// <summary>The Logs feature's tables: saved queries (personal or shared) and each person's recent queries.</summary>
public static class LogsSchema
{
    public static Migration SavedAndRecentQueries => new(
        "0005_logs_queries",
        Sqlite: """
            CREATE TABLE logs_saved_queries (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                owner_id    TEXT NOT NULL,
                owner_name  TEXT NOT NULL,
                name        TEXT NOT NULL,
                query_text  TEXT NOT NULL,
                log_groups  TEXT NOT NULL,
                shared      INTEGER NOT NULL,
                created_at  TEXT NOT NULL
            );
            CREATE INDEX ix_logs_saved_queries_owner ON logs_saved_queries (owner_id);
            CREATE TABLE logs_recent_queries (
                id          INTEGER PRIMARY KEY AUTOINCREMENT,
                user_id     TEXT NOT NULL,
                environment TEXT NOT NULL,
                query_text  TEXT NOT NULL,
                log_groups  TEXT NOT NULL,
                ran_at      TEXT NOT NULL
            );
            CREATE INDEX ix_logs_recent_queries_user ON logs_recent_queries (user_id, id);
            """,
        PostgreSql: """
            CREATE TABLE logs_saved_queries (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                owner_id    text NOT NULL,
                owner_name  text NOT NULL,
                name        text NOT NULL,
                query_text  text NOT NULL,
                log_groups  text NOT NULL,
                shared      integer NOT NULL,
                created_at  text NOT NULL
            );
            CREATE INDEX ix_logs_saved_queries_owner ON logs_saved_queries (owner_id);
            CREATE TABLE logs_recent_queries (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id     text NOT NULL,
                environment text NOT NULL,
                query_text  text NOT NULL,
                log_groups  text NOT NULL,
                ran_at      text NOT NULL
            );
            CREATE INDEX ix_logs_recent_queries_user ON logs_recent_queries (user_id, id);
            """);
}

/// <summary>The Logs feature's own migrations (saved and recent queries).</summary>
public sealed class LogsMigrations : IMigrationSource
{
    public IReadOnlyList<Migration> Migrations => [LogsSchema.SavedAndRecentQueries];
}
