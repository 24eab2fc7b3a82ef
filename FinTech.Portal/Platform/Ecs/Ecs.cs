namespace FinTech.Portal.Platform.Ecs;

/// <summary>
/// The ECS actions the portal reads, shaped like the AWS SDK's <c>IAmazonECS</c> so that the SDK
/// can replace the Aws adapter later. Member names follow the SDK's (PascalCase of the wire's camelCase).
/// </summary>
public interface IEcs
{
    /// <summary>
    /// <c>DescribeServices</c>: up to 10 services of one cluster. A service that does not exist is
    /// not an error but a <see cref="Failure"/> with reason <c>MISSING</c>, as ECS answers.
    /// </summary>
    Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default);
}

public sealed record DescribeServicesRequest
{
    /// <summary>ECS's limit of services per call.</summary>
    public const int MaxServices = 10;

    /// <summary>Cluster name or ARN.</summary>
    public required string Cluster { get; init; }

    /// <summary>Service names or ARNs, 1 to 10.</summary>
    public required IReadOnlyList<string> Services { get; init; }
}

public sealed record DescribeServicesResponse
{
    public required IReadOnlyList<Service> Services { get; init; }

    public IReadOnlyList<Failure> Failures { get; init; } = [];
}

/// <summary>An ECS service as <c>DescribeServices</c> reports it (the members the portal reads).</summary>
public sealed record Service
{
    public required string ServiceName { get; init; }

    public required string ServiceArn { get; init; }

    public required string ClusterArn { get; init; }

    /// <summary><c>ACTIVE</c>, <c>DRAINING</c> or <c>INACTIVE</c>.</summary>
    public required string Status { get; init; }

    public required int DesiredCount { get; init; }

    public required int RunningCount { get; init; }

    public required int PendingCount { get; init; }

    /// <summary>The task definition ARN of the primary deployment.</summary>
    public required string TaskDefinition { get; init; }

    /// <summary><c>FARGATE</c>, <c>EC2</c>, ...; null when a capacity provider strategy is used.</summary>
    public string? LaunchType { get; init; }

    /// <summary>The PRIMARY deployment and any ACTIVE ones still draining.</summary>
    public IReadOnlyList<Deployment> Deployments { get; init; } = [];
}

/// <summary>A deployment of a service (<c>Deployment</c>).</summary>
public sealed record Deployment
{
    public required string Id { get; init; }

    /// <summary><c>PRIMARY</c>, <c>ACTIVE</c> or <c>INACTIVE</c>.</summary>
    public required string Status { get; init; }

    public required string TaskDefinition { get; init; }

    public required int DesiredCount { get; init; }

    public required int PendingCount { get; init; }

    public required int RunningCount { get; init; }

    public int FailedTasks { get; init; }

    /// <summary><c>COMPLETED</c>, <c>FAILED</c> or <c>IN_PROGRESS</c>.</summary>
    public string? RolloutState { get; init; }

    public string? RolloutStateReason { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary>A resource ECS could not describe (<c>Failure</c>): reason <c>MISSING</c> for an unknown service.</summary>
public sealed record Failure
{
    public string? Arn { get; init; }

    public required string Reason { get; init; }

    public string? Detail { get; init; }
}
