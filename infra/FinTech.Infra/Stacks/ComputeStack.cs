using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Constructs;
using Ecs = Amazon.CDK.AWS.ECS;
using Elb = Amazon.CDK.AWS.ElasticLoadBalancingV2;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The ECS cluster, the internal ALB (reached only by CloudFront through its VPC origin) and the platform's API
/// service. The portal runs in its own stack (<see cref="PortalStack"/>) so that a portal that fails to start rolls
/// back alone and never takes the ALB or the API with it.
/// </summary>
public sealed class ComputeStack : Stack
{
    public Ecs.Cluster Cluster { get; }
    public Elb.ApplicationLoadBalancer LoadBalancer { get; }
    public Elb.ApplicationListener Listener { get; }
    public WebService Api { get; }
    public LogGroup AuditAnchors { get; }

    public ComputeStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, NetworkStack network,
        DataStack data, StorageStack storage, RegistryStack registry, IStackProps props)
        : base(scope, id, props)
    {
        var config = env.Config;
        var names = env.Names;

        Cluster = new Ecs.Cluster(this, "Cluster", new Ecs.ClusterProps
        {
            ClusterName = names.Cluster,
            Vpc = network.Vpc,
            ContainerInsights = true,
        });

        LoadBalancer = new Elb.ApplicationLoadBalancer(this, "Alb", new Elb.ApplicationLoadBalancerProps
        {
            LoadBalancerName = names.Service("alb"),
            Vpc = network.Vpc,
            // Internal: no public address at all. CloudFront reaches it through its VPC origin (Edge stack).
            InternetFacing = false,
            VpcSubnets = NetworkStack.App,
            SecurityGroup = network.AlbSecurityGroup,
            DropInvalidHeaderFields = true,
            DeletionProtection = true,
        });
        LoadBalancer.LogAccessLogs(storage.AccessLogs, "alb");
        Listener = LoadBalancer.AddListener("Https", new Elb.BaseApplicationListenerProps
        {
            Port = 443,
            Protocol = Elb.ApplicationProtocol.HTTPS,
            Certificates = [Elb.ListenerCertificate.FromArn(config.AlbCertificateArn)],
            SslPolicy = Elb.SslPolicy.RECOMMENDED_TLS,
            Open = false,
            // Nothing is served until a service's rule matches (the API on /api/*, the portal on the rest).
            DefaultAction = Elb.ListenerAction.FixedResponse(503, new Elb.FixedResponseOptions
            {
                ContentType = "text/plain",
                MessageBody = "Service unavailable",
            }),
        });

        AuditAnchors = new LogGroup(this, "AuditAnchors", new LogGroupProps
        {
            LogGroupName = names.AuditAnchorLogGroup,
            Retention = Retention.Days(config.AuditLogRetentionDays),
            EncryptionKey = security.LogsKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        _ = new LogStream(this, "AuditAnchorStream", new LogStreamProps
        {
            LogGroup = AuditAnchors,
            LogStreamName = "portal",
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        // The platform's API service, on /api/*.
        Api = new WebService(this, "Api", new WebServiceProps
        {
            Env = env,
            ServiceKey = "api",
            Sizing = config.Api,
            ImageTag = config.ApiImageTag,
            Repository = registry.Repositories["api"],
            LogsKey = security.LogsKey,
            SecretsKey = security.SecretsKey,
            Cluster = Cluster,
            SecurityGroup = network.ApiSecurityGroup,
            Listener = Listener,
            RulePriority = 10,
            Conditions = [Elb.ListenerCondition.PathPatterns(["/api/*"])],
            AlarmTopic = security.AlarmTopic,
            Environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Database__Host"] = data.Aurora.AttrEndpointAddress,
                ["Database__ReaderHost"] = data.Aurora.AttrReadEndpointAddress,
                ["Redis__Host"] = data.Redis.AttrPrimaryEndPointAddress,
                ["Redis__Port"] = data.Redis.AttrPrimaryEndPointPort,
                ["Redis__Ssl"] = "true",
                ["Sessions__Table"] = data.SessionTable.TableName,
            },
            Secrets = new Dictionary<string, Ecs.Secret>
            {
                ["Redis__Password"] = Ecs.Secret.FromSecretsManager(WebService.Imported(this, security.RedisAuthToken, "RedisAuthToken")),
                ["ExternalApis__Keys"] = Ecs.Secret.FromSecretsManager(WebService.Imported(this, security.ExternalApiKeys, "ExternalApiKeys")),
            },
        });
        data.SessionTable.GrantReadWriteData(Api.TaskRole);
        // IAM database authentication for the API's database user.
        Api.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["rds-db:connect"],
            Resources = [$"arn:{Partition}:rds-db:{config.Region}:{config.Account}:dbuser:{data.Aurora.AttrDbClusterResourceId}/api"],
        }));
    }
}
