using FinTech.Portal.Database;

namespace FinTech.Portal.Identity;

/// <summary>The identity feature's schema.</summary>
public sealed class IdentityMigrations : IMigrationSource
{
    public IReadOnlyList<Migration> Migrations => [DataProtectionKeys, PortalSessions.Migration];

    /// <summary>
    /// The ASP.NET Core Data Protection key ring, shared by every portal task so that a cookie or
    /// antiforgery token issued by one is accepted by another (see Identity/DataProtectionKeys.cs).
    /// Rows are only added; the key ring itself marks keys expired or revoked.
    /// </summary>
    private static Migration DataProtectionKeys => new(
        "0002_data_protection_keys",
        Sqlite: """
            CREATE TABLE data_protection_keys (
                id            INTEGER PRIMARY KEY AUTOINCREMENT,
                friendly_name TEXT NOT NULL,
                xml           TEXT NOT NULL,
                created_at    TEXT NOT NULL
            );
            """,
        PostgreSql: """
            CREATE TABLE data_protection_keys (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                friendly_name text NOT NULL,
                xml           text NOT NULL,
                created_at    text NOT NULL
            );
            """);
}
