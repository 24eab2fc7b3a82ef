using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// At start, before the web server takes requests, rebuilds every Sandbox environment's platform
/// from its journal: a portal that restarted (or was killed mid-failover) shows the knobs and
/// failovers it had, a running failover completes when it would have, and the ElastiCache quota
/// still counts the tests of the last 24 hours. Migrations run before this (in StartingAsync).
/// </summary>
public sealed class SandboxJournalReplay(SandboxBackend backend, EnvironmentCatalog environments, SandboxJournal journal, ILogger<SandboxJournalReplay> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var environment in environments.All.Where(e => e.Backend == PlatformBackend.Sandbox))
        {
            var entries = await journal.ReadAsync(environment.Key, cancellationToken);
            if (entries.Count == 0)
            {
                continue;
            }
            var skipped = backend.PlatformFor(environment).Replay(entries);
            foreach (var (entry, reason) in skipped)
            {
                logger.LogWarning("Sandbox journal entry {Sequence} of {Environment} ({Action} {Subject}) no longer applies and was skipped: {Reason}",
                    entry.Sequence, environment.Key, entry.Action, entry.Subject, reason);
            }
            logger.LogInformation("Sandbox {Environment} rebuilt from {Count} journal entries", environment.Key, entries.Count - skipped.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
