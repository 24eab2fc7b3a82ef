using System.Diagnostics.CodeAnalysis;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The Sandbox backend: one <see cref="SandboxPlatform"/> per Sandbox environment, created on
/// first use and kept for the life of the portal, so every page and the registry see the same model.
/// With a <see cref="SandboxJournal"/>, the platforms' port actions are recorded in the portal
/// database (and replayed at start by <see cref="SandboxJournalReplay"/>).
/// </summary>
public sealed class SandboxBackend(TimeProvider timeProvider, SandboxJournal? journal = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SandboxPlatform> _platforms = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The simulated platform of a Sandbox environment (its knobs, its failovers).</summary>
    public SandboxPlatform PlatformFor(PortalEnvironment environment) =>
        TryGetPlatform(environment, out var platform)
            ? platform
            : throw new InvalidOperationException(
                $"Environment '{environment.Key}' uses the {environment.Backend} backend; only Sandbox environments have a simulated platform.");

    public bool TryGetPlatform(PortalEnvironment environment, [NotNullWhen(true)] out SandboxPlatform? platform)
    {
        ArgumentNullException.ThrowIfNull(environment);
        platform = null;
        if (environment.Backend != PlatformBackend.Sandbox)
        {
            return false;
        }
        lock (_gate)
        {
            if (!_platforms.TryGetValue(environment.Key, out platform))
            {
                platform = new SandboxPlatform(environment.SandboxSeed, environment.Resources, timeProvider, environment.Key);
                if (journal is not null)
                {
                    platform.UseJournal(journal, environment.Key);
                }
                _platforms[environment.Key] = platform;
            }
        }
        return true;
    }
}
