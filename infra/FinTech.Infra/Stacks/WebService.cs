using FinTech.Portal.Platform.Catalogue;
using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.ECR;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SNS;
using Constructs;
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
/// CPU and request-count autoscaling, and a deployment circuit breaker with rollback on failure or on alarm.
/// </summary>
public sealed class WebService : Construct
{
    public Role TaskRole { get; }
    public Role ExecutionRole { get; }
    public LogGroup LogGroup { get; }
    public Elb.ApplicationTargetGroup TargetGroup { get; }
    public Ecs.FargateService Service { get; }
    public IReadOnlyList<Alarm> DeploymentAlarms { get; }

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
        _ = taskDefinition.AddContainer(key, new Ecs.ContainerDefinitionOptions
        {
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

        // Deployment alarms: ECS rolls a deployment back when either fires while it runs.
        DeploymentAlarms = CatalogueAlarms.Create(this, names, PlatformCatalogue.DeploymentAlarms(key), placeholder => placeholder switch
        {
            "LoadBalancer" => TargetGroup.FirstLoadBalancerFullName,
            "ApiTargetGroup" or "PortalTargetGroup" => TargetGroup.TargetGroupFullName,
            _ => throw new InvalidOperationException($"A deployment alarm names a resource of another service: {{{placeholder}}}."),
        }, props.AlarmTopic);

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
                AlarmNames = DeploymentAlarms.Select(a => a.AlarmName).ToArray(),
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
