using System.ComponentModel.DataAnnotations;

using FinTech.Portal.Platform.Catalogue;

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
            foreach (var error in Resources.ValidateRotationSecrets($"{path}:Resources"))
            {
                yield return error;
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
/// metric queries and the targets of operations. A Sandbox environment fills any name it is not
/// given with the Sandbox's (<see cref="CatalogueNames"/> of <c>sandbox</c>); an Aws environment
/// must name every one (infra/ sets them on the portal's task), so no simulated name reaches AWS.
/// </summary>
public sealed class PlatformResources
{
    /// <summary>The Sandbox's resource names: the catalogue's names of an environment called <c>sandbox</c>.</summary>
    public static readonly CatalogueNames SandboxNames = new("sandbox");

    /// <summary>ALB dimension value, <c>app/NAME/ID</c>.</summary>
    public string LoadBalancer { get; set; } = "";

    /// <summary>The API's target group dimension value, <c>targetgroup/NAME/ID</c>.</summary>
    public string TargetGroup { get; set; } = "";

    /// <summary>The portal's own target group (optional: only its alarms name it).</summary>
    public string? PortalTargetGroup { get; set; }

    public string EcsCluster { get; set; } = "";

    /// <summary>The API's ECS service (the one deployments, rotations and failover tests act on).</summary>
    public string EcsService { get; set; } = "";

    /// <summary>The portal's own ECS service (optional: only its alarms name it).</summary>
    public string? PortalService { get; set; }
    public string AuroraCluster { get; set; } = "";

    /// <summary>
    /// The Aurora instances' class (<c>db.r6g.large</c>; infra sets it from cdk.json): Aurora PostgreSQL derives
    /// <c>max_connections</c> from it, and the <c>aurora-connections</c> alarm fires at a share of that
    /// (<see cref="PlatformCatalogue.SizedFor"/>). One of <see cref="PlatformCatalogue.InstanceClasses"/>.
    /// </summary>
    public string AuroraInstanceClass { get; set; } = "";

    /// <summary>Instance identifiers of the cluster's members (writer and readers). A list default
    /// would be appended to by configuration binding, so the Sandbox's are filled in when empty.</summary>
    public List<string> AuroraInstances { get; set; } = [];
    public string RedisReplicationGroup { get; set; } = "";
    /// <summary>Cache cluster (node) identifiers of the replication group.</summary>
    public List<string> RedisNodes { get; set; } = [];
    public string SessionTable { get; set; } = "";

    /// <summary>Every alarm of the environment starts with this (<c>fintech-prod-</c>): the portal lists alarms by it, IAM scopes DescribeAlarms to it.</summary>
    public string AlarmNamePrefix { get; set; } = "";

    /// <summary>The environment's name of a catalogue alarm; throws for a key the catalogue does not define (no guardrail on an alarm that does not exist).</summary>
    public string AlarmName(string key) => AlarmNamePrefix + PlatformCatalogue.Alarm(key).Key;

    /// <summary>Namespace of the platform's custom business metrics (see <see cref="PlatformCatalogue.BusinessNamespace"/>).</summary>
    public string BusinessNamespace { get; set; } = PlatformCatalogue.BusinessNamespace;
    public string BusinessService { get; set; } = PlatformCatalogue.BusinessService;

    /// <summary>
    /// The secret holding the Aurora cluster's master credentials (RDS-managed, <c>rds!cluster-…</c>): its
    /// rotation and a failover of the cluster exclude each other. Required for an Aws environment (the Sandbox derives its own).
    /// </summary>
    public string? AuroraCredentialsSecret { get; set; }

    /// <summary>The secret holding the Redis AUTH token: its rotation and a Redis failover exclude each other.</summary>
    public string? RedisAuthTokenSecret { get; set; }

    /// <summary>
    /// The Secrets Manager secrets (names) people may rotate from the portal, in the order the Secrets page
    /// lists them first. Required for an Aws environment: without it no rotation could be offered.
    /// </summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>
    /// The secrets the API service's task definition references (infra injects them as
    /// <c>secrets[].valueFrom</c>): a rotation of one of them and a deployment of the API exclude each other.
    /// </summary>
    public List<string> ApiServiceSecrets { get; set; } = [];

    /// <summary>
    /// The name RDS gives the master-user secret it manages for a cluster, <c>rds!cluster-</c> and a UUID;
    /// the Sandbox derives the UUID from the cluster's name where AWS uses the cluster's resource id.
    /// </summary>
    public static string SandboxAuroraCredentialsSecret(string cluster)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("rds-cluster-secret:" + cluster));
        hash[6] = (byte)(0x40 | (hash[6] & 0x0f));
        hash[8] = (byte)(0x80 | (hash[8] & 0x3f));
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"rds!cluster-{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    /// <summary>A complete set of Sandbox names (for tests and tools that build a platform by hand).</summary>
    public static PlatformResources Sandbox()
    {
        var resources = new PlatformResources();
        resources.ApplySandboxDefaults();
        return resources;
    }

    /// <summary>A copy with the Sandbox's names wherever this one names nothing.</summary>
    internal PlatformResources WithSandboxDefaults()
    {
        var copy = (PlatformResources)MemberwiseClone();
        copy.AuroraInstances = [.. AuroraInstances];
        copy.RedisNodes = [.. RedisNodes];
        copy.Secrets = [.. Secrets];
        copy.ApiServiceSecrets = [.. ApiServiceSecrets];
        copy.ApplySandboxDefaults();
        return copy;
    }

    internal void ApplySandboxDefaults()
    {
        var names = SandboxNames;
        static string Or(string value, string fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
        LoadBalancer = Or(LoadBalancer, $"app/{names.LoadBalancerName}/50dc6c495c0c9188");
        TargetGroup = Or(TargetGroup, $"targetgroup/{names.TargetGroupName(PlatformCatalogue.ApiServiceKey)}/943f017f100becff");
        PortalTargetGroup = Or(PortalTargetGroup ?? "", $"targetgroup/{names.TargetGroupName(PlatformCatalogue.PortalServiceKey)}/6d0ecf831eec9f09");
        EcsCluster = Or(EcsCluster, names.EcsCluster);
        EcsService = Or(EcsService, names.ApiService);
        PortalService = Or(PortalService ?? "", names.PortalService);
        AuroraCluster = Or(AuroraCluster, names.AuroraCluster);
        AuroraInstanceClass = Or(AuroraInstanceClass, PlatformCatalogue.SandboxAuroraInstanceClass);
        RedisReplicationGroup = Or(RedisReplicationGroup, names.RedisReplicationGroup);
        SessionTable = Or(SessionTable, names.SessionTable);
        AlarmNamePrefix = Or(AlarmNamePrefix, names.AlarmPrefix);
        if (AuroraInstances.Count == 0)
        {
            AuroraInstances.AddRange([$"{AuroraCluster}-1", $"{AuroraCluster}-2"]);
        }
        if (RedisNodes.Count == 0)
        {
            RedisNodes.AddRange([$"{RedisReplicationGroup}-001", $"{RedisReplicationGroup}-002"]);
        }
        AuroraCredentialsSecret = Or(AuroraCredentialsSecret ?? "", SandboxAuroraCredentialsSecret(AuroraCluster));
        RedisAuthTokenSecret = Or(RedisAuthTokenSecret ?? "", names.Secret(PlatformCatalogue.SecretKeys.RedisAuthToken));
        if (Secrets.Count == 0)
        {
            Secrets.AddRange([AuroraCredentialsSecret, RedisAuthTokenSecret, .. PlatformCatalogue.SecretKeys.Others.Select(names.Secret)]);
        }
        if (ApiServiceSecrets.Count == 0)
        {
            ApiServiceSecrets.AddRange([AuroraCredentialsSecret, RedisAuthTokenSecret, names.Secret(PlatformCatalogue.SecretKeys.ExternalApiKeys)]);
        }
    }

    /// <summary>
    /// The secrets an Aws environment must name (infra sets them on the portal's task). Without them the portal could
    /// neither offer a rotation nor keep a rotation, a failover and a deployment of the API from running into each other,
    /// and nothing on a page would say why: so it does not start.
    /// </summary>
    internal IEnumerable<string> ValidateRotationSecrets(string path)
    {
        foreach (var (key, value, what) in new[]
        {
            (nameof(AuroraCredentialsSecret), AuroraCredentialsSecret, "the Aurora cluster's RDS-managed master secret (rds!cluster-…), whose rotation and a failover exclude each other"),
            (nameof(RedisAuthTokenSecret), RedisAuthTokenSecret, "the Redis AUTH token's secret, whose rotation and a Redis failover exclude each other"),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"{path}:{key} is required for an Aws environment: {what} (infra/ sets it on the portal's task).";
            }
        }
        foreach (var (key, list, what) in new[]
        {
            (nameof(Secrets), Secrets, "the secrets people may rotate from the portal"),
            (nameof(ApiServiceSecrets), ApiServiceSecrets, "the secrets the API's task definition injects, whose rotation and an API deployment exclude each other"),
        })
        {
            if (list.Count == 0 || list.Any(string.IsNullOrWhiteSpace))
            {
                yield return $"{path}:{key} is required for an Aws environment ({key}:0, {key}:1, …): {what} (infra/ sets it on the portal's task).";
            }
        }
    }

    internal IEnumerable<string> Validate(string path)
    {
        foreach (var (key, value) in new[]
        {
            (nameof(LoadBalancer), LoadBalancer), (nameof(TargetGroup), TargetGroup), (nameof(EcsCluster), EcsCluster),
            (nameof(EcsService), EcsService), (nameof(AuroraCluster), AuroraCluster), (nameof(AuroraInstanceClass), AuroraInstanceClass),
            (nameof(RedisReplicationGroup), RedisReplicationGroup),
            (nameof(SessionTable), SessionTable), (nameof(AlarmNamePrefix), AlarmNamePrefix), (nameof(BusinessNamespace), BusinessNamespace),
            (nameof(BusinessService), BusinessService),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"{path}:{key} is required: the name of the environment's resource (infra/ sets it on the portal's task).";
            }
        }
        if (!string.IsNullOrWhiteSpace(AuroraInstanceClass) && !PlatformCatalogue.InstanceClasses.ContainsKey(AuroraInstanceClass))
        {
            yield return $"{path}:AuroraInstanceClass '{AuroraInstanceClass}' is not an instance class the platform catalogue knows ({string.Join(", ", PlatformCatalogue.InstanceClasses.Keys.Where(k => k.StartsWith("db.", StringComparison.Ordinal)))}).";
        }
        if (!string.IsNullOrWhiteSpace(LoadBalancer) && !LoadBalancer.StartsWith("app/", StringComparison.Ordinal))
        {
            yield return $"{path}:LoadBalancer must be the ALB dimension value 'app/NAME/ID', got '{LoadBalancer}'.";
        }
        foreach (var (key, value) in new[] { (nameof(TargetGroup), TargetGroup), (nameof(PortalTargetGroup), PortalTargetGroup) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !value.StartsWith("targetgroup/", StringComparison.Ordinal))
            {
                yield return $"{path}:{key} must be the dimension value 'targetgroup/NAME/ID', got '{value}'.";
            }
        }
        if (AuroraInstances.Count == 0)
        {
            yield return $"{path}:AuroraInstances must name at least the writer instance (AuroraInstances:0).";
        }
        if (RedisNodes.Count == 0)
        {
            yield return $"{path}:RedisNodes must name at least the primary node (RedisNodes:0).";
        }
    }
}
