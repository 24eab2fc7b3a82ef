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
    EdgeStack Edge,
    ObservabilityStack Observability,
    PortalAccessStack PortalAccess)
{
    public IEnumerable<Stack> All => [Security, Registry, Network, Data, Storage, Compute, Edge, Observability, PortalAccess];
}

/// <summary>Every stack of the platform: the organization, then each environment (dev, staging, prod from cdk.json).</summary>
public sealed record PlatformStacks(OrganizationStack Organization, IReadOnlyDictionary<string, EnvironmentStacks> Environments)
{
    public IEnumerable<Stack> All => Environments.Values.SelectMany(e => e.All).Prepend(Organization);

    public static PlatformStacks Build(App app, PlatformConfig config, PortalAwsActions actions)
    {
        Amazon.CDK.Aspects.Of(app).Add(new SupportedLambdaRuntime());
        var organization = new OrganizationStack(app, "FinTech-Organization", config.Organization, new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = config.Organization.ManagementAccount, Region = config.Organization.Region },
            Description = "FinTech: AWS Organizations OUs and service control policies (management account)",
        });

        var environments = config.Environments.ToDictionary(
            e => e.Key,
            e => BuildEnvironment(app, new EnvironmentContext(e.Key, e.Value, new Names(e.Key)), actions));
        return new PlatformStacks(organization, environments);
    }

    private static EnvironmentStacks BuildEnvironment(App app, EnvironmentContext env, PortalAwsActions actions)
    {
        if (env.Config.AvailabilityZones.Count < 2)
        {
            throw new InvalidOperationException($"Environment '{env.Key}' needs at least two availability zones.");
        }

        StackProps Props(string what) => new()
        {
            Env = env.AwsEnvironment,
            Description = $"FinTech {env.Config.DisplayName}: {what}",
            TerminationProtection = env.Config.IsProduction,
            Tags = new Dictionary<string, string> { ["Project"] = "FinTech", ["Environment"] = env.Key },
        };

        var prefix = env.Names.StackPrefix;
        var security = new SecurityStack(app, $"{prefix}-Security", env, Props("KMS keys, secrets, alarm topic"));
        var registry = new RegistryStack(app, $"{prefix}-Registry", env, security, Props("ECR repositories"));
        var network = new NetworkStack(app, $"{prefix}-Network", env, security, Props("VPC, endpoints, flow logs, security groups"));
        var data = new DataStack(app, $"{prefix}-Data", env, security, network, Props("Aurora PostgreSQL, ElastiCache Redis, DynamoDB sessions"));
        var storage = new StorageStack(app, $"{prefix}-Storage", env, security, Props("S3 buckets"));
        var compute = new ComputeStack(app, $"{prefix}-Compute", env, actions, security, network, data, registry, Props("ECR, ECS cluster, ALB, portal and API services"));
        var edge = new EdgeStack(app, $"{prefix}-Edge", env, security, Props("CloudFront distribution"));
        edge.AddDependency(compute, "CloudFront forwards to the ALB");
        var observability = new ObservabilityStack(app, $"{prefix}-Observability", env, security, compute, Props("dashboard and alarms"));
        observability.AddDependency(data, "Alarms watch Aurora, Redis and DynamoDB");
        var portalAccess = new PortalAccessStack(app, $"{prefix}-PortalAccess", env, actions, Props("role the portal assumes"));
        portalAccess.AddDependency(compute, "The trust policy names the portal's task role");
        return new EnvironmentStacks(env, security, registry, network, data, storage, compute, edge, observability, portalAccess);
    }
}
