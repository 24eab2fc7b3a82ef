using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Sandbox;

public static class SandboxSetup
{
    /// <summary>The simulated platform behind every environment whose backend is Sandbox.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SandboxBackend>();
        builder.Services.AddSingleton<SandboxFaultSwitch>();
        builder.Services.AddSandboxPort<ICloudWatch>(platform => platform.CloudWatch);
        builder.Services.AddSandboxPort<IEcs>(platform => platform.Ecs);
        builder.Services.AddSandboxPort<IDynamoDb>(platform => platform.DynamoDb);
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
