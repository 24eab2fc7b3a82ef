using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using FinTech.Portal.Platform.Catalogue;
using Ecs = Amazon.CDK.AWS.ECS;
using Elb = Amazon.CDK.AWS.ElasticLoadBalancingV2;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The portal's Fargate service, in a stack of its own: a portal that cannot start (a bad image, a missing
/// setting) fails and rolls back this stack only, while the ALB, the API and the data stay up. It reaches the
/// database with the fields of the RDS-managed secret (no hand-made connection string) and holds one permission of
/// its own, assuming the environment's access role (<see cref="PortalAccessStack"/>) for everything else.
/// </summary>
public sealed class PortalStack : Stack
{
    public WebService Portal { get; }
    public Role TaskRole => Portal.TaskRole;

    /// <summary>The write-probe canary (same image, canary only), here because it reads the same secrets and restarts with the portal.</summary>
    public WriteProbeService WriteProbe { get; }

    public PortalStack(Construct scope, string id, EnvironmentContext env, PortalAwsActions actions, SecurityStack security,
        NetworkStack network, DataStack data, ComputeStack compute, RegistryStack registry, EdgeStack edge, IStackProps props)
        : base(scope, id, props)
    {
        var config = env.Config;
        var masterSecret = Secret.FromSecretCompleteArn(this, "AuroraMasterSecret", data.MasterSecretArn);
        Portal = new WebService(this, "Portal", new WebServiceProps
        {
            Env = env,
            ServiceKey = "portal",
            Sizing = config.Portal,
            ImageTag = config.PortalImageTag,
            Repository = registry.Repositories["portal"],
            LogsKey = security.LogsKey,
            SecretsKey = security.SecretsKey,
            Cluster = compute.Cluster,
            SecurityGroup = network.PortalSecurityGroup,
            Listener = compute.Listener,
            RulePriority = 20,
            Conditions = [Elb.ListenerCondition.PathPatterns(["/*"])],
            AlarmTopic = security.AlarmTopic,
            Environment = PortalEnvironment(env, compute, data, edge),
            Secrets = new Dictionary<string, Ecs.Secret>
            {
                // Npgsql reads PGUSER and PGPASSWORD when the connection string names neither: the connection string
                // (Database__ConnectionString) carries only the endpoint, the credentials come from the managed secret.
                ["PGUSER"] = Ecs.Secret.FromSecretsManager(masterSecret, "username"),
                ["PGPASSWORD"] = Ecs.Secret.FromSecretsManager(masterSecret, "password"),
                ["AzureAd__ClientSecret"] = Ecs.Secret.FromSecretsManager(WebService.Imported(this, security.EntraClientSecret, "EntraClientSecret")),
            },
        });

        // The portal's own target group (its alarms name it) exists only once the service does.
        Portal.Container.AddEnvironment($"Platform__Environments__{env.Key}__Resources__PortalTargetGroup", Portal.TargetGroup.TargetGroupFullName);

        WriteProbe = new WriteProbeService(this, "WriteProbe", env, security, network, data, compute, registry);

        RestartOnRotation(env, data);

        // Least privilege: the task role may only assume the access role (and write the audit anchors); every
        // platform action of infra/portal-aws-actions.json is granted to the access role.
        _ = new Policy(this, "PortalTaskPolicy", new PolicyProps
        {
            PolicyName = $"{env.Names.Prefix}-portal-task",
            Roles = [Portal.TaskRole],
            Statements = PortalPolicy.Statements(actions, Partition, env, PortalPolicy.Role.Task),
        });
    }

    /// <summary>
    /// RDS rotates the managed master secret every 7 days; ECS injects its fields when a task starts. When a rotation
    /// succeeds, EventBridge starts an SSM Automation that forces a new deployment of the portal, so that new tasks
    /// carry the new password and replace the old ones (no Lambda: the automation calls ECS itself).
    /// </summary>
    private void RestartOnRotation(EnvironmentContext env, DataStack data)
    {
        var names = env.Names;
        var config = env.Config;
        var documentName = $"{names.Prefix}-restart-portal";
        // The portal and the write-probe canary both read the managed secret's fields when a task starts.
        string[] services = [names.Service("portal"), names.Service(WriteProbeService.ServiceKey)];

        var automationRole = new Role(this, "RestartAutomationRole", new RoleProps
        {
            RoleName = $"{names.Prefix}-restart-portal-automation",
            Description = "SSM Automation: forces a new deployment of the portal and the write probe after the database secret rotates",
            AssumedBy = new ServicePrincipal("ssm.amazonaws.com"),
        });
        automationRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ecs:UpdateService"],
            Resources = [.. services.Select(service => $"arn:{Partition}:ecs:{config.Region}:{config.Account}:service/{names.Cluster}/{service}")],
        }));

        _ = new Amazon.CDK.AWS.SSM.CfnDocument(this, "RestartPortal", new Amazon.CDK.AWS.SSM.CfnDocumentProps
        {
            Name = documentName,
            DocumentType = "Automation",
            Content = new Dictionary<string, object>
            {
                ["schemaVersion"] = "0.3",
                ["description"] = "Force a new deployment of the portal and the write probe so that their tasks read the rotated database secret.",
                ["assumeRole"] = "{{ AutomationAssumeRole }}",
                ["parameters"] = new Dictionary<string, object>
                {
                    ["AutomationAssumeRole"] = new Dictionary<string, object> { ["type"] = "String" },
                },
                ["mainSteps"] = services.Select(service => (object)new Dictionary<string, object>
                {
                    ["name"] = "ForceNewDeployment" + string.Concat(service[(names.Prefix.Length + 1)..].Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
                    ["action"] = "aws:executeAwsApi",
                    ["inputs"] = new Dictionary<string, object>
                    {
                        ["Service"] = "ecs",
                        ["Api"] = "UpdateService",
                        ["cluster"] = names.Cluster,
                        ["service"] = service,
                        ["forceNewDeployment"] = true,
                    },
                }).ToArray(),
            },
        });

        var automationDefinition = $"arn:{Partition}:ssm:{config.Region}:{config.Account}:automation-definition/{documentName}";
        var eventsRole = new Role(this, "RestartRuleRole", new RoleProps
        {
            Description = "EventBridge: starts the portal restart automation",
            AssumedBy = new ServicePrincipal("events.amazonaws.com"),
        });
        eventsRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["ssm:StartAutomationExecution"],
            Resources = [$"{automationDefinition}:*"],
        }));
        eventsRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["iam:PassRole"],
            Resources = [automationRole.RoleArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["iam:PassedToService"] = "ssm.amazonaws.com" },
            },
        }));

        _ = new Amazon.CDK.AWS.Events.CfnRule(this, "RestartOnRotation", new Amazon.CDK.AWS.Events.CfnRuleProps
        {
            Name = names.Alarm("portal-database-secret-rotated"),
            Description = "The Aurora master secret rotated: restart the portal so that it reads the new password",
            EventPattern = new Dictionary<string, object>
            {
                ["source"] = new[] { "aws.secretsmanager" },
                ["detail-type"] = new[] { "AWS Service Event via CloudTrail" },
                ["detail"] = new Dictionary<string, object>
                {
                    ["eventName"] = new[] { "RotationSucceeded" },
                    ["additionalEventData"] = new Dictionary<string, object> { ["SecretId"] = new[] { data.MasterSecretArn } },
                },
            },
            Targets = new object[]
            {
                new Amazon.CDK.AWS.Events.CfnRule.TargetProperty
                {
                    Id = "RestartPortal",
                    Arn = $"{automationDefinition}:$DEFAULT",
                    RoleArn = eventsRole.RoleArn,
                    Input = Fn.Sub("{\"AutomationAssumeRole\":[\"${Role}\"]}", new Dictionary<string, string> { ["Role"] = automationRole.RoleArn }),
                },
            },
        });
    }

    /// <summary>
    /// The name of the RDS-managed secret from its ARN: <c>arn:…:secret:rds!cluster-UUID-XXXXXX</c> → <c>rds!cluster-UUID</c>
    /// (the 7th field of the ARN, less the last of its dash-separated parts).
    /// </summary>
    private static string ManagedSecretName(string secretArn)
    {
        var parts = Fn.Split("-", Fn.Select(6, Fn.Split(":", secretArn)));
        return Fn.Join("-", [.. Enumerable.Range(0, 6).Select(i => Fn.Select(i, parts))]);
    }

    /// <summary>The portal's configuration keys (FinTech.Portal's options), as container environment.</summary>
    private Dictionary<string, string> PortalEnvironment(EnvironmentContext env, ComputeStack compute, DataStack data, EdgeStack edge)
    {
        var config = env.Config;
        var names = env.Names;
        var prefix = $"Platform__Environments__{env.Key}__";
        var resources = $"{prefix}Resources__";
        return new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_HTTP_PORTS"] = NetworkStack.ServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The root filesystem is read-only: no diagnostics IPC sockets in /tmp.
            ["DOTNET_EnableDiagnostics"] = "0",
            ["Logging__Console__FormatterName"] = "json",
            ["Platform__DefaultEnvironment"] = env.Key,
            [$"{prefix}DisplayName"] = config.DisplayName,
            [$"{prefix}Backend"] = "Aws",
            [$"{prefix}IsProduction"] = config.IsProduction ? "true" : "false",
            [$"{prefix}Aws__AccountId"] = config.Account,
            [$"{prefix}Aws__Region"] = config.Region,
            [$"{prefix}Aws__RoleArn"] = $"arn:{Partition}:iam::{config.Account}:role/{names.PortalAccessRole}",
            [$"{resources}LoadBalancer"] = compute.LoadBalancer.LoadBalancerFullName,
            [$"{resources}TargetGroup"] = compute.Api.TargetGroup.TargetGroupFullName,
            [$"{resources}AlarmNamePrefix"] = names.Alarm(""),
            [$"{resources}EcsCluster"] = names.Cluster,
            [$"{resources}EcsService"] = names.Service("api"),
            // The portal's own service: its CPU, memory and deployment alarms are the catalogue's too.
            [$"{resources}PortalService"] = names.Service("portal"),
            [$"{resources}AuroraCluster"] = names.AuroraCluster,
            // The class the Data stack deploys: the portal's Sandbox-equal alarm sizes (aurora-connections) follow it.
            [$"{resources}AuroraInstanceClass"] = config.AuroraInstanceClass,
            [$"{resources}AuroraInstances__0"] = names.AuroraInstance(0),
            [$"{resources}AuroraInstances__1"] = names.AuroraInstance(1),
            [$"{resources}RedisReplicationGroup"] = names.RedisReplicationGroup,
            [$"{resources}RedisNodes__0"] = names.RedisNode(0),
            [$"{resources}RedisNodes__1"] = names.RedisNode(1),
            [$"{resources}SessionTable"] = names.SessionTable,
            // Secrets by name (what ListSecrets returns and rotations target). RDS names its managed secret
            // rds!cluster-UUID; the ARN adds "-" and six random characters, which the name leaves out.
            [$"{resources}AuroraCredentialsSecret"] = ManagedSecretName(data.MasterSecretArn),
            [$"{resources}RedisAuthTokenSecret"] = names.Secret(PlatformCatalogue.SecretKeys.RedisAuthToken),
            // Rotation is offered where it works: RDS rotates its managed secret itself; the other secrets have no
            // rotation function yet (infra/README.md), so RotateSecret would fail on them.
            [$"{resources}Secrets__0"] = ManagedSecretName(data.MasterSecretArn),
            // What the API's task definition injects (ComputeStack): a rotation of one locks the API's deployments.
            [$"{resources}ApiServiceSecrets__0"] = names.Secret(PlatformCatalogue.SecretKeys.RedisAuthToken),
            [$"{resources}ApiServiceSecrets__1"] = names.Secret(PlatformCatalogue.SecretKeys.ExternalApiKeys),
            ["Database__Provider"] = "PostgreSql",
            // The writer endpoint follows failovers. TLS is required (rds.force_ssl); the credentials are PGUSER/PGPASSWORD.
            ["Database__ConnectionString"] =
                $"Host={data.Aurora.AttrEndpointAddress};Port={NetworkStack.PostgresPort};Database={DataStack.PortalDatabaseName};SSL Mode=Require",
            ["Identity__Mode"] = "EntraId",
            ["AzureAd__Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd__TenantId"] = config.EntraTenantId,
            ["AzureAd__ClientId"] = config.EntraClientId,
            ["AzureAd__CallbackPath"] = "/signin-oidc",
            // X-Forwarded-For arrives as "viewer, VPC origin ENI": CloudFront adds the viewer, the internal ALB adds the
            // CloudFront VPC origin's address in this VPC, and the task sees the ALB's. Every hop is inside the VPC.
            ["Hosting__TrustedProxyNetworks__0"] = config.VpcCidr,
            ["Hosting__ForwardLimit"] = "2",
            // CloudFront keeps the ALB's Host, so the portal learns its public address (Entra redirect URIs) here:
            // the viewer domain, or the distribution's own name where there is none.
            ["Hosting__PublicOrigin"] = $"https://{(config.HasViewerDomain ? config.ViewerDomainName : edge.Distribution.DistributionDomainName)}",
        }
        .Concat(AuditAnchorEnvironment(env))
        .ToDictionary();
    }

    /// <summary>
    /// <c>Audit:*</c> for the environment's anchor sink (cdk.json <c>auditAnchorSink</c>). S3 is the default: COMPLIANCE
    /// Object Lock means nobody, the account's root included, removes an anchor before its retention ends, which is what
    /// PCI DSS 10.3 asks of the trail's integrity evidence. CloudWatchLogs is the lighter choice (events cannot be
    /// edited, but an administrator can delete the log group) for environments without that requirement.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> AuditAnchorEnvironment(EnvironmentContext env)
    {
        var config = env.Config;
        yield return new("Audit__AnchorRegion", config.Region);
        switch (config.AuditAnchorSink)
        {
            case "S3":
                yield return new("Audit__AnchorSink", "S3");
                yield return new("Audit__AnchorBucket", env.Names.AuditAnchorBucket(config.Account));
                yield return new("Audit__AnchorRetentionDays", config.AuditObjectLockDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "CloudWatchLogs":
                yield return new("Audit__AnchorSink", "CloudWatchLogs");
                yield return new("Audit__AnchorLogGroup", env.Names.AuditAnchorLogGroup);
                break;
            default:
                throw new InvalidOperationException(
                    $"Environment '{env.Key}': auditAnchorSink in cdk.json must be S3 or CloudWatchLogs, got '{config.AuditAnchorSink}'.");
        }
    }
}
