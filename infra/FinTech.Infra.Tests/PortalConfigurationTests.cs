extern alias portal;

using System.Collections;
using Xunit.Abstractions;
using System.Globalization;
using System.Text.Json.Nodes;
using FinTech.Infra.Stacks;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PlatformOptions = portal::FinTech.Portal.Platform.PlatformOptions;
using PlatformResources = portal::FinTech.Portal.Platform.PlatformResources;
using PlatformRegistry = portal::FinTech.Portal.Platform.PlatformRegistry;
using PortalSetup = portal::FinTech.Portal.PortalSetup;


namespace FinTech.Infra.Tests;

/// <summary>
/// The configuration infra writes for the portal's task starts the portal: the container's <c>Environment</c> and
/// <c>Secrets</c> of the synthesized task definition become configuration as ASP.NET Core reads environment variables
/// (<c>__</c> is <c>:</c>; secrets get placeholder values, as ECS injects them), the portal's services are built from it
/// exactly as Program.cs does, and every option validated at start is validated — without starting the host, so no
/// database, AWS or Entra ID is contacted. An Aws environment must also name every resource the portal reads
/// (<see cref="PlatformResources"/>), the optional ones included: without them rotations and failovers stop locking
/// each other out, which no validation would notice.
/// </summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class PortalConfigurationTests(SynthesizedPlatform platform, ITestOutputHelper output)
{
    public static TheoryData<string> Environments => ["dev", "staging", "prod"];

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_portal_starts_with_the_configuration_its_synthesized_task_definition_sets(string env)
    {
        var problems = StartProblems(TaskConfiguration(env), env);

        Assert.True(problems.Count == 0, $"The {env} portal task would not start:\n" + string.Join('\n', problems));
    }

    [Theory]
    [InlineData("Platform__Environments__prod__Resources__EcsService", "Platform:Environments:prod:Resources:EcsService")]
    [InlineData("Platform__Environments__prod__Resources__AuroraCredentialsSecret", "Platform:Environments:prod:Resources:AuroraCredentialsSecret")]
    [InlineData("Platform__Environments__prod__Resources__RedisAuthTokenSecret", "Platform:Environments:prod:Resources:RedisAuthTokenSecret")]
    [InlineData("Platform__Environments__prod__Resources__Secrets__", "Platform:Environments:prod:Resources:Secrets")]
    [InlineData("Platform__Environments__prod__Resources__ApiServiceSecrets__", "Platform:Environments:prod:Resources:ApiServiceSecrets")]
    [InlineData("Platform__Environments__prod__Resources__AuroraInstanceClass", "Platform:Environments:prod:Resources:AuroraInstanceClass")]
    [InlineData("Platform__Environments__prod__Resources__PortalTargetGroup", "Platform:Environments:prod:Resources:PortalTargetGroup")]
    [InlineData("Platform__Environments__prod__Aws__Region", "Platform:Environments:prod:Aws:Region")]
    [InlineData("Audit__AnchorBucket", "Audit:AnchorBucket")]
    [InlineData("Audit__AnchorRegion", "Audit:AnchorRegion")]
    [InlineData("AzureAd__ClientId", "AzureAd:ClientId")]
    public void A_key_missing_from_the_task_stops_the_start_with_its_path(string removedKeyPrefix, string path)
    {
        var configuration = TaskConfiguration("prod");
        var removed = configuration.Keys.Where(k => k.StartsWith(removedKeyPrefix.Replace("__", ":", StringComparison.Ordinal), StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(removed);
        foreach (var key in removed)
        {
            configuration.Remove(key);
        }

        var problems = StartProblems(configuration, "prod");

        output.WriteLine(string.Join('\n', problems));
        Assert.Contains(problems, p => p.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public void Placeholders_resolve_the_secret_name_RDS_gives_its_managed_secret()
    {
        var configuration = TaskConfiguration("prod");

        Assert.Equal("rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678", configuration["Platform:Environments:prod:Resources:AuroraCredentialsSecret"]);
        Assert.Equal("fintech/prod/redis/auth-token", configuration["Platform:Environments:prod:Resources:RedisAuthTokenSecret"]);
        Assert.Equal("fintech/prod/redis/auth-token", configuration["Platform:Environments:prod:Resources:ApiServiceSecrets:0"]);
        Assert.Equal("fintech/prod/api/external-api-keys", configuration["Platform:Environments:prod:Resources:ApiServiceSecrets:1"]);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_write_probe_canary_starts_with_the_configuration_its_synthesized_task_definition_sets(string env)
    {
        var configuration = TaskConfiguration(env, WriteProbeService.ServiceKey);
        Assert.Equal("true", configuration["WriteProbe:CanaryOnly"]);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings
        {
            EnvironmentName = configuration["DOTNET_ENVIRONMENT"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        portal::FinTech.Portal.Aws.AwsSetup.AddAws(builder);
        portal::FinTech.Portal.WriteProbe.WriteProbeSetup.AddWriteProbeCanary(builder);
        using var host = builder.Build();

        host.Services.GetRequiredService<IStartupValidator>().Validate();

        Assert.Single(host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<portal::FinTech.Portal.WriteProbe.WriteProbeCanary>());
        Assert.Equal(
            [portal::FinTech.Portal.Platform.WriteProbeTarget.AuroraWriter, portal::FinTech.Portal.Platform.WriteProbeTarget.RedisPrimary],
            host.Services.GetServices<portal::FinTech.Portal.WriteProbe.IProbeWriter>().Select(w => w.Target));
    }

    /// <summary>A service container's environment and secrets as configuration (secrets with placeholder values).</summary>
    private Dictionary<string, string?> TaskConfiguration(string env, string service = "portal")
    {
        var stacks = platform.Env(env);
        var exports = stacks.All
            .SelectMany(s => JsonNode.Parse(platform.TemplateJson(s))!["Outputs"]?.AsObject() ?? [])
            .Where(o => o.Value?["Export"]?["Name"] is not null)
            .ToDictionary(o => o.Value!["Export"]!["Name"]!.GetValue<string>(), o => o.Value!["Value"]);
        var resolver = new Intrinsics(exports, stacks.Context.Config.Account, stacks.Context.Config.Region);
        var container = TemplateJson.Resources(platform.TemplateJson(stacks.Portal), "AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["Family"]?.GetValue<string>() == $"fintech-{env}-{service}")
            .Properties["ContainerDefinitions"]![0]!;

        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var variable in container["Environment"]!.AsArray())
        {
            configuration[Key(variable!["Name"]!.GetValue<string>())] = resolver.Resolve(variable["Value"]);
        }
        foreach (var secret in container["Secrets"]!.AsArray())
        {
            configuration[Key(secret!["Name"]!.GetValue<string>())] = "placeholder-secret-value";
        }
        return configuration;

        static string Key(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);
    }

    /// <summary>
    /// Builds the portal's services as Program.cs does (no host start: no network I/O) and runs the validation a start
    /// runs; then checks that the environment names every resource and that its platform connects.
    /// </summary>
    private static List<string> StartProblems(Dictionary<string, string?> configuration, string env)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = configuration.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") ?? "Production",
            ApplicationName = typeof(PortalSetup).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Only the task's configuration: nothing of this test process's environment.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        PortalSetup.AddPortal(builder);
        using var app = builder.Build();

        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            // Entra ID sign-in's options are validated on the first sign-in, not at start: ask for them now.
            _ = app.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures)];
        }

        var problems = UnnamedResources(app.Services.GetRequiredService<IOptions<PlatformOptions>>().Value.Environments[env].Resources,
            $"Platform:Environments:{env}:Resources").ToList();
        // Connecting builds the environment's ports (signed clients, credentials): no I/O, but every setting they read.
        _ = app.Services.GetRequiredService<PlatformRegistry>().Connect(env);
        return problems;
    }

    /// <summary>Every property of the resources that is empty: a string without a value, a list without an element.</summary>
    private static IEnumerable<string> UnnamedResources(PlatformResources resources, string path) =>
        typeof(PlatformResources).GetProperties()
            .Where(p => p.CanWrite)
            .Where(p => p.GetValue(resources) switch
            {
                string s => string.IsNullOrWhiteSpace(s),
                IList list => list.Count == 0,
                null => true,
                _ => false,
            })
            .Select(p => $"{path}:{p.Name} is not set by infra: an Aws environment names every resource.");

    /// <summary>
    /// CloudFormation's intrinsic functions as the synthesized portal task uses them, with realistic values for what
    /// only AWS knows at deploy time (the ALB's and target groups' dimension values, the managed secret's ARN).
    /// </summary>
    private sealed class Intrinsics(IReadOnlyDictionary<string, JsonNode?> exports, string account, string region)
    {
        public string Resolve(JsonNode? node) => node switch
        {
            JsonValue value => value.ToString(),
            JsonObject { Count: 1 } function => function.Single() switch
            {
                { Key: "Fn::Join", Value: JsonArray join } => string.Join(join[0]!.GetValue<string>(), ResolveList(join[1])),
                { Key: "Fn::Select", Value: JsonArray select } => ResolveList(select[1])[int.Parse(Resolve(select[0]), CultureInfo.InvariantCulture)],
                { Key: "Fn::ImportValue", Value: var name } => Resolve(exports[Resolve(name)]),
                { Key: "Fn::GetAtt", Value: JsonArray attribute } => Attribute(attribute[0]!.GetValue<string>(), attribute[1]!.GetValue<string>()),
                { Key: "Ref", Value: var id } => Resolve(id) == "AWS::Partition" ? "aws" : $"{Resolve(id)}-ref",
                var other => throw new NotSupportedException($"The portal's task uses {other.Key}, which this test does not resolve yet."),
            },
            _ => throw new NotSupportedException($"Cannot resolve {node?.ToJsonString()}."),
        };

        private IReadOnlyList<string> ResolveList(JsonNode? node) => node switch
        {
            JsonArray array => [.. array.Select(Resolve)],
            JsonObject split when split["Fn::Split"] is JsonArray arguments => Resolve(arguments[1]).Split(arguments[0]!.GetValue<string>()),
            _ => throw new NotSupportedException($"Cannot resolve the list {node?.ToJsonString()}."),
        };

        private string Attribute(string resource, string attribute) => attribute switch
        {
            "LoadBalancerFullName" => $"app/{resource.ToLowerInvariant()}/50dc6c495c0c9188",
            "TargetGroupFullName" => $"targetgroup/{resource.ToLowerInvariant()}/943f017f100becff",
            "MasterUserSecret.SecretArn" => $"arn:aws:secretsmanager:{region}:{account}:secret:rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678-AbCdEf",
            "Endpoint.Address" => $"{resource.ToLowerInvariant()}.cluster-c0ffee123456.{region}.rds.amazonaws.com",
            "DomainName" => "d111111abcdef8.cloudfront.net",
            "PrimaryEndPoint.Address" => $"master.{resource.ToLowerInvariant()}.abc123.euw1.cache.amazonaws.com",
            "PrimaryEndPoint.Port" => "6379",
            _ => $"{resource}-{attribute}",
        };
    }
}
