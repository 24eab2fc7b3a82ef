using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.Logs;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The VPC (public subnets for the ALB only, private "app" subnets for Fargate, private "data" subnets for
/// Aurora and Redis), VPC endpoints for every AWS API the services call, flow logs, and every security group
/// with the rules between them (kept here so that no two stacks reference each other).
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
                // Holds the ALB's ENIs (and NAT gateways only when natGateways > 0); nothing gets a public IP on launch.
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
        Vpc.AddGatewayEndpoint("S3", new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 });
        Vpc.AddGatewayEndpoint("DynamoDb", new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.DYNAMODB });
        var interfaceEndpoints = new Dictionary<string, InterfaceVpcEndpointAwsService>
        {
            ["EcrApi"] = InterfaceVpcEndpointAwsService.ECR,
            ["EcrDocker"] = InterfaceVpcEndpointAwsService.ECR_DOCKER,
            ["SecretsManager"] = InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            ["Logs"] = InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
            ["Monitoring"] = InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
            ["Sts"] = InterfaceVpcEndpointAwsService.STS,
            ["Kms"] = InterfaceVpcEndpointAwsService.KMS,
            ["Ecs"] = InterfaceVpcEndpointAwsService.ECS,
            ["EcsAgent"] = InterfaceVpcEndpointAwsService.ECS_AGENT,
            ["EcsTelemetry"] = InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
            // The portal's Aws backend also calls the RDS and ElastiCache APIs (describe, failover).
            ["Rds"] = InterfaceVpcEndpointAwsService.RDS,
            ["ElastiCache"] = InterfaceVpcEndpointAwsService.ELASTICACHE,
        };
        // One security group for every interface endpoint: HTTPS from inside the VPC only.
        EndpointSecurityGroup = NewGroup("EndpointSecurityGroup", "VPC interface endpoints: HTTPS from the VPC");
        EndpointSecurityGroup.AddIngressRule(Peer.Ipv4(Vpc.VpcCidrBlock), Port.Tcp(443), "HTTPS from the VPC");
        foreach (var (name, service) in interfaceEndpoints)
        {
            _ = Vpc.AddInterfaceEndpoint(name, new InterfaceVpcEndpointOptions
            {
                Service = service,
                Subnets = App,
                PrivateDnsEnabled = true,
                SecurityGroups = [EndpointSecurityGroup],
                Open = false,
            });
        }

        AlbSecurityGroup = NewGroup("AlbSecurityGroup", "ALB: HTTPS from the CloudFront origin-facing prefix list only");
        PortalSecurityGroup = NewGroup("PortalSecurityGroup", "Portal Fargate tasks");
        ApiSecurityGroup = NewGroup("ApiSecurityGroup", "API Fargate tasks");
        AuroraSecurityGroup = NewGroup("AuroraSecurityGroup", "Aurora PostgreSQL");
        RedisSecurityGroup = NewGroup("RedisSecurityGroup", "ElastiCache Redis");

        AlbSecurityGroup.AddIngressRule(Peer.PrefixList(config.CloudFrontPrefixListId), Port.Tcp(443), "CloudFront origin-facing");
        foreach (var service in new[] { PortalSecurityGroup, ApiSecurityGroup })
        {
            AlbSecurityGroup.Connections.AllowTo(service, Port.Tcp(ServicePort), "ALB to tasks");
            service.Connections.AllowTo(AuroraSecurityGroup, Port.Tcp(PostgresPort), "Tasks to Aurora");
            // AWS APIs through the endpoints, S3 through its gateway, and the identity provider (Entra ID).
            service.AddEgressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS to AWS APIs and the identity provider");
        }

        ApiSecurityGroup.Connections.AllowTo(RedisSecurityGroup, Port.Tcp(RedisPort), "API to Redis");
    }

    private SecurityGroup NewGroup(string id, string description) => new(this, id, new SecurityGroupProps
    {
        Vpc = Vpc,
        Description = description,
        AllowAllOutbound = false,
    });
}
