using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Tests.Identity;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Browser;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Platform;

public class PlatformOptionsTests
{
    private static EnvironmentCatalog Catalog(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPlatform();
        builder.AddSandbox();
        return builder.Services.BuildServiceProvider().GetRequiredService<EnvironmentCatalog>();
    }

    [Fact]
    public void With_no_environment_configured_the_portal_runs_on_one_Sandbox()
    {
        var catalog = Catalog([]);

        var sandbox = Assert.Single(catalog.All);
        Assert.Equal("sandbox", sandbox.Key);
        Assert.Equal(PlatformBackend.Sandbox, sandbox.Backend);
        Assert.Same(sandbox, catalog.Default);
        Assert.Equal(["fintech-sandbox-aurora-1", "fintech-sandbox-aurora-2"], sandbox.Resources.AuroraInstances);
    }

    [Fact]
    public void Configured_environments_replace_the_embedded_Sandbox()
    {
        var catalog = Catalog(new()
        {
            ["Platform:Environments:staging:DisplayName"] = "Staging",
            ["Platform:Environments:staging:Backend"] = "Sandbox",
            ["Platform:Environments:demo:DisplayName"] = "Demo",
        });

        // Configuration hands keys over sorted; without a DefaultEnvironment the first one opens.
        Assert.Equal(["demo", "staging"], catalog.All.Select(e => e.Key));
        Assert.Equal("demo", catalog.Default.Key);
    }

    [Fact]
    public void A_default_environment_that_is_not_configured_is_refused_with_the_choices()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Catalog(new()
        {
            ["Platform:Environments:staging:Backend"] = "Sandbox",
            ["Platform:DefaultEnvironment"] = "prod",
        }));

        Assert.Contains("Platform:DefaultEnvironment 'prod' is not one of Platform:Environments (staging)", error.Message);
    }

    [Fact]
    public void An_Aws_environment_without_its_account_and_region_is_refused_with_the_keys_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Catalog(new()
        {
            ["Platform:Environments:prod:Backend"] = "Aws",
            ["Platform:Environments:prod:Aws:AccountId"] = "12345",
            ["Platform:Environments:prod:Resources:AuroraInstances:0"] = "fintech-prod-aurora-1",
            ["Platform:Environments:prod:Resources:RedisNodes:0"] = "fintech-prod-redis-001",
        }));

        Assert.Contains("Platform:Environments:prod:Aws:AccountId must be the 12-digit AWS account id.", error.Message);
        Assert.Contains("Platform:Environments:prod:Aws:Region is required", error.Message);
    }

    /// <summary>
    /// Without these an Aws environment could offer no rotation, and a rotation, a failover and a deployment of the API
    /// would stop excluding each other without a word: the portal refuses to start and names the key.
    /// </summary>
    [Theory]
    [InlineData("AuroraCredentialsSecret", "Platform:Environments:prod:Resources:AuroraCredentialsSecret is required for an Aws environment")]
    [InlineData("RedisAuthTokenSecret", "Platform:Environments:prod:Resources:RedisAuthTokenSecret is required for an Aws environment")]
    [InlineData("Secrets", "Platform:Environments:prod:Resources:Secrets is required for an Aws environment (Secrets:0, Secrets:1, …)")]
    [InlineData("ApiServiceSecrets", "Platform:Environments:prod:Resources:ApiServiceSecrets is required for an Aws environment")]
    [InlineData("AuroraInstanceClass", "Platform:Environments:prod:Resources:AuroraInstanceClass is required")]
    public void An_Aws_environment_without_a_rotation_secret_or_its_instance_class_is_refused_with_the_keys_full_path(string key, string expected)
    {
        var settings = StartupRefusalTests.AwsProduction();
        var prefix = $"Platform:Environments:prod:Resources:{key}";
        var removed = settings.Keys.Where(k => k == prefix || k.StartsWith(prefix + ":", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(removed);
        removed.ForEach(k => settings.Remove(k));

        var error = Assert.Throws<OptionsValidationException>(() => Catalog(settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        // Only that key: the rest of the production configuration is complete.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.Message, "Platform:Environments:prod:Resources:[A-Za-z]+ (is|must)"));
    }

    [Fact]
    public void A_Sandbox_environment_needs_no_rotation_settings_and_runs_on_the_Sandboxs_instance_class()
    {
        var sandbox = Assert.Single(Catalog([]).All);

        Assert.Equal(PlatformCatalogue.SandboxAuroraInstanceClass, sandbox.Resources.AuroraInstanceClass);
        Assert.NotEmpty(sandbox.Resources.Secrets);
    }

    [Fact]
    public void An_Aurora_instance_class_the_catalogue_does_not_know_is_refused_with_the_classes_it_knows()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Catalog(new()
        {
            ["Platform:Environments:staging:Resources:AuroraInstanceClass"] = "db.x9.huge",
        }));

        Assert.Contains("Platform:Environments:staging:Resources:AuroraInstanceClass 'db.x9.huge' is not an instance class the platform catalogue knows (db.t4g.medium, db.r6g.large, db.r6g.xlarge, db.r6g.2xlarge).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resource_names_that_are_not_CloudWatch_dimension_values_are_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Catalog(new()
        {
            ["Platform:Environments:staging:Resources:LoadBalancer"] = "fintech-alb",
        }));

        Assert.Contains("Platform:Environments:staging:Resources:LoadBalancer must be the ALB dimension value 'app/NAME/ID'", error.Message);
    }

    [Fact]
    public async Task An_Aws_environment_without_its_resource_names_stops_the_start_with_the_keys_path()
    {
        var error = await PortalStartup.RefusalAsync(new Dictionary<string, string?>
        {
            ["Platform:Environments:prod:Backend"] = "Aws",
            ["Platform:Environments:prod:Aws:AccountId"] = "123456789012",
            ["Platform:Environments:prod:Aws:Region"] = "eu-west-1",
            ["Platform:Environments:prod:Resources:AuroraInstances:0"] = "fintech-prod-aurora-1",
            ["Platform:Environments:prod:Resources:RedisNodes:0"] = "fintech-prod-redis-001",
        }, "Development");

        Assert.Contains("Platform:Environments:prod:Resources:EcsCluster is required", error);
        Assert.DoesNotContain("which this portal build does not include", error);
    }

    [Fact]
    public void An_alarm_is_named_by_the_environments_prefix_and_a_catalogue_key_and_an_unknown_key_is_refused()
    {
        var resources = new PlatformResources { AlarmNamePrefix = "fintech-prod-" };

        Assert.Equal("fintech-prod-5xx-rate", resources.AlarmName("5xx-rate"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => resources.AlarmName("redis-cpu-1"));
        Assert.StartsWith("The platform catalogue has no alarm of this key.", error.Message, StringComparison.Ordinal);
    }
}
