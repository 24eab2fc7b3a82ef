using System.ComponentModel.DataAnnotations;
using System.Data.Common;

namespace FinTech.Portal.Database;

/// <summary>Which database engine holds the portal's state.</summary>
public enum DatabaseProvider
{
    /// <summary>A local file: the zero-configuration default for one portal task.</summary>
    Sqlite,

    /// <summary>PostgreSQL (Aurora in production), shared by every portal task.</summary>
    PostgreSql,
}

/// <summary>
/// The portal database (configuration section <c>Database</c>). With no configuration the portal
/// uses a SQLite file under the content root (<see cref="DefaultSqliteFile"/>), created on first run.
/// </summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    /// <summary>Relative to the content root when no connection string is configured.</summary>
    public const string DefaultSqliteFile = "App_Data/portal.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Npgsql or Microsoft.Data.Sqlite connection string. Optional for SQLite; required for
    /// PostgreSQL, where it comes from the environment or Secrets Manager, never from a file.
    /// </summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return new ValidationResult(
                $"Database:Provider must be Sqlite or PostgreSql, got '{Provider}'.", [nameof(Provider)]);
            yield break;
        }
        if (Provider == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:ConnectionString is required when Database:Provider is PostgreSql " +
                "(for example Database__ConnectionString=\"Host=...;Database=portal;Username=portal\" with the password from the environment).",
                [nameof(ConnectionString)]);
            yield break;
        }
        if (!string.IsNullOrWhiteSpace(ConnectionString) && ParseError(ConnectionString) is { } error)
        {
            yield return new ValidationResult(
                $"Database:ConnectionString is not a valid {Provider} connection string: {error}", [nameof(ConnectionString)]);
        }
    }

    private string? ParseError(string connectionString)
    {
        try
        {
            DbConnectionStringBuilder builder = Provider == DatabaseProvider.PostgreSql
                ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString)
                : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
            return builder.Count == 0 ? "it is empty." : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The message names the offending keyword; connection string values are never echoed.
            return e.Message;
        }
    }
}
