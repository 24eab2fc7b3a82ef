using System.Collections.Concurrent;

namespace FinTech.Portal.Platform;

/// <summary>
/// The ports of one environment, ready to call. Each port is created on first use by the factory
/// registered for the environment's backend and then kept, so every caller shares one client (one
/// Sandbox model, one set of signed clients and their retry budgets). Creating a port does no I/O.
/// </summary>
public sealed class PlatformConnection
{
    private readonly Dictionary<Type, PlatformPortRegistration> _factories;
    private readonly ConcurrentDictionary<Type, Lazy<object>> _ports = new();

    public PlatformConnection(PortalEnvironment environment, IEnumerable<PlatformPortRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(registrations);
        Environment = environment;
        _factories = registrations
            .Where(r => r.Backend == environment.Backend)
            .GroupBy(r => r.Port)
            .ToDictionary(g => g.Key, g => g.Last());
    }

    public PortalEnvironment Environment { get; }

    /// <summary>Whether this environment's backend offers <typeparamref name="TPort"/>.</summary>
    public bool Has<TPort>() where TPort : class => _factories.ContainsKey(typeof(TPort));

    /// <summary>
    /// The environment's <typeparamref name="TPort"/>. A backend without it is a platform that
    /// cannot answer, reported as <see cref="PlatformUnavailableException"/> like any other.
    /// </summary>
    public TPort Get<TPort>() where TPort : class
    {
        if (!_factories.TryGetValue(typeof(TPort), out var registration))
        {
            throw new PlatformUnavailableException(
                $"Environment '{Environment.Key}' ({Environment.Backend} backend) does not offer {typeof(TPort).Name} in this portal build.");
        }
        var port = _ports.GetOrAdd(typeof(TPort), _ => new Lazy<object>(() => registration.Create(Environment)));
        return (TPort)port.Value;
    }
}

/// <summary>How one backend builds one port for an environment.</summary>
public sealed record PlatformPortRegistration(PlatformBackend Backend, Type Port, Func<PortalEnvironment, object> Create)
{
    public static PlatformPortRegistration For<TPort>(PlatformBackend backend, Func<PortalEnvironment, TPort> create)
        where TPort : class =>
        new(backend, typeof(TPort), environment => create(environment));
}

public static class PlatformPorts
{
    /// <summary>
    /// Registers how <paramref name="backend"/> builds <typeparamref name="TPort"/> for an
    /// environment. Feature folders register the ports they bring, for each backend they support.
    /// </summary>
    public static IServiceCollection AddPlatformPort<TPort>(this IServiceCollection services, PlatformBackend backend,
        Func<IServiceProvider, PortalEnvironment, TPort> create)
        where TPort : class
    {
        ArgumentNullException.ThrowIfNull(create);
        return services.AddSingleton(provider => PlatformPortRegistration.For(backend, environment => create(provider, environment)));
    }
}
