using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Platform;

/// <summary>One configured environment, as the rest of the portal sees it.</summary>
public sealed record PortalEnvironment(
    string Key,
    string DisplayName,
    PlatformBackend Backend,
    bool IsProduction,
    PlatformResources Resources,
    int SandboxSeed,
    AwsEnvironmentOptions? Aws);

/// <summary>The configured environments (in key order, as configuration delivers them) and the default one.</summary>
public sealed class EnvironmentCatalog
{
    public EnvironmentCatalog(IOptions<PlatformOptions> options)
    {
        var value = options.Value;
        All = value.Environments
            .Select(e => new PortalEnvironment(
                e.Key.ToLowerInvariant(),
                e.Value.DisplayName ?? e.Key,
                e.Value.Backend,
                e.Value.IsProduction,
                e.Value.Resources,
                e.Value.SandboxSeed,
                e.Value.Aws))
            .ToList();
        Default = Find(value.DefaultEnvironment) ?? All[0];
    }

    public IReadOnlyList<PortalEnvironment> All { get; }

    public PortalEnvironment Default { get; }

    public PortalEnvironment? Find(string? key) =>
        key is null ? null : All.FirstOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The environment named by <paramref name="key"/>, or a clear error for people.</summary>
    public PortalEnvironment Get(string key) =>
        Find(key) ?? throw new KeyNotFoundException(
            $"There is no environment '{key}'. Configured: {string.Join(", ", All.Select(e => e.Key))}.");
}

/// <summary>
/// Hands out one <see cref="PlatformConnection"/> per environment, created on first use and kept
/// for the life of the portal. Connecting does no I/O: a port is built on first use by the
/// factory its feature folder registered for the environment's backend (see
/// <see cref="PlatformPorts.AddPlatformPort{TPort}"/>), so a new port joins without editing the
/// registry or any other backend.
/// </summary>
public sealed class PlatformRegistry(EnvironmentCatalog catalog, IEnumerable<PlatformPortRegistration> registrations)
{
    private readonly ILookup<PlatformBackend, PlatformPortRegistration> _registrations = registrations.ToLookup(r => r.Backend);
    private readonly ConcurrentDictionary<string, PlatformConnection> _connections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The backends that have at least one port in this build.</summary>
    public IReadOnlyCollection<PlatformBackend> Backends => _registrations.Select(g => g.Key).ToList();

    public PlatformConnection Connect(string environmentKey) => Connect(catalog.Get(environmentKey));

    public PlatformConnection Connect(PortalEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return _connections.GetOrAdd(environment.Key, _ =>
        {
            if (!_registrations.Contains(environment.Backend))
            {
                throw new InvalidOperationException(
                    $"Environment '{environment.Key}' uses the {environment.Backend} backend, which this portal build does not include.");
            }
            return new PlatformConnection(environment, _registrations[environment.Backend]);
        });
    }
}
