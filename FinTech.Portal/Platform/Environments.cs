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

/// <summary>The ports of one environment, ready to call.</summary>
public sealed record PlatformConnection(
    PortalEnvironment Environment,
    IMetricSource Metrics,
    IAlarmSource Alarms,
    ITopologySource Topology);

/// <summary>A backend kind (Sandbox, Aws) that can connect an environment to its ports.</summary>
public interface IPlatformBackend
{
    PlatformBackend Kind { get; }

    PlatformConnection Connect(PortalEnvironment environment);
}

/// <summary>
/// Hands out one <see cref="PlatformConnection"/> per environment, created on first use and
/// kept for the life of the portal (a Sandbox model or a set of signed clients).
/// </summary>
public sealed class PlatformRegistry(EnvironmentCatalog catalog, IEnumerable<IPlatformBackend> backends)
{
    private readonly Dictionary<PlatformBackend, IPlatformBackend> _backends = backends.ToDictionary(b => b.Kind);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PlatformConnection> _connections = new(StringComparer.OrdinalIgnoreCase);

    public PlatformConnection Connect(string environmentKey) => Connect(catalog.Get(environmentKey));

    public PlatformConnection Connect(PortalEnvironment environment)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(environment.Key, out var connection))
            {
                if (!_backends.TryGetValue(environment.Backend, out var backend))
                {
                    throw new InvalidOperationException(
                        $"Environment '{environment.Key}' uses the {environment.Backend} backend, which this portal build does not include.");
                }
                connection = backend.Connect(environment);
                _connections[environment.Key] = connection;
            }
            return connection;
        }
    }
}
