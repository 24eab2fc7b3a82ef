using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

public static class SandboxSetup
{
    /// <summary>The simulated platform behind every environment whose backend is Sandbox.</summary>
    public static IHostApplicationBuilder AddSandbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SandboxBackend>();
        builder.Services.AddSingleton<SandboxFaultSwitch>();
        builder.Services.AddSingleton<IPlatformBackend>(services => services.GetRequiredService<SandboxBackend>());
        builder.Services.AddSingleton<SandboxFaultKnobs>();
        return builder;
    }
}
