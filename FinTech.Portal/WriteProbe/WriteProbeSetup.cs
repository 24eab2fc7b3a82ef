using FinTech.Portal.Aws;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FinTech.Portal.WriteProbe;

public static class WriteProbeSetup
{
    /// <summary>
    /// The write-probe canary: options validated at start; the hosted service only when <c>WriteProbe:Enabled</c>.
    /// Needs the Aws backend's clients (<see cref="AwsSetup.AddAws"/>).
    /// </summary>
    public static IHostApplicationBuilder AddWriteProbeCanary(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WriteProbeCanaryOptions>()
            .BindConfiguration(WriteProbeCanaryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(WriteProbeCanaryOptions.SectionName).Get<WriteProbeCanaryOptions>() ?? new();
        if (!options.Enabled || string.IsNullOrWhiteSpace(options.Region))
        {
            return builder; // Off, or a configuration that the validation above stops at start.
        }
        var instance = Environment.MachineName;
        builder.Services.AddSingleton<IProbeWriter>(_ => new AuroraProbeWriter(NpgsqlDataSource.Create(options.AuroraConnectionString!), instance));
        builder.Services.AddSingleton<IProbeWriter>(_ => new RedisProbeWriter(options.RedisHost!, options.RedisPort, options.RedisPassword, options.RedisTls, instance));
        // The canary's own credentials (its task role) in its own account: no environment role to assume.
        var account = new PortalEnvironment("write-probe", "Write-probe canary", PlatformBackend.Aws, false, new PlatformResources(), 0,
            new AwsEnvironmentOptions { AccountId = "the canary's account", Region = options.Region });
        builder.Services.AddHostedService(sp => new WriteProbeCanary(
            sp.GetServices<IProbeWriter>(),
            sp.GetRequiredService<AwsClients>().For(account, AwsClients.CloudWatch),
            sp.GetRequiredService<IOptions<WriteProbeCanaryOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WriteProbeCanary>>()));
        return builder;
    }

    /// <summary><c>WriteProbe:CanaryOnly</c> from the environment or the command line: how infra's canary service starts the image.</summary>
    public static bool IsCanaryOnly(string[] args) =>
        new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build()
            .GetValue<bool>($"{WriteProbeCanaryOptions.SectionName}:{nameof(WriteProbeCanaryOptions.CanaryOnly)}");

    /// <summary>The process of the canary service: the canary and the AWS clients it publishes with, nothing of the portal.</summary>
    public static IHost BuildCanaryOnly(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddAws();
        builder.AddWriteProbeCanary();
        return builder.Build();
    }
}
