using System.Collections.Immutable;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.SecretsManager;
using EcsKeyValuePair = FinTech.Portal.Platform.Ecs.KeyValuePair;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// ECS over the Sandbox model: the API service, its task definition revisions and its rolling
/// deployments (<see cref="SandboxEcsDeployment"/>). Revision 42 runs the ECR image <c>v1.46.0</c>
/// by digest and takes the API's credentials from Secrets Manager (<c>secrets.valueFrom</c>: the
/// Aurora master user secret, the Redis AUTH token, the external API keys), as the real one does.
/// Registering and updating go through the platform's journal (<see cref="SandboxPlatform"/>), so a
/// restarted portal still knows every revision and deployment.
/// </summary>
public sealed class SandboxEcs : IEcs
{
    public const int InitialRevision = 42;
    public const string ContainerName = "api";
    public const int DesiredCount = SandboxModel.DesiredTasks;

    /// <summary>The service's deployment configuration: rolling, never below the desired count, circuit breaker with rollback.</summary>
    public static readonly DeploymentConfiguration DefaultConfiguration = new()
    {
        MinimumHealthyPercent = 100,
        MaximumPercent = 200,
        DeploymentCircuitBreaker = new DeploymentCircuitBreaker { Enable = true, Rollback = true },
    };

    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;
    private readonly TaskDefinition _initial;

    /// <summary>Built after the platform's ECR and Secrets Manager: revision 42 names their image and secrets.</summary>
    internal SandboxEcs(SandboxPlatform platform, SandboxModel model, string environmentKey)
    {
        _platform = platform;
        _model = model;
        _initial = BuildInitialTaskDefinition(environmentKey);
    }

    /// <summary>The ECS history of a platform that has just started: revision 42 deployed the morning after v1.46.0 was pushed.</summary>
    internal SandboxEcsHistory InitialHistory() => new(
        _platform.Seed, _platform.Resources.EcsService,
        $"arn:aws:elasticloadbalancing:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:{_platform.Resources.TargetGroup}",
        _initial,
        new SandboxEcsDeployment(-1, "ecs-svc/4711000000000000042", _platform.Ecr.RunningApiImage.PushedAt.AddHours(20), _initial.TaskDefinitionArn,
            ApiImage(_platform.Ecr.RunningApiImage.Digest), false, DesiredCount, SandboxEcsDeploymentCause.Initial, DefaultConfiguration,
            TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero),
        [], []);

    /// <summary>The task definition family of the API service (named after the service).</summary>
    public string Family => _platform.Resources.EcsService;

    /// <summary>The revision the service runs when the platform starts.</summary>
    public TaskDefinition InitialTaskDefinition => _initial;

    /// <summary>Every deployment started so far (the initial one first, the circuit breaker's rollbacks included).</summary>
    public IReadOnlyList<SandboxEcsDeployment> Deployments
    {
        get
        {
            var now = _platform.Now;
            return Rollout(_platform.State).Deployments.Where(d => d.StartedAt <= now).ToList();
        }
    }

    /// <summary>The image URI of a digest of the API's repository.</summary>
    public static string ApiImage(string digest) =>
        $"{SandboxEcr.RegistryId}.dkr.ecr.{SandboxSecretsManager.Region}.amazonaws.com/{SandboxEcr.ApiRepository}@{digest}";

    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DescribeServices(request));
    }

    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var definition = Find(_platform.State.Ecs!, request.TaskDefinition)
            ?? throw new EcsClientException("Unable to describe task definition.");
        return Task.FromResult(new DescribeTaskDefinitionResponse { TaskDefinition = definition, Tags = request.Include?.Contains("TAGS") == true ? [] : null });
    }

    public async Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var definition = await _platform.RegisterTaskDefinitionAsync(request, cancellationToken);
        return new RegisterTaskDefinitionResponse { TaskDefinition = definition, Tags = request.Tags };
    }

    public async Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _platform.UpdateEcsServiceAsync(request, cancellationToken);
        var names = _platform.Resources;
        return new UpdateServiceResponse { Service = Current(Arn($"cluster/{names.EcsCluster}"), Arn($"service/{names.EcsCluster}/{names.EcsService}")) };
    }

    /// <summary>The API service when asked for by name or ARN; any other name is a MISSING failure, as ECS answers.</summary>
    public DescribeServicesResponse DescribeServices(DescribeServicesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Services.Count is 0 or > DescribeServicesRequest.MaxServices)
        {
            throw new ArgumentException($"DescribeServices takes 1 to {DescribeServicesRequest.MaxServices} services; got {request.Services.Count}.", nameof(request));
        }
        var names = _platform.Resources;
        var clusterArn = Arn($"cluster/{names.EcsCluster}");
        if (request.Cluster != names.EcsCluster && request.Cluster != clusterArn)
        {
            return new DescribeServicesResponse
            {
                Services = [],
                Failures = request.Services.Select(s => new Failure { Arn = s, Reason = "MISSING", Detail = $"cluster {request.Cluster} not found" }).ToList(),
            };
        }
        var serviceArn = Arn($"service/{names.EcsCluster}/{names.EcsService}");
        var services = new List<Service>();
        var failures = new List<Failure>();
        foreach (var asked in request.Services)
        {
            if (asked == names.EcsService || asked == serviceArn)
            {
                services.Add(Current(clusterArn, serviceArn));
            }
            else
            {
                failures.Add(new Failure { Arn = asked.StartsWith("arn:", StringComparison.Ordinal) ? asked : Arn($"service/{names.EcsCluster}/{asked}"), Reason = "MISSING" });
            }
        }
        return new DescribeServicesResponse { Services = services, Failures = failures };
    }

    /// <summary>The rollout of the service's deployments in <paramref name="state"/>.</summary>
    internal static SandboxEcsRollout Rollout(SandboxState state) => state.Ecs!.Rollout();

    /// <summary>Under the platform's gate: the checks ECS makes, then the revision as it will be registered.</summary>
    internal TaskDefinition PlanRegistration(SandboxEcsHistory history, RegisterTaskDefinitionRequest request, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(request.Family) || request.Family.Length > 255)
        {
            throw new EcsClientException("Family must be 1 to 255 letters, numbers, hyphens and underscores.");
        }
        if (request.ContainerDefinitions.Count == 0)
        {
            throw new EcsClientException("Container list cannot be empty.");
        }
        foreach (var container in request.ContainerDefinitions)
        {
            if (string.IsNullOrWhiteSpace(container.Name) || string.IsNullOrWhiteSpace(container.Image))
            {
                throw new EcsClientException("Container.name and Container.image should not be null or empty.");
            }
        }
        var latest = history.Registered.Where(d => d.Family == request.Family).Select(d => d.Revision)
            .Append(request.Family == Family ? InitialRevision : 0).Max();
        var revision = latest + 1;
        return new TaskDefinition
        {
            TaskDefinitionArn = Arn($"task-definition/{request.Family}:{revision}"),
            Family = request.Family,
            Revision = revision,
            Status = "ACTIVE",
            ContainerDefinitions = request.ContainerDefinitions,
            TaskRoleArn = request.TaskRoleArn,
            ExecutionRoleArn = request.ExecutionRoleArn,
            NetworkMode = request.NetworkMode,
            RequiresCompatibilities = request.RequiresCompatibilities,
            Cpu = request.Cpu,
            Memory = request.Memory,
            RuntimePlatform = request.RuntimePlatform,
            RegisteredAt = now,
            RegisteredBy = $"arn:aws:sts::{SandboxPlatform.AccountId}:assumed-role/fintech-sandbox-portal-access/fintech-portal-sandbox",
        };
    }

    /// <summary>Under the platform's gate: the checks ECS makes, then the deployment the update starts (null when nothing changes).</summary>
    internal SandboxEcsDeployment? PlanUpdate(SandboxState state, UpdateServiceRequest request, DateTimeOffset now)
    {
        var names = _platform.Resources;
        if (request.Cluster is { } cluster && cluster != names.EcsCluster && cluster != Arn($"cluster/{names.EcsCluster}"))
        {
            throw new EcsClusterNotFoundException("Cluster not found.");
        }
        if (request.Service != names.EcsService && request.Service != Arn($"service/{names.EcsCluster}/{names.EcsService}"))
        {
            throw new EcsServiceNotFoundException("Service not found.");
        }
        if (request.DesiredCount is { } desired && desired != DesiredCount)
        {
            throw new EcsClientException($"The Sandbox runs the API service with {DesiredCount} tasks; scaling it is not simulated (asked for {desired}).");
        }
        var rollout = Rollout(state);
        var primary = rollout.Deployments.Last(d => d.StartedAt <= now);
        TaskDefinition? target = null;
        if (request.TaskDefinition is { } asked)
        {
            target = Find(state.Ecs!, asked) ?? throw new EcsClientException("TaskDefinition not found.");
            if (target.Family != Family)
            {
                throw new EcsClientException($"The task definition {target.Family}:{target.Revision} is not of the service's family {Family}.");
            }
        }
        if ((target is null || target.TaskDefinitionArn == primary.TaskDefinitionArn) && request.ForceNewDeployment != true)
        {
            return null;
        }
        var definition = target ?? Find(state.Ecs!, primary.TaskDefinitionArn)!;
        var image = definition.Container(ContainerName)?.Image ?? definition.Container()!.Image;
        var configuration = request.DeploymentConfiguration ?? primary.Configuration;
        return SandboxEcsDeployment.Plan(_platform.Seed, state.Ecs!.Deployments.Length, now, definition.TaskDefinitionArn, image,
            Crashes(image), DesiredCount, configuration);
    }

    /// <summary>
    /// Whether tasks of <paramref name="image"/> fail: the build that exits on start, or an image
    /// the registry does not hold (CannotPullContainerError).
    /// </summary>
    private bool Crashes(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (at < 0 || slash < 0 || slash > at)
        {
            var tag = image.LastIndexOf(':');
            var repository = slash < 0 || tag < slash ? null : image[(slash + 1)..tag];
            var found = repository is null ? null : _platform.Ecr.Images.FirstOrDefault(i => i.RepositoryName == repository && i.Tags.Contains(image[(tag + 1)..]));
            return found is null || found.CrashesOnStart;
        }
        var byDigest = _platform.Ecr.FindImage(image[(slash + 1)..at], image[(at + 1)..]);
        return byDigest is null || byDigest.CrashesOnStart;
    }

    private TaskDefinition? Find(SandboxEcsHistory history, string reference)
    {
        var all = history.Registered.Prepend(_initial).ToList();
        var name = reference.StartsWith("arn:", StringComparison.Ordinal) ? reference[(reference.LastIndexOf('/') + 1)..] : reference;
        if (reference.StartsWith("arn:", StringComparison.Ordinal) && !reference.StartsWith(Arn("task-definition/"), StringComparison.Ordinal))
        {
            return null;
        }
        var colon = name.LastIndexOf(':');
        if (colon < 0)
        {
            return all.Where(d => d.Family == name).MaxBy(d => d.Revision);
        }
        return all.FirstOrDefault(d => $"{d.Family}:{d.Revision}" == name);
    }

    private Service Current(string clusterArn, string serviceArn)
    {
        var now = _platform.Now;
        var state = _platform.State;
        var minute = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60);
        // The crash-loop knob acts on the minute's counts; a deployment's tasks are counted to the second.
        var knob = _model.Tasks(new SandboxTimeline(_model, state, minute, minute).At(minute) with { Deployment = default });
        var rollout = Rollout(state);
        var (running, pending, _) = rollout.CountsAt(now);
        var crashed = knob.Desired - knob.Running;
        var listed = rollout.ListedAt(now);
        return new Service
        {
            ServiceName = _platform.Resources.EcsService,
            ServiceArn = serviceArn,
            ClusterArn = clusterArn,
            Status = "ACTIVE",
            DesiredCount = DesiredCount,
            RunningCount = running - crashed,
            PendingCount = pending + knob.Pending,
            TaskDefinition = listed[0].Deployment.TaskDefinitionArn,
            LaunchType = "FARGATE",
            DeploymentConfiguration = listed[0].Deployment.Configuration,
            CreatedAt = _platform.State.Ecs!.Initial.StartedAt.AddDays(-380),
            Deployments = listed.Select(l =>
            {
                var (rolloutState, reason) = rollout.RolloutAt(l.Deployment, now);
                var serving = l.Deployment == rollout.ServingAt(now);
                return new Deployment
                {
                    Id = l.Deployment.Id,
                    Status = l.Status,
                    TaskDefinition = l.Deployment.TaskDefinitionArn,
                    DesiredCount = l.Status == DeploymentStatus.Primary ? DesiredCount : 0,
                    RunningCount = serving ? l.Running - crashed : l.Running,
                    PendingCount = serving ? l.Pending + knob.Pending : l.Pending,
                    FailedTasks = l.Failed,
                    RolloutState = rolloutState,
                    RolloutStateReason = reason,
                    CreatedAt = l.Deployment.StartedAt,
                    UpdatedAt = Latest(l.Deployment, now),
                };
            }).ToList(),
            Events = rollout.EventsUntil(now),
        };
    }

    private static DateTimeOffset Latest(SandboxEcsDeployment d, DateTimeOffset now)
    {
        DateTimeOffset[] steps = d.Crashes ? [d.StartedAt, d.RunningAt, d.HealthyAt, d.CrashAt, d.FailedAt] : [d.StartedAt, d.RunningAt, d.HealthyAt, d.DrainedAt, d.CompletedAt];
        return steps.Where(s => s <= now).DefaultIfEmpty(d.StartedAt).Max();
    }

    private TaskDefinition BuildInitialTaskDefinition(string environmentKey)
    {
        var image = _platform.Ecr.RunningApiImage;
        var secrets = _platform.SecretsManager.ListSecretsAsync(new ListSecretsRequest()).GetAwaiter().GetResult().SecretList;
        string SecretArn(string prefix) => secrets.First(s => s.Name.StartsWith(prefix, StringComparison.Ordinal)).ARN;
        var database = SecretArn("rds!cluster-");
        var redis = SecretArn($"fintech/{environmentKey}/redis/auth-token");
        var external = SecretArn($"fintech/{environmentKey}/api/external-api-keys");
        var names = _platform.Resources;
        return new TaskDefinition
        {
            TaskDefinitionArn = Arn($"task-definition/{Family}:{InitialRevision}"),
            Family = Family,
            Revision = InitialRevision,
            Status = "ACTIVE",
            TaskRoleArn = $"arn:aws:iam::{SandboxPlatform.AccountId}:role/{names.EcsCluster}-api-task",
            ExecutionRoleArn = $"arn:aws:iam::{SandboxPlatform.AccountId}:role/{names.EcsCluster}-api-execution",
            NetworkMode = "awsvpc",
            RequiresCompatibilities = ["FARGATE"],
            Cpu = "1024",
            Memory = "2048",
            RuntimePlatform = new RuntimePlatform { CpuArchitecture = "ARM64", OperatingSystemFamily = "LINUX" },
            RegisteredAt = image.PushedAt.AddHours(19),
            RegisteredBy = $"arn:aws:sts::{SandboxPlatform.AccountId}:assumed-role/fintech-release-pipeline/codebuild",
            ContainerDefinitions =
            [
                new ContainerDefinition
                {
                    Name = ContainerName,
                    Image = ApiImage(image.Digest),
                    Essential = true,
                    ReadonlyRootFilesystem = true,
                    User = "app",
                    StopTimeout = 30,
                    PortMappings = [new PortMapping { ContainerPort = 8080, Protocol = "tcp", Name = "http", AppProtocol = "http" }],
                    Environment =
                    [
                        new EcsKeyValuePair { Name = "ASPNETCORE_ENVIRONMENT", Value = "Production" },
                        new EcsKeyValuePair { Name = "DATABASE__HOST", Value = $"{names.AuroraCluster}.cluster-c1a2b3c4d5e6.{SandboxPlatform.Region}.rds.amazonaws.com" },
                        new EcsKeyValuePair { Name = "REDIS__HOST", Value = $"master.{names.RedisReplicationGroup}.abc123.euw1.cache.amazonaws.com" },
                    ],
                    Secrets =
                    [
                        new Secret { Name = "DATABASE__USERNAME", ValueFrom = $"{database}:username::" },
                        new Secret { Name = "DATABASE__PASSWORD", ValueFrom = $"{database}:password::" },
                        new Secret { Name = "REDIS__AUTHTOKEN", ValueFrom = redis },
                        new Secret { Name = "PAYMENTS__PSP_API_KEY", ValueFrom = $"{external}:psp_api_key::" },
                        new Secret { Name = "FRAUD__API_KEY", ValueFrom = $"{external}:fraud_api_key::" },
                    ],
                    LogConfiguration = new LogConfiguration
                    {
                        LogDriver = "awslogs",
                        Options = new Dictionary<string, string>
                        {
                            ["awslogs-group"] = $"/fintech/{environmentKey}/api",
                            ["awslogs-region"] = SandboxPlatform.Region,
                            ["awslogs-stream-prefix"] = "api",
                        },
                    },
                    HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "curl -fs http://localhost:8080/healthz || exit 1"], Interval = 10, Timeout = 5, Retries = 3, StartPeriod = 30 },
                },
            ],
        };
    }

    private static string Arn(string resource) => $"arn:aws:ecs:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:{resource}";
}
