using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Route53Resolver;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The VPC (public subnets for the NAT gateways only, private "app" subnets for the internal ALB and Fargate,
/// private "data" subnets for Aurora and Redis), VPC endpoints with endpoint policies for every AWS API the services
/// call, the Route 53 Resolver DNS Firewall that lets only the allowed names resolve, flow logs, and every security
/// group with the rules between them (kept here so that no two stacks reference each other).
/// </summary>
public sealed class NetworkStack : Stack
{
    public const string PublicSubnets = "edge";
    public const string AppSubnets = "app";
    public const string DataSubnets = "data";
    public const int ServicePort = 8080;
    public const int PostgresPort = 5432;
    public const int RedisPort = 6379;

    public Vpc Vpc { get; }
    public SecurityGroup AlbSecurityGroup { get; }
    public SecurityGroup PortalSecurityGroup { get; }
    public SecurityGroup ApiSecurityGroup { get; }
    public SecurityGroup AuroraSecurityGroup { get; }
    public SecurityGroup RedisSecurityGroup { get; }

    /// <summary>The write-probe canary: no ingress at all; out to Aurora, Redis and HTTPS (CloudWatch, image pull).</summary>
    public SecurityGroup WriteProbeSecurityGroup { get; }
    public SecurityGroup EndpointSecurityGroup { get; }
    public LogGroup FlowLogGroup { get; }

    public static SubnetSelection App => new() { SubnetGroupName = AppSubnets };
    public static SubnetSelection Data => new() { SubnetGroupName = DataSubnets };
    public static SubnetSelection Public => new() { SubnetGroupName = PublicSubnets };

    public NetworkStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
        : base(scope, id, props)
    {
        var config = env.Config;
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr(config.VpcCidr),
            AvailabilityZones = config.AvailabilityZones.ToArray(),
            NatGateways = config.NatGateways,
            RestrictDefaultSecurityGroup = true,
            SubnetConfiguration =
            [
                // Holds the NAT gateways only (the internet gateway is also what CloudFront VPC origins require);
                // nothing gets a public IP on launch.
                new SubnetConfiguration { Name = PublicSubnets, SubnetType = SubnetType.PUBLIC, CidrMask = 24, MapPublicIpOnLaunch = false },
                new SubnetConfiguration
                {
                    Name = AppSubnets,
                    SubnetType = config.NatGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED,
                    CidrMask = 20,
                },
                new SubnetConfiguration { Name = DataSubnets, SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            ],
        });

        FlowLogGroup = new LogGroup(this, "FlowLogs", new LogGroupProps
        {
            LogGroupName = env.Names.LogGroup("vpc-flow-logs"),
            Retention = Retention.Days(config.LogRetentionDays),
            EncryptionKey = security.LogsKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        Vpc.AddFlowLog("FlowLog", new FlowLogOptions
        {
            Destination = FlowLogDestination.ToCloudWatchLogs(FlowLogGroup),
            TrafficType = FlowLogTrafficType.ALL,
        });

        // Gateway endpoints (free) for S3 and DynamoDB; interface endpoints in the app subnets for the rest.
        // Endpoint policies: only this account's principals use the endpoints, and the gateways reach only this
        // account's buckets and tables (plus the bucket ECR serves image layers from).
        var account = config.Account;
        var s3 = Vpc.AddGatewayEndpoint("S3", new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 });
        s3.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OwnAccountBuckets",
            Principals = [new AnyPrincipal()],
            Actions = ["s3:*"],
            Resources = ["*"],
            Conditions = OwnAccount(account, resourceToo: true),
        }));
        s3.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "EcrImageLayers",
            Principals = [new AnyPrincipal()],
            Actions = ["s3:GetObject"],
            Resources = [$"arn:{Partition}:s3:::prod-{config.Region}-starport-layer-bucket/*"],
        }));
        var dynamoDb = Vpc.AddGatewayEndpoint("DynamoDb", new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB });
        dynamoDb.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OwnTables",
            Principals = [new AnyPrincipal()],
            Actions = ["dynamodb:*"],
            Resources = [$"arn:{Partition}:dynamodb:{config.Region}:{account}:table/{env.Names.Prefix}-*"],
            Conditions = OwnAccount(account, resourceToo: false),
        }));
        // Endpoint → the IAM service prefix its policy names.
        var interfaceEndpoints = new Dictionary<string, (InterfaceVpcEndpointAwsService Service, string Prefix)>
        {
            ["EcrApi"] = (InterfaceVpcEndpointAwsService.ECR, "ecr"),
            ["EcrDocker"] = (InterfaceVpcEndpointAwsService.ECR_DOCKER, "ecr"),
            ["SecretsManager"] = (InterfaceVpcEndpointAwsService.SECRETS_MANAGER, "secretsmanager"),
            ["Logs"] = (InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, "logs"),
            ["Monitoring"] = (InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING, "cloudwatch"),
            ["Sts"] = (InterfaceVpcEndpointAwsService.STS, "sts"),
            ["Kms"] = (InterfaceVpcEndpointAwsService.KMS, "kms"),
            ["Ecs"] = (InterfaceVpcEndpointAwsService.ECS, "ecs"),
            ["EcsAgent"] = (InterfaceVpcEndpointAwsService.ECS_AGENT, "ecs"),
            ["EcsTelemetry"] = (InterfaceVpcEndpointAwsService.ECS_TELEMETRY, "ecs"),
            // The portal's Aws backend also calls the RDS and ElastiCache APIs (describe, failover).
            ["Rds"] = (InterfaceVpcEndpointAwsService.RDS, "rds"),
            ["ElastiCache"] = (InterfaceVpcEndpointAwsService.ELASTICACHE, "elasticache"),
        };
        // One security group for every interface endpoint: HTTPS from inside the VPC only.
        EndpointSecurityGroup = NewGroup("EndpointSecurityGroup", "VPC interface endpoints: HTTPS from the VPC");
        EndpointSecurityGroup.AddIngressRule(Peer.Ipv4(Vpc.VpcCidrBlock), Port.Tcp(443), "HTTPS from the VPC");
        foreach (var (name, (service, prefix)) in interfaceEndpoints)
        {
            var endpoint = Vpc.AddInterfaceEndpoint(name, new InterfaceVpcEndpointOptions
            {
                Service = service,
                Subnets = App,
                PrivateDnsEnabled = true,
                SecurityGroups = [EndpointSecurityGroup],
                Open = false,
            });
            endpoint.AddToPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "OwnAccountPrincipals",
                Principals = [new AnyPrincipal()],
                Actions = [$"{prefix}:*"],
                Resources = ["*"],
                Conditions = OwnAccount(account, resourceToo: false),
            }));
        }

        if (config.DnsFirewall)
        {
            AddDnsFirewall(env);
        }

        // CloudFront's VPC origin connects from the origin-facing addresses: the internal ALB admits only those.
        AlbSecurityGroup = NewGroup("AlbSecurityGroup", "Internal ALB: HTTPS from the CloudFront VPC origin (origin-facing prefix list)");
        PortalSecurityGroup = NewGroup("PortalSecurityGroup", "Portal Fargate tasks");
        ApiSecurityGroup = NewGroup("ApiSecurityGroup", "API Fargate tasks");
        AuroraSecurityGroup = NewGroup("AuroraSecurityGroup", "Aurora PostgreSQL");
        RedisSecurityGroup = NewGroup("RedisSecurityGroup", "ElastiCache Redis");

        AlbSecurityGroup.AddIngressRule(Peer.PrefixList(config.CloudFrontPrefixListId), Port.Tcp(443), "CloudFront origin-facing");
        foreach (var service in new[] { PortalSecurityGroup, ApiSecurityGroup })
        {
            AlbSecurityGroup.Connections.AllowTo(service, Port.Tcp(ServicePort), "ALB to tasks");
            service.Connections.AllowTo(AuroraSecurityGroup, Port.Tcp(PostgresPort), "Tasks to Aurora");
            // HTTPS only: AWS APIs through the endpoints, S3 through its gateway, and the identity provider (Entra ID)
            // through the NAT gateways. No other port leaves a task.
            service.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to AWS APIs and the identity provider");
        }

        ApiSecurityGroup.Connections.AllowTo(RedisSecurityGroup, Port.Tcp(RedisPort), "API to Redis");

        WriteProbeSecurityGroup = NewGroup("WriteProbeSecurityGroup", "Write probe canary Fargate task: no ingress");
        WriteProbeSecurityGroup.Connections.AllowTo(AuroraSecurityGroup, Port.Tcp(PostgresPort), "Write probe to Aurora");
        WriteProbeSecurityGroup.Connections.AllowTo(RedisSecurityGroup, Port.Tcp(RedisPort), "Write probe to Redis");
        WriteProbeSecurityGroup.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to AWS APIs");
    }

    private static Dictionary<string, object> OwnAccount(string account, bool resourceToo)
    {
        var equals = new Dictionary<string, object> { ["aws:PrincipalAccount"] = account };
        if (resourceToo)
        {
            equals["aws:ResourceAccount"] = account;
        }

        return new Dictionary<string, object> { ["StringEquals"] = equals };
    }

    /// <summary>
    /// Route 53 Resolver DNS Firewall: the allowed names resolve, every other name gets NXDOMAIN. With NAT limited
    /// to HTTPS by the task security groups, the tasks reach AWS and the identity provider and nothing else by name.
    /// </summary>
    private void AddDnsFirewall(EnvironmentContext env)
    {
        var allowed = new CfnFirewallDomainList(this, "DnsAllowList", new CfnFirewallDomainListProps
        {
            Name = $"{env.Names.Prefix}-egress-allowed",
            Domains = env.Config.EgressAllowedDomains.ToArray(),
        });
        var everything = new CfnFirewallDomainList(this, "DnsBlockList", new CfnFirewallDomainListProps
        {
            Name = $"{env.Names.Prefix}-egress-everything-else",
            Domains = ["*"],
        });
        var rules = new CfnFirewallRuleGroup(this, "DnsFirewall", new CfnFirewallRuleGroupProps
        {
            Name = $"{env.Names.Prefix}-egress",
            FirewallRules = new object[]
            {
                new CfnFirewallRuleGroup.FirewallRuleProperty { FirewallDomainListId = allowed.AttrId, Priority = 100, Action = "ALLOW" },
                new CfnFirewallRuleGroup.FirewallRuleProperty
                {
                    FirewallDomainListId = everything.AttrId,
                    Priority = 200,
                    Action = "BLOCK",
                    BlockResponse = "NXDOMAIN",
                },
            },
        });
        _ = new CfnFirewallRuleGroupAssociation(this, "DnsFirewallAssociation", new CfnFirewallRuleGroupAssociationProps
        {
            Name = $"{env.Names.Prefix}-egress",
            FirewallRuleGroupId = rules.AttrId,
            VpcId = Vpc.VpcId,
            Priority = 101,
            MutationProtection = env.Config.IsProduction ? "ENABLED" : "DISABLED",
        });
    }

    private SecurityGroup NewGroup(string id, string description) => new(this, id, new SecurityGroupProps
    {
        Vpc = Vpc,
        Description = description,
        AllowAllOutbound = false,
    });
}
