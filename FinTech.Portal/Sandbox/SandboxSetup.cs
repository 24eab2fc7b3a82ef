using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Sandbox;

public static class SandboxSetup
{
    /// <summary>The simulated platform behind every environment whose backend is Sandbox.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SandboxBackend>();
        builder.Services.AddSingleton<SandboxFaultSwitch>();
        builder.Services.AddSandboxPort<IMetricSource>(platform => platform.Metrics);
        builder.Services.AddSandboxPort<IAlarmSource>(platform => platform.Alarms);
        builder.Services.AddSandboxPort<ITopologySource>(platform => platform.Topology);
        builder.Services.AddSandboxPort<ISecretsManager>(platform => platform.SecretsManager);
        builder.Services.AddSandboxPort<IEcr>(platform => platform.Ecr);
        builder.Services.AddSingleton<SandboxFaultKnobs>();
        return builder;
    }

    /// <summary>Registers a port that a Sandbox environment answers from its simulated platform.</summary>
    public static IServiceCollection AddSandboxPort<TPort>(this IServiceCollection services, Func<SandboxPlatform, TPort> port)
        where TPort : class =>
        services.AddPlatformPort(PlatformBackend.Sandbox,
            (provider, environment) => port(provider.GetRequiredService<SandboxBackend>().PlatformFor(environment)));
}
