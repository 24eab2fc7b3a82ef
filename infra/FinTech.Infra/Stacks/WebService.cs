using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SNS;
using Constructs;
using FinTech.Portal.Platform.Catalogue;
using Ecs = Amazon.CDK.AWS.ECS;
using Elb = Amazon.CDK.AWS.ElasticLoadBalancingV2;

namespace FinTech.Infra.Stacks;

public sealed class WebServiceProps
{
    public required EnvironmentContext Env { get; init; }

    /// <summary>Short name: <c>portal</c>, <c>api</c>. Names the repository, roles, log group and service.</summary>
    public required string ServiceKey { get; init; }
    public required ServiceSizing Sizing { get; init; }
    public required string ImageTag { get; init; }
    public required IRepository Repository { get; init; }
    public required IKey LogsKey { get; init; }

    /// <summary>The key of the secrets the execution role injects.</summary>
    public required IKey SecretsKey { get; init; }
    public required Ecs.ICluster Cluster { get; init; }
    public required Amazon.CDK.AWS.EC2.ISecurityGroup SecurityGroup { get; init; }
    public required Elb.ApplicationListener Listener { get; init; }
    public required int RulePriority { get; init; }
    public required Elb.ListenerCondition[] Conditions { get; init; }
    public required ITopic AlarmTopic { get; init; }
    public required Dictionary<string, string> Environment { get; init; }
    public required Dictionary<string, Ecs.Secret> Secrets { get; init; }
}

/// <summary>
/// One ASP.NET service on Fargate behind the ALB: its image from ECR, task and execution roles, JSON logs in a
/// KMS-encrypted log group, a target group checking <c>/healthz</c> with sticky sessions (Blazor Server circuits),
/// CPU and request-count autoscaling, a deployment circuit breaker with rollback on failure or on alarm, and the
/// service's alarms of the platform catalogue.
/// </summary>
public sealed class WebService : Construct
{
    public Role TaskRole { get; }
    public Role ExecutionRole { get; }
    public LogGroup LogGroup { get; }
    public Elb.ApplicationTargetGroup TargetGroup { get; }
    public Ecs.FargateService Service { get; }

    /// <summary>The service's container (for settings that name this construct's own resources, e.g. its target group).</summary>
    public Ecs.ContainerDefinition Container { get; }

    /// <summary>The service's alarms of the platform catalogue (<see cref="PlatformCatalogue.ServiceAlarms"/>): unhealthy targets, CPU and memory saturation, deployments.</summary>
    public IReadOnlyList<CfnAlarm> Alarms { get; }

    /// <summary>The <c>app</c> user of the .NET runtime images (<c>$APP_UID</c>): tasks never run as root.</summary>
    public const string ContainerUser = "1654";

    /// <summary>The only writable paths of the read-only root filesystem (ephemeral task storage).</summary>
    public static readonly IReadOnlyDictionary<string, string> WritablePaths = new Dictionary<string, string>
    {
        ["tmp"] = "/tmp",
        ["app-data"] = "/app/App_Data",
    };

    /// <summary>A secret of another stack by ARN, so that the secret's stack never names this stack's roles.</summary>
    public static ISecret Imported(Construct scope, ISecret secret, string id) => Secret.FromSecretCompleteArn(scope, id, secret.SecretArn);

    public WebService(Construct scope, string id, WebServiceProps props)
        : base(scope, id)
    {
        var names = props.Env.Names;
        var config = props.Env.Config;
        var key = props.ServiceKey;

        LogGroup = new LogGroup(this, "Logs", new LogGroupProps
        {
            LogGroupName = names.LogGroup(key),
            Retention = Retention.Days(config.LogRetentionDays),
            EncryptionKey = props.LogsKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });

        TaskRole = new Role(this, "TaskRole", new RoleProps
        {
            RoleName = names.TaskRole(key),
            Description = $"FinTech {key} task role ({props.Env.Key})",
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
        });
        ExecutionRole = new Role(this, "ExecutionRole", new RoleProps
        {
            RoleName = names.ExecutionRole(key),
            Description = $"FinTech {key} task execution role ({props.Env.Key}): image pull, logs, secrets injection",
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
        });

        var taskDefinition = new Ecs.FargateTaskDefinition(this, "Task", new Ecs.FargateTaskDefinitionProps
        {
            Family = names.Service(key),
            Cpu = props.Sizing.Cpu,
            MemoryLimitMiB = props.Sizing.MemoryMiB,
            TaskRole = TaskRole,
            ExecutionRole = ExecutionRole,
            RuntimePlatform = new Ecs.RuntimePlatform
            {
                CpuArchitecture = Ecs.CpuArchitecture.X86_64,
                OperatingSystemFamily = Ecs.OperatingSystemFamily.LINUX,
            },
        });
        foreach (var (volume, _) in WritablePaths)
        {
            taskDefinition.AddVolume(new Ecs.Volume { Name = volume });
        }

        var container = Container = taskDefinition.AddContainer(key, new Ecs.ContainerDefinitionOptions
        {
            // PCI DSS 2.2: no writes to the image, no root. The writable paths are ephemeral volumes.
            ReadonlyRootFilesystem = true,
            User = ContainerUser,
            Image = Ecs.ContainerImage.FromEcrRepository(props.Repository, props.ImageTag),
            Essential = true,
            PortMappings = [new Ecs.PortMapping { ContainerPort = NetworkStack.ServicePort, Name = "http" }],
            Environment = props.Environment,
            Secrets = props.Secrets,
            Logging = Ecs.LogDriver.AwsLogs(new Ecs.AwsLogDriverProps
            {
                LogGroup = LogGroup,
                StreamPrefix = key,
                Mode = Ecs.AwsLogDriverMode.NON_BLOCKING,
            }),
            // Same probe as the image's HEALTHCHECK (the image installs curl for it).
            HealthCheck = new Ecs.HealthCheck
            {
                Command = ["CMD-SHELL", $"curl -fsS http://localhost:{NetworkStack.ServicePort}/healthz || exit 1"],
                Interval = Duration.Seconds(30),
                Timeout = Duration.Seconds(5),
                Retries = 3,
                StartPeriod = Duration.Seconds(60),
            },
        });
        container.AddMountPoints([.. WritablePaths.Select(p => new Ecs.MountPoint { SourceVolume = p.Key, ContainerPath = p.Value, ReadOnly = false })]);
        ExecutionRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "DecryptInjectedSecrets",
            Actions = ["kms:Decrypt"],
            Resources = [props.SecretsKey.KeyArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"secretsmanager.{config.Region}.amazonaws.com" },
            },
        }));

        TargetGroup = new Elb.ApplicationTargetGroup(this, "TargetGroup", new Elb.ApplicationTargetGroupProps
        {
            Vpc = props.Cluster.Vpc,
            Port = NetworkStack.ServicePort,
            Protocol = Elb.ApplicationProtocol.HTTP,
            TargetType = Elb.TargetType.IP,
            DeregistrationDelay = Duration.Seconds(30),
            // Blazor Server circuits live in one task: keep a browser on the task that holds its circuit.
            StickinessCookieDuration = Duration.Hours(8),
            HealthCheck = new Elb.HealthCheck
            {
                Path = "/healthz",
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(15),
                Timeout = Duration.Seconds(5),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
            },
        });
        _ = new Elb.ApplicationListenerRule(this, "ListenerRule", new Elb.ApplicationListenerRuleProps
        {
            Listener = props.Listener,
            Priority = props.RulePriority,
            Conditions = props.Conditions,
            Action = Elb.ListenerAction.Forward([TargetGroup]),
        });

        // The service's alarms of the catalogue; ECS rolls a deployment back when a deployment alarm fires while it runs.
        Alarms = CatalogueAlarms.Create(this, PlatformCatalogue.ServiceAlarms(key), names, props.AlarmTopic, placeholder => placeholder switch
        {
            // The load balancer's own attribute (the target group's first load balancer would be derived from the listener's ARN).
            "LoadBalancer" => props.Listener.LoadBalancer is Elb.ApplicationLoadBalancer loadBalancer
                ? loadBalancer.LoadBalancerFullName
                : throw new InvalidOperationException("The listener's load balancer must be the ApplicationLoadBalancer of the Compute stack."),
            "ApiTargetGroup" when key == PlatformCatalogue.ApiServiceKey => TargetGroup.TargetGroupFullName,
            "PortalTargetGroup" when key == PlatformCatalogue.PortalServiceKey => TargetGroup.TargetGroupFullName,
            "EcsCluster" => names.Cluster,
            "ApiService" when key == PlatformCatalogue.ApiServiceKey => names.Service(key),
            "PortalService" when key == PlatformCatalogue.PortalServiceKey => names.Service(key),
            _ => throw new InvalidOperationException($"The {key} service has no value for the catalogue placeholder {{{placeholder}}}."),
        });
        var deploymentAlarms = PlatformCatalogue.ServiceAlarms(key).Zip(Alarms).Where(pair => pair.First.RollsBackDeployments).Select(pair => pair.Second).ToList();

        Service = new Ecs.FargateService(this, "Service", new Ecs.FargateServiceProps
        {
            ServiceName = names.Service(key),
            Cluster = props.Cluster,
            TaskDefinition = taskDefinition,
            DesiredCount = props.Sizing.DesiredCount,
            AssignPublicIp = false,
            VpcSubnets = NetworkStack.App,
            SecurityGroups = [props.SecurityGroup],
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            HealthCheckGracePeriod = Duration.Seconds(60),
            CircuitBreaker = new Ecs.DeploymentCircuitBreaker { Enable = true, Rollback = true },
            DeploymentAlarms = new Ecs.DeploymentAlarmConfig
            {
                // Ref of an alarm is its name: the service waits for its alarms.
                AlarmNames = deploymentAlarms.Select(a => a.Ref).ToArray(),
                Behavior = Ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
            },
            PlatformVersion = Ecs.FargatePlatformVersion.LATEST,
            EnableExecuteCommand = false,
            PropagateTags = Ecs.PropagatedTagSource.SERVICE,
        });
        Service.AttachToApplicationTargetGroup(TargetGroup);

        var scaling = Service.AutoScaleTaskCount(new Amazon.CDK.AWS.ApplicationAutoScaling.EnableScalingProps
        {
            MinCapacity = props.Sizing.MinCount,
            MaxCapacity = props.Sizing.MaxCount,
        });
        scaling.ScaleOnCpuUtilization("Cpu", new Ecs.CpuUtilizationScalingProps
        {
            TargetUtilizationPercent = 60,
            ScaleInCooldown = Duration.Minutes(5),
            ScaleOutCooldown = Duration.Minutes(1),
        });
        scaling.ScaleOnRequestCount("Requests", new Ecs.RequestCountScalingProps
        {
            RequestsPerTarget = 600,
            TargetGroup = TargetGroup,
            ScaleInCooldown = Duration.Minutes(5),
            ScaleOutCooldown = Duration.Minutes(1),
        });
    }
}
