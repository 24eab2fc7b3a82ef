using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.SecretsManager;
using Constructs;
using FinTech.Portal.Platform.Catalogue;
using Ecs = Amazon.CDK.AWS.ECS;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The write-probe canary: one Fargate task of the portal's image started with <c>WriteProbe__CanaryOnly=true</c>, so
/// it runs the canary alone (no web server, no pages, not behind the ALB). Once a second it writes through the Aurora
/// cluster endpoint and the Redis primary endpoint and publishes <c>FinTech/WriteProbe</c> at 1-second resolution, which
/// the portal's failover evidence reads. Its task role may only put metrics into that namespace.
/// </summary>
public sealed class WriteProbeService : Construct
{
    public const string ServiceKey = "write-probe";

    /// <summary>Where the canary records each second it published, on the task's writable <c>/tmp</c> volume.</summary>
    public const string HeartbeatFile = "/tmp/write-probe.heartbeat";

    /// <summary>Where the Dockerfile's final stage puts the portal's binary (<c>WORKDIR /app</c>, the published output).</summary>
    public const string PortalBinary = "/app/FinTech.Portal.dll";

    /// <summary>
    /// The container health check: the portal's binary judges the heartbeat's age (<c>WriteProbeHealthCheck</c>), so it
    /// checks the canary's loop itself, with nothing the image would not otherwise carry. Unhealthy when no second
    /// was published for 30 s, three times 30 s apart: ECS replaces the task.
    /// </summary>
    public static readonly string[] HealthCheckCommand =
        ["CMD", "dotnet", PortalBinary, "--write-probe-health-check", $"--WriteProbe:HeartbeatFile={HeartbeatFile}"];

    public Role TaskRole { get; }
    public Role ExecutionRole { get; }
    public Ecs.FargateService Service { get; }

    public WriteProbeService(Construct scope, string id, EnvironmentContext env, SecurityStack security, NetworkStack network,
        DataStack data, ComputeStack compute, RegistryStack registry)
        : base(scope, id)
    {
        var names = env.Names;
        var config = env.Config;
        var logs = new LogGroup(this, "Logs", new LogGroupProps
        {
            LogGroupName = names.LogGroup(ServiceKey),
            Retention = Retention.Days(config.LogRetentionDays),
            EncryptionKey = security.LogsKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        TaskRole = new Role(this, "TaskRole", new RoleProps
        {
            RoleName = names.TaskRole(ServiceKey),
            Description = $"FinTech write-probe canary task role ({env.Key}): puts FinTech/WriteProbe metrics only",
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
        });
        // PutMetricData has no resource-level permission: the namespace condition is what scopes it.
        TaskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "PutWriteProbeMetrics",
            Actions = ["cloudwatch:PutMetricData"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["cloudwatch:namespace"] = PlatformCatalogue.WriteProbeNamespace },
            },
        }));
        ExecutionRole = new Role(this, "ExecutionRole", new RoleProps
        {
            RoleName = names.ExecutionRole(ServiceKey),
            Description = $"FinTech write-probe canary execution role ({env.Key}): image pull, logs, secrets injection",
            AssumedBy = new ServicePrincipal("ecs-tasks.amazonaws.com"),
        });
        ExecutionRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "DecryptInjectedSecrets",
            Actions = ["kms:Decrypt"],
            Resources = [security.SecretsKey.KeyArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"secretsmanager.{config.Region}.amazonaws.com" },
            },
        }));

        var task = new Ecs.FargateTaskDefinition(this, "Task", new Ecs.FargateTaskDefinitionProps
        {
            Family = names.Service(ServiceKey),
            Cpu = 256,
            MemoryLimitMiB = 512,
            TaskRole = TaskRole,
            ExecutionRole = ExecutionRole,
            RuntimePlatform = new Ecs.RuntimePlatform
            {
                CpuArchitecture = Ecs.CpuArchitecture.X86_64,
                OperatingSystemFamily = Ecs.OperatingSystemFamily.LINUX,
            },
        });
        task.AddVolume(new Ecs.Volume { Name = "tmp" });
        var masterSecret = Secret.FromSecretCompleteArn(this, "AuroraMasterSecret", data.MasterSecretArn);
        var container = task.AddContainer("canary", new Ecs.ContainerDefinitionOptions
        {
            ReadonlyRootFilesystem = true,
            User = WebService.ContainerUser,
            Image = Ecs.ContainerImage.FromEcrRepository(registry.Repositories["portal"], config.PortalImageTag),
            Essential = true,
            Environment = new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["DOTNET_EnableDiagnostics"] = "0",
                ["Logging__Console__FormatterName"] = "json",
                ["WriteProbe__CanaryOnly"] = "true",
                ["WriteProbe__Enabled"] = "true",
                ["WriteProbe__Region"] = config.Region,
                // The cluster (writer) endpoint, TLS required; PGUSER/PGPASSWORD carry the managed secret's fields.
                ["WriteProbe__AuroraConnectionString"] =
                    $"Host={data.Aurora.AttrEndpointAddress};Port={NetworkStack.PostgresPort};Database={DataStack.PortalDatabaseName};SSL Mode=Require;Timeout=2",
                ["WriteProbe__RedisHost"] = data.Redis.AttrPrimaryEndPointAddress,
                ["WriteProbe__RedisPort"] = data.Redis.AttrPrimaryEndPointPort,
                ["WriteProbe__RedisTls"] = "true",
                ["WriteProbe__HeartbeatFile"] = HeartbeatFile,
            },
            Secrets = new Dictionary<string, Ecs.Secret>
            {
                ["PGUSER"] = Ecs.Secret.FromSecretsManager(masterSecret, "username"),
                ["PGPASSWORD"] = Ecs.Secret.FromSecretsManager(masterSecret, "password"),
                ["WriteProbe__RedisPassword"] = Ecs.Secret.FromSecretsManager(WebService.Imported(this, security.RedisAuthToken, "RedisAuthToken")),
            },
            HealthCheck = new Ecs.HealthCheck
            {
                Command = HealthCheckCommand,
                Interval = Duration.Seconds(30),
                // A .NET process starting on a quarter vCPU: well under a second, with room for a busy host.
                Timeout = Duration.Seconds(10),
                Retries = 3,
                StartPeriod = Duration.Seconds(60),
            },
            Logging = Ecs.LogDriver.AwsLogs(new Ecs.AwsLogDriverProps
            {
                LogGroup = logs,
                StreamPrefix = ServiceKey,
                Mode = Ecs.AwsLogDriverMode.NON_BLOCKING,
            }),
        });
        container.AddMountPoints(new Ecs.MountPoint { SourceVolume = "tmp", ContainerPath = "/tmp", ReadOnly = false });

        // One task. A deployment starts the new task before stopping the old one: for those seconds two tasks publish,
        // which the reader sums (still one success or failure per second), rather than leaving seconds without a sample.
        Service = new Ecs.FargateService(this, "Service", new Ecs.FargateServiceProps
        {
            ServiceName = names.Service(ServiceKey),
            Cluster = compute.Cluster,
            TaskDefinition = task,
            DesiredCount = 1,
            AssignPublicIp = false,
            VpcSubnets = NetworkStack.App,
            SecurityGroups = [network.WriteProbeSecurityGroup],
            MinHealthyPercent = 100,
            MaxHealthyPercent = 200,
            CircuitBreaker = new Ecs.DeploymentCircuitBreaker { Enable = true, Rollback = true },
            PlatformVersion = Ecs.FargatePlatformVersion.LATEST,
            EnableExecuteCommand = false,
            PropagateTags = Ecs.PropagatedTagSource.SERVICE,
        });
    }
}
