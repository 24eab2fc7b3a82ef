using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Platform;

public static class PlatformSetup
{
    /// <summary>Environments, their validation and the registry that connects them to a backend.</summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PlatformOptions>()
            .BindConfiguration(PlatformOptions.SectionName)
            .PostConfigure(options => options.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PlatformOptions>, BackendsAvailableValidation>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EnvironmentCatalog>();
        builder.Services.AddSingleton<PlatformRegistry>();
        return builder;
    }

    /// <summary>Refuses to start when an environment names a backend this build does not have.</summary>
    private sealed class BackendsAvailableValidation(IEnumerable<PlatformPortRegistration> ports) : IValidateOptions<PlatformOptions>
    {
        public ValidateOptionsResult Validate(string? name, PlatformOptions options)
        {
            var available = ports.Select(p => p.Backend).ToHashSet();
            var missing = options.Environments
                .Where(e => !available.Contains(e.Value.Backend))
                .Select(e => $"Platform:Environments:{e.Key}:Backend is {e.Value.Backend}, which this portal build does not include (available: {string.Join(", ", available)}).")
                .ToList();
            return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
        }
    }
}
