using FinTech.Portal.Platform;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Sandbox;

public static class SandboxSetup
{
    /// <summary>The simulated platform behind every environment whose backend is Sandbox.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SandboxJournal>();
        // The journal lives in the portal database; a host without one (a tool, a test) keeps the Sandbox in memory.
        builder.Services.AddSingleton(services => new SandboxBackend(
            services.GetRequiredService<TimeProvider>(),
            services.GetService<Database.PortalDatabase>() is null ? null : services.GetRequiredService<SandboxJournal>()));
        builder.Services.AddHostedService<SandboxJournalReplay>();
        builder.Services.AddSingleton<SandboxFaultSwitch>();
        builder.Services.AddSandboxPort<IMetricSource>(platform => platform.Metrics);
        builder.Services.AddSandboxPort<IAlarmSource>(platform => platform.Alarms);
        builder.Services.AddSandboxPort<ITopologySource>(platform => platform.Topology);
        builder.Services.AddSandboxPort<IRds>(platform => platform.Rds);
        builder.Services.AddSandboxPort<IElastiCache>(platform => platform.ElastiCache);
        builder.Services.AddSandboxPort<IWriteProbe>(platform => platform.WriteProbe);
        builder.Services.AddSandboxPort<ISecretsManager>(platform => platform.SecretsManager);
        builder.Services.AddSandboxPort<IEcr>(platform => platform.Ecr);
        builder.Services.AddSingleton<SandboxFaultKnobs>();
        return builder;
    }

    /// <summary>Registers a port that a Sandbox environment answers from its simulated platform.</summary>
    public static IServiceCollection AddSandboxPort<TPort>(this IServiceCollection services, Func<SandboxPlatform, TPort> port)
        where TPort : class =>
        services.AddSandboxPort<TPort>((platform, _) => port(platform));

    /// <summary>Registers a port that also needs the environment it serves (its key names log groups, for one).</summary>
    public static IServiceCollection AddSandboxPort<TPort>(this IServiceCollection services, Func<SandboxPlatform, PortalEnvironment, TPort> port)
        where TPort : class =>
        services.AddPlatformPort(PlatformBackend.Sandbox,
            (provider, environment) => port(provider.GetRequiredService<SandboxBackend>().PlatformFor(environment), environment));
}
