using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Platform;

/// <summary>
/// The environments the portal watches and acts on (configuration section <c>Platform</c>).
/// The embedded default (appsettings.json) holds one Sandbox environment, so the portal runs with
/// no configuration at all.
/// </summary>
public sealed class PlatformOptions : IValidatableObject
{
    public const string SectionName = "Platform";

    /// <summary>The embedded default when no environment is configured: one Sandbox.</summary>
    public const string SandboxKey = "sandbox";

    /// <summary>
    /// Environments by key (the key is used in URLs and the audit trail, e.g. <c>sandbox</c>, <c>prod</c>).
    /// When none is configured the portal runs on one Sandbox environment; once any is configured
    /// only those exist, so a production portal never offers a simulated platform by accident.
    /// </summary>
    public Dictionary<string, EnvironmentOptions> Environments { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The environment selected when a user first opens the portal; the first configured one when empty.</summary>
    public string? DefaultEnvironment { get; set; }

    internal void ApplyDefaults()
    {
        if (Environments.Count == 0)
        {
            Environments[SandboxKey] = new EnvironmentOptions { DisplayName = "Sandbox", Backend = PlatformBackend.Sandbox };
        }
        DefaultEnvironment ??= Environments.Keys.First();
        foreach (var environment in Environments.Values.Where(e => e.Backend == PlatformBackend.Sandbox))
        {
            environment.Resources.ApplySandboxDefaults();
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Environments.Count == 0)
        {
            yield return new ValidationResult(
                "Platform:Environments is empty: configure at least one environment, or none for the embedded Sandbox.",
                [nameof(Environments)]);
        }
        else if (DefaultEnvironment is null || !Environments.ContainsKey(DefaultEnvironment))
        {
            yield return new ValidationResult(
                $"Platform:DefaultEnvironment '{DefaultEnvironment}' is not one of Platform:Environments ({string.Join(", ", Environments.Keys)}).",
                [nameof(DefaultEnvironment)]);
        }
        foreach (var (key, environment) in Environments)
        {
            foreach (var error in environment.Validate($"Platform:Environments:{key}"))
            {
                yield return new ValidationResult(error, [nameof(Environments)]);
            }
        }
    }
}

public enum PlatformBackend { Sandbox, Aws }

public sealed class EnvironmentOptions
{
    public string? DisplayName { get; set; }

    public PlatformBackend Backend { get; set; } = PlatformBackend.Sandbox;

    /// <summary>Production environments get stricter rules: second-person approval, audited views.</summary>
    public bool IsProduction { get; set; }

    /// <summary>Seed of the simulated platform (Sandbox backend only). Same seed, same numbers.</summary>
    public int SandboxSeed { get; set; } = 20261124;

    public AwsEnvironmentOptions? Aws { get; set; }

    public PlatformResources Resources { get; set; } = new();

    internal IEnumerable<string> Validate(string path)
    {
        if (Backend == PlatformBackend.Aws)
        {
            if (Aws is null)
            {
                yield return $"{path}:Aws is required when {path}:Backend is Aws (AccountId, Region, RoleArn).";
            }
            else
            {
                if (string.IsNullOrWhiteSpace(Aws.AccountId) || Aws.AccountId.Length != 12 || !Aws.AccountId.All(char.IsAsciiDigit))
                {
                    yield return $"{path}:Aws:AccountId must be the 12-digit AWS account id.";
                }
                if (string.IsNullOrWhiteSpace(Aws.Region))
                {
                    yield return $"{path}:Aws:Region is required (e.g. eu-west-1).";
                }
            }
        }
        foreach (var error in Resources.Validate($"{path}:Resources"))
        {
            yield return error;
        }
    }
}

public sealed class AwsEnvironmentOptions
{
    public string AccountId { get; set; } = "";
    public string Region { get; set; } = "";

    /// <summary>The role the portal assumes in the workload account (provisioned by infra/); without
    /// one the portal's own credentials are used.</summary>
    public string? RoleArn { get; set; }

    /// <summary>The external id the role's trust policy requires, if any.</summary>
    public string? ExternalId { get; set; }
}

/// <summary>
/// The names of the platform's resources in one environment: they become the dimensions of the
/// metric queries and the targets of operations. The defaults are the Sandbox's names.
/// </summary>
public sealed class PlatformResources
{
    /// <summary>ALB dimension value, <c>app/NAME/ID</c>.</summary>
    public string LoadBalancer { get; set; } = "app/fintech-api-alb/50dc6c495c0c9188";

    /// <summary>Target group dimension value, <c>targetgroup/NAME/ID</c>.</summary>
    public string TargetGroup { get; set; } = "targetgroup/fintech-api/943f017f100becff";

    public string EcsCluster { get; set; } = "fintech";
    public string EcsService { get; set; } = "fintech-api";
    public string AuroraCluster { get; set; } = "fintech-aurora";
    /// <summary>Instance identifiers of the cluster's members (writer and readers); filled with the
    /// Sandbox's names when empty. A list default would be appended to by configuration binding.</summary>
    public List<string> AuroraInstances { get; set; } = [];
    public string RedisReplicationGroup { get; set; } = "fintech-redis";
    /// <summary>Cache cluster (node) identifiers of the replication group; Sandbox names when empty.</summary>
    public List<string> RedisNodes { get; set; } = [];
    public string SessionTable { get; set; } = "fintech-sessions";

    /// <summary>Namespace of the platform's custom business metrics.</summary>
    public string BusinessNamespace { get; set; } = "FinTech/Transactions";
    public string BusinessService { get; set; } = "payments-api";

    internal void ApplySandboxDefaults()
    {
        if (AuroraInstances.Count == 0)
        {
            AuroraInstances.AddRange([$"{AuroraCluster}-1", $"{AuroraCluster}-2"]);
        }
        if (RedisNodes.Count == 0)
        {
            RedisNodes.AddRange([$"{RedisReplicationGroup}-001", $"{RedisReplicationGroup}-002"]);
        }
    }

    internal IEnumerable<string> Validate(string path)
    {
        if (!LoadBalancer.StartsWith("app/", StringComparison.Ordinal))
        {
            yield return $"{path}:LoadBalancer must be the ALB dimension value 'app/NAME/ID', got '{LoadBalancer}'.";
        }
        if (!TargetGroup.StartsWith("targetgroup/", StringComparison.Ordinal))
        {
            yield return $"{path}:TargetGroup must be the dimension value 'targetgroup/NAME/ID', got '{TargetGroup}'.";
        }
        if (AuroraInstances.Count == 0)
        {
            yield return $"{path}:AuroraInstances must name at least the writer instance.";
        }
        if (RedisNodes.Count == 0)
        {
            yield return $"{path}:RedisNodes must name at least the primary node.";
        }
    }
}
