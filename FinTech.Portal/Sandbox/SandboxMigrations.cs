using FinTech.Portal.Database;

namespace FinTech.Portal.Sandbox;

/// <summary>The Sandbox's schema: the journal of actions taken on the simulated platform.</summary>
public sealed class SandboxMigrations : IMigrationSource
{
    public IReadOnlyList<Migration> Migrations => [SandboxJournal.Migration, SandboxJournal.OpenActionsMigration];
}
