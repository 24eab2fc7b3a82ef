using Amazon.CDK;
using FinTech.Infra.Aspects;
using FinTech.Infra.Stacks;

namespace FinTech.Infra;

/// <summary>The stacks of one environment.</summary>
public sealed record EnvironmentStacks(
    EnvironmentContext Context,
    SecurityStack Security,
    RegistryStack Registry,
    NetworkStack Network,
    DataStack Data,
    StorageStack Storage,
    ComputeStack Compute,
    GlobalStack Global,
    EdgeStack Edge,
    PortalAccessStack PortalAccess,
    PortalStack Portal,
    ObservabilityStack Observability,
    DetectionStack Detection)
{
    /// <summary>The order an empty account deploys in (infra/README.md, "Deploy"): every stack after the stacks it depends on.</summary>
    public IReadOnlyList<Stack> DeployOrder =>
        [Security, Registry, Network, Data, Storage, Compute, Global, Edge, PortalAccess, Portal, Observability, Detection];

    public IEnumerable<Stack> All => DeployOrder;
}

/// <summary>Every stack of the platform: the security account's log archive, the organization, then each environment.</summary>
public sealed record PlatformStacks(LogArchiveStack LogArchive, OrganizationStack Organization, IReadOnlyDictionary<string, EnvironmentStacks> Environments)
{
    public IEnumerable<Stack> All => Environments.Values.SelectMany(e => e.All).Prepend(Organization).Prepend(LogArchive);

    public static PlatformStacks Build(App app, PlatformConfig config, PortalAwsActions actions)
    {
        Amazon.CDK.Aspects.Of(app).Add(new SupportedLambdaRuntime());
        var organizationConfig = config.Organization;
        var logArchive = new LogArchiveStack(app, "FinTech-LogArchive", organizationConfig, new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = organizationConfig.SecurityAccount, Region = organizationConfig.Region },
            Description = "FinTech: organization trail bucket and key, Config bucket, detection of the security account",
            TerminationProtection = true,
        });
        var organization = new OrganizationStack(app, "FinTech-Organization", organizationConfig, new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = organizationConfig.ManagementAccount, Region = organizationConfig.Region },
            Description = "FinTech: AWS Organizations OUs, service control policies, organization trail (management account)",
        });
        organization.AddDependency(logArchive, "The organization trail delivers to the log-archive bucket with its key");

        var environments = config.Environments.ToDictionary(
            e => e.Key,
            e => BuildEnvironment(app, new EnvironmentContext(e.Key, e.Value, new Names(e.Key), organizationConfig), actions));
        return new PlatformStacks(logArchive, organization, environments);
    }

    private static EnvironmentStacks BuildEnvironment(App app, EnvironmentContext env, PortalAwsActions actions)
    {
        if (env.Config.AvailabilityZones.Count < 2)
        {
            throw new InvalidOperationException($"Environment '{env.Key}' needs at least two availability zones.");
        }

        if (env.Config.IsProduction && !env.Config.HasViewerDomain)
        {
            throw new InvalidOperationException(
                $"Environment '{env.Key}' is production: set viewerDomainName and viewerCertificateArn (ACM, us-east-1) in cdk.json, " +
                "so that viewers reach it on its own name with TLS 1.2 or newer.");
        }

        if (env.Config.IsProduction && env.Config.AlarmSubscriptions.Count == 0)
        {
            throw new InvalidOperationException(
                $"Environment '{env.Key}' is production: alarmSubscriptions in cdk.json must name at least one email or https endpoint.");
        }

        StackProps Props(string what, string? region = null) => new()
        {
            Env = region is null ? env.AwsEnvironment : new Amazon.CDK.Environment { Account = env.Config.Account, Region = region },
            Description = $"FinTech {env.Config.DisplayName}: {what}",
            TerminationProtection = env.Config.IsProduction,
            Tags = new Dictionary<string, string> { ["Project"] = "FinTech", ["Environment"] = env.Key },
        };

        var prefix = env.Names.StackPrefix;
        var security = new SecurityStack(app, $"{prefix}-Security", env, Props("KMS keys, secrets, alarm topic"));
        var registry = new RegistryStack(app, $"{prefix}-Registry", env, security, Props("ECR repositories"));
        var network = new NetworkStack(app, $"{prefix}-Network", env, security, Props("VPC, endpoints, DNS firewall, flow logs, security groups"));
        var data = new DataStack(app, $"{prefix}-Data", env, security, network, Props("Aurora PostgreSQL, ElastiCache Redis, DynamoDB sessions"));
        var storage = new StorageStack(app, $"{prefix}-Storage", env, security, Props("S3 buckets"));
        var compute = new ComputeStack(app, $"{prefix}-Compute", env, security, network, data, storage, registry, Props("ECS cluster, internal ALB, API service"));
        var global = new GlobalStack(app, $"{prefix}-Global", env, Props("CloudFront web ACL, alerts on global events", GlobalStack.UsEast1));
        var edge = new EdgeStack(app, $"{prefix}-Edge", env, compute, storage, Props("CloudFront distribution and VPC origin"));
        edge.AddDependency(global, "The distribution's web ACL is created in us-east-1");
        var portalAccess = new PortalAccessStack(app, $"{prefix}-PortalAccess", env, actions, Props("role the portal assumes"));
        var portal = new PortalStack(app, $"{prefix}-Portal", env, actions, security, network, data, compute, registry, edge, Props("the portal's Fargate service"));
        portal.AddDependency(portalAccess, "The portal assumes the access role from its first start");
        var observability = new ObservabilityStack(app, $"{prefix}-Observability", env, security, compute, Props("dashboard and alarms"));
        observability.AddDependency(data, "Alarms watch Aurora, Redis and DynamoDB");
        var detection = new DetectionStack(app, $"{prefix}-Detection", env, security, Props("GuardDuty, Config, Security Hub, suspicious-activity rules"));
        return new EnvironmentStacks(env, security, registry, network, data, storage, compute, global, edge, portalAccess, portal, observability, detection);
    }
}
