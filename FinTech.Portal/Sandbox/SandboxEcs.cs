using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Sandbox;

/// <summary>ECS over the Sandbox model: the API service's tasks as they run this minute.</summary>
public sealed class SandboxEcs : IEcs
{
    public const string TaskDefinitionFamily = "fintech-api";
    public const int TaskDefinitionRevision = 42;

    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;

    internal SandboxEcs(SandboxPlatform platform, SandboxModel model)
    {
        _platform = platform;
        _model = model;
    }

    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DescribeServices(request));
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

    private Service Current(string clusterArn, string serviceArn)
    {
        var now = _platform.Now;
        var minute = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60);
        var tasks = _model.Tasks(new SandboxTimeline(_model, _platform.State, minute, minute).At(minute));
        var taskDefinition = Arn($"task-definition/{TaskDefinitionFamily}:{TaskDefinitionRevision}");
        return new Service
        {
            ServiceName = _platform.Resources.EcsService,
            ServiceArn = serviceArn,
            ClusterArn = clusterArn,
            Status = "ACTIVE",
            DesiredCount = tasks.Desired,
            RunningCount = tasks.Running,
            PendingCount = tasks.Pending,
            TaskDefinition = taskDefinition,
            LaunchType = "FARGATE",
            Deployments =
            [
                new Deployment
                {
                    Id = "ecs-svc/4711000000000000042",
                    Status = "PRIMARY",
                    TaskDefinition = taskDefinition,
                    DesiredCount = tasks.Desired,
                    RunningCount = tasks.Running,
                    PendingCount = tasks.Pending,
                    RolloutState = "COMPLETED",
                    RolloutStateReason = "ECS deployment ecs-svc/4711000000000000042 completed.",
                    CreatedAt = _platform.StartedAt,
                    UpdatedAt = _platform.StartedAt,
                },
            ],
        };
    }

    private static string Arn(string resource) => $"arn:aws:ecs:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:{resource}";
}
