using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using Ecs = Amazon.CDK.AWS.ECS;
using Elb = Amazon.CDK.AWS.ElasticLoadBalancingV2;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The ECS cluster, the ALB (reachable only from CloudFront) and the Fargate services:
/// the portal and the platform's API service, both built by <see cref="WebService"/>.
/// </summary>
public sealed class ComputeStack : Stack
{
    public Ecs.Cluster Cluster { get; }
    public Elb.ApplicationLoadBalancer LoadBalancer { get; }
    public Elb.ApplicationListener Listener { get; }
    public WebService Portal { get; }
    public WebService Api { get; }
    public Role PortalTaskRole => Portal.TaskRole;
    public LogGroup AuditAnchors { get; }

    public ComputeStack(Construct scope, string id, EnvironmentContext env, PortalAwsActions actions,
        SecurityStack security, NetworkStack network, DataStack data, RegistryStack registry, IStackProps props)
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
            // Internet-facing so CloudFront can reach it, but its security group admits only CloudFront's
            // origin-facing prefix list, and the listener forwards only requests with the origin secret header.
            InternetFacing = true,
            VpcSubnets = NetworkStack.Public,
            SecurityGroup = network.AlbSecurityGroup,
            DropInvalidHeaderFields = true,
        });
        Listener = LoadBalancer.AddListener("Https", new Elb.BaseApplicationListenerProps
        {
            Port = 443,
            Protocol = Elb.ApplicationProtocol.HTTPS,
            Certificates = [Elb.ListenerCertificate.FromArn(config.AlbCertificateArn)],
            SslPolicy = Elb.SslPolicy.RECOMMENDED_TLS,
            Open = false,
            DefaultAction = Elb.ListenerAction.FixedResponse(403, new Elb.FixedResponseOptions
            {
                ContentType = "text/plain",
                MessageBody = "Forbidden",
            }),
        });

        var originSecret = security.OriginVerify.SecretValue.UnsafeUnwrap();

        // Secrets are injected by the execution role. They are referenced by ARN and the KMS decrypt is granted
        // here (via Secrets Manager only), so the security stack's key policy never names this stack's roles.
        ISecret Imported(Secret secret, string id) => Secret.FromSecretCompleteArn(this, id, secret.SecretArn);
        var logGroupKey = security.LogsKey;

        AuditAnchors = new LogGroup(this, "AuditAnchors", new LogGroupProps
        {
            LogGroupName = names.AuditAnchorLogGroup,
            Retention = Retention.Days(config.AuditLogRetentionDays),
            EncryptionKey = logGroupKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        _ = new LogStream(this, "AuditAnchorStream", new LogStreamProps
        {
            LogGroup = AuditAnchors,
            LogStreamName = "portal",
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        // The platform's API service: its own slot with the same pattern, on /api/*.
        Api = new WebService(this, "Api", new WebServiceProps
        {
            Env = env,
            ServiceKey = "api",
            Sizing = config.Api,
            ImageTag = config.ApiImageTag,
            Repository = registry.Repositories["api"],
            LogsKey = logGroupKey,
            Cluster = Cluster,
            SecurityGroup = network.ApiSecurityGroup,
            Listener = Listener,
            RulePriority = 10,
            Conditions =
            [
                Elb.ListenerCondition.HttpHeader(SecurityStack.OriginVerifyHeader, [originSecret]),
                Elb.ListenerCondition.PathPatterns(["/api/*"]),
            ],
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
                ["Redis__Password"] = Ecs.Secret.FromSecretsManager(Imported(security.RedisAuthToken, "RedisAuthToken")),
                ["ExternalApis__Keys"] = Ecs.Secret.FromSecretsManager(Imported(security.ExternalApiKeys, "ExternalApiKeys")),
            },
        });
        data.SessionTable.GrantReadWriteData(Api.TaskRole);
        // IAM database authentication for the API's database user.
        Api.TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["rds-db:connect"],
            Resources = [$"arn:{Partition}:rds-db:{config.Region}:{config.Account}:dbuser:{data.Aurora.AttrDbClusterResourceId}/api"],
        }));

        var portalEnvironment = PortalEnvironment(env, Api);
        Portal = new WebService(this, "Portal", new WebServiceProps
        {
            Env = env,
            ServiceKey = "portal",
            Sizing = config.Portal,
            ImageTag = config.PortalImageTag,
            Repository = registry.Repositories["portal"],
            LogsKey = logGroupKey,
            Cluster = Cluster,
            SecurityGroup = network.PortalSecurityGroup,
            Listener = Listener,
            RulePriority = 20,
            Conditions = [Elb.ListenerCondition.HttpHeader(SecurityStack.OriginVerifyHeader, [originSecret])],
            AlarmTopic = security.AlarmTopic,
            Environment = portalEnvironment,
            Secrets = new Dictionary<string, Ecs.Secret>
            {
                ["Database__ConnectionString"] = Ecs.Secret.FromSecretsManager(Imported(security.PortalDatabase, "PortalDatabase")),
                ["AzureAd__ClientSecret"] = Ecs.Secret.FromSecretsManager(Imported(security.EntraClientSecret, "EntraClientSecret")),
            },
        });

        foreach (var service in new[] { Api, Portal })
        {
            service.ExecutionRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
            {
                Sid = "DecryptInjectedSecrets",
                Actions = ["kms:Decrypt"],
                Resources = [security.SecretsKey.KeyArn],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"secretsmanager.{config.Region}.amazonaws.com" },
                },
            }));
        }

        // Least privilege: exactly the actions of infra/portal-aws-actions.json, scoped as that file says.
        _ = new Policy(this, "PortalTaskPolicy", new PolicyProps
        {
            PolicyName = $"{names.Prefix}-portal-aws-backend",
            Roles = [Portal.TaskRole],
            Statements = PortalPolicy.Statements(actions, Partition, env, forTaskRole: true),
        });
    }

    /// <summary>The portal's configuration keys (FinTech.Portal's options), as container environment.</summary>
    private Dictionary<string, string> PortalEnvironment(EnvironmentContext env, WebService platformService)
    {
        var config = env.Config;
        var names = env.Names;
        var prefix = $"Platform__Environments__{env.Key}__";
        var resources = $"{prefix}Resources__";
        var variables = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_HTTP_PORTS"] = NetworkStack.ServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__Console__FormatterName"] = "json",
            ["Platform__DefaultEnvironment"] = env.Key,
            [$"{prefix}DisplayName"] = config.DisplayName,
            [$"{prefix}Backend"] = "Aws",
            [$"{prefix}IsProduction"] = config.IsProduction ? "true" : "false",
            [$"{prefix}Aws__AccountId"] = config.Account,
            [$"{prefix}Aws__Region"] = config.Region,
            [$"{prefix}Aws__RoleArn"] = $"arn:{Partition}:iam::{config.Account}:role/{names.PortalAccessRole}",
            [$"{resources}LoadBalancer"] = LoadBalancer.LoadBalancerFullName,
            [$"{resources}TargetGroup"] = platformService.TargetGroup.TargetGroupFullName,
            [$"{resources}AlarmNamePrefix"] = names.Alarm(""),
            [$"{resources}EcsCluster"] = names.Cluster,
            [$"{resources}EcsService"] = names.Service("api"),
            [$"{resources}AuroraCluster"] = names.AuroraCluster,
            [$"{resources}AuroraInstances__0"] = names.AuroraInstance(0),
            [$"{resources}AuroraInstances__1"] = names.AuroraInstance(1),
            [$"{resources}RedisReplicationGroup"] = names.RedisReplicationGroup,
            [$"{resources}RedisNodes__0"] = names.RedisNode(0),
            [$"{resources}RedisNodes__1"] = names.RedisNode(1),
            [$"{resources}SessionTable"] = names.SessionTable,
            ["Database__Provider"] = "PostgreSql",
            ["Identity__Mode"] = "EntraId",
            ["AzureAd__Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd__TenantId"] = config.EntraTenantId,
            ["AzureAd__ClientId"] = config.EntraClientId,
            ["AzureAd__CallbackPath"] = "/signin-oidc",
            // X-Forwarded-For arrives as "viewer, CloudFront edge": CloudFront adds the viewer, the ALB
            // adds the edge. Edge addresses are not a range the portal can list, but nothing else can
            // reach a task (its security group admits only the ALB, the ALB only CloudFront's prefix
            // list with the origin secret), so both hops are trusted and the audit trail records the viewer.
            ["Hosting__TrustedProxyNetworks__0"] = "0.0.0.0/0",
            ["Hosting__ForwardLimit"] = "2",
            ["Audit__AnchorSink"] = "CloudWatchLogs",
            ["Audit__AnchorLogGroup"] = names.AuditAnchorLogGroup,
        };
        if (!string.IsNullOrWhiteSpace(config.ViewerDomainName))
        {
            // CloudFront sends no X-Forwarded-Host and the origin request policy keeps the ALB's Host,
            // so the portal learns its public address (for the Entra redirect URIs) from here.
            variables["Hosting__PublicOrigin"] = $"https://{config.ViewerDomainName}";
        }
        return variables;
    }
}
