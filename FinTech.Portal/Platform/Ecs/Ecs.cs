using System.Net;

namespace FinTech.Portal.Platform.Ecs;

/// <summary>
/// The ECS actions the portal reads and takes, shaped like the AWS SDK's <c>IAmazonECS</c> so that
/// the SDK can replace the Aws adapter later. Member names follow the SDK's (PascalCase of the
/// wire's camelCase, as in <c>ecs-2014-11-13</c>). A deployment is: describe the service and its
/// task definition, register a revision that changes only the image, update the service to it,
/// then follow <see cref="Deployment.RolloutState"/> and the service's <see cref="Service.Events"/>.
/// </summary>
public interface IEcs
{
    /// <summary>
    /// <c>DescribeServices</c>: up to 10 services of one cluster. A service that does not exist is
    /// not an error but a <see cref="Failure"/> with reason <c>MISSING</c>, as ECS answers.
    /// </summary>
    Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeTaskDefinition</c>: by <c>family:revision</c>, by ARN, or by family (its latest ACTIVE revision).</summary>
    /// <exception cref="EcsClientException">No such task definition.</exception>
    Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>RegisterTaskDefinition</c>: a new revision of the family (revision numbers only grow).</summary>
    /// <exception cref="EcsClientException">The definition is invalid (no container, no image, ...).</exception>
    Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>UpdateService</c>: a new task definition (or <see cref="UpdateServiceRequest.ForceNewDeployment"/>)
    /// starts a deployment that becomes the PRIMARY one at once, IN_PROGRESS until its tasks are
    /// healthy (COMPLETED) or the circuit breaker trips (FAILED, and rolled back when so configured).
    /// </summary>
    /// <exception cref="EcsServiceNotFoundException">No such service.</exception>
    /// <exception cref="EcsClientException">The task definition does not exist or is INACTIVE.</exception>
    Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken = default);
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

    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    /// <summary>The PRIMARY deployment and any ACTIVE ones still draining.</summary>
    public IReadOnlyList<Deployment> Deployments { get; init; } = [];

    /// <summary>The service's last 100 events, newest first (as ECS returns them).</summary>
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];

    public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary><c>DeploymentConfiguration</c>: how many tasks a rolling deployment may stop and start at once.</summary>
public sealed record DeploymentConfiguration
{
    public DeploymentCircuitBreaker? DeploymentCircuitBreaker { get; init; }

    /// <summary>Upper limit of running + pending tasks during a deployment, in percent of the desired count.</summary>
    public int? MaximumPercent { get; init; }

    /// <summary>Lower limit of healthy tasks during a deployment, in percent of the desired count.</summary>
    public int? MinimumHealthyPercent { get; init; }
}

/// <summary>
/// <c>DeploymentCircuitBreaker</c>: fail a deployment whose tasks keep failing to start (after
/// 0.5 × desired failed tasks, at least 3 and at most 200) and, with <see cref="Rollback"/>, go back
/// to the last deployment that completed.
/// </summary>
public sealed record DeploymentCircuitBreaker
{
    public required bool Enable { get; init; }

    public required bool Rollback { get; init; }
}

/// <summary>A service event (<c>ServiceEvent</c>), e.g. "(service fintech-api) has reached a steady state."</summary>
public sealed record ServiceEvent
{
    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string Message { get; init; }
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

/// <summary>ECS <c>RolloutState</c> values.</summary>
public static class RolloutState
{
    public const string InProgress = "IN_PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";
}

/// <summary>ECS deployment <c>status</c> values.</summary>
public static class DeploymentStatus
{
    public const string Primary = "PRIMARY";
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";
}

public sealed record DescribeTaskDefinitionRequest
{
    /// <summary><c>family</c>, <c>family:revision</c> or the full ARN.</summary>
    public required string TaskDefinition { get; init; }

    /// <summary><c>TAGS</c> to have the tags returned too.</summary>
    public IReadOnlyList<string>? Include { get; init; }
}

public sealed record DescribeTaskDefinitionResponse
{
    public required TaskDefinition TaskDefinition { get; init; }

    public IReadOnlyList<Tag>? Tags { get; init; }
}

/// <summary>
/// A task definition revision (<c>TaskDefinition</c>): the members the portal reads and carries over
/// to the next revision. The API service's credentials reach its tasks through
/// <see cref="ContainerDefinition.Secrets"/> (<c>valueFrom</c> is a Secrets Manager ARN), which is how
/// a secret's consumers are found.
/// </summary>
public sealed record TaskDefinition
{
    public required string TaskDefinitionArn { get; init; }

    public required string Family { get; init; }

    public required int Revision { get; init; }

    /// <summary><c>ACTIVE</c>, <c>INACTIVE</c> or <c>DELETE_IN_PROGRESS</c>.</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; }

    public string? TaskRoleArn { get; init; }

    public string? ExecutionRoleArn { get; init; }

    /// <summary><c>awsvpc</c> on Fargate.</summary>
    public string? NetworkMode { get; init; }

    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }

    /// <summary>CPU units as a string, e.g. <c>"512"</c>.</summary>
    public string? Cpu { get; init; }

    /// <summary>MiB as a string, e.g. <c>"1024"</c>.</summary>
    public string? Memory { get; init; }

    public RuntimePlatform? RuntimePlatform { get; init; }

    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>The principal that registered the revision.</summary>
    public string? RegisteredBy { get; init; }

    /// <summary>The container that runs <paramref name="name"/>, or the first essential one.</summary>
    public ContainerDefinition? Container(string? name = null) =>
        name is null ? ContainerDefinitions.FirstOrDefault(c => c.Essential != false) : ContainerDefinitions.FirstOrDefault(c => c.Name == name);
}

/// <summary><c>ContainerDefinition</c> (the members the portal reads and carries over).</summary>
public sealed record ContainerDefinition
{
    public required string Name { get; init; }

    /// <summary><c>repository-url/image@digest</c> or <c>repository-url/image:tag</c>.</summary>
    public required string Image { get; init; }

    public int? Cpu { get; init; }

    public int? Memory { get; init; }

    public int? MemoryReservation { get; init; }

    public bool? Essential { get; init; }

    public IReadOnlyList<PortMapping>? PortMappings { get; init; }

    public IReadOnlyList<KeyValuePair>? Environment { get; init; }

    /// <summary>Secrets injected as environment variables: <c>valueFrom</c> is a Secrets Manager ARN (or SSM parameter).</summary>
    public IReadOnlyList<Secret>? Secrets { get; init; }

    public LogConfiguration? LogConfiguration { get; init; }

    public HealthCheck? HealthCheck { get; init; }

    public bool? ReadonlyRootFilesystem { get; init; }

    public string? User { get; init; }

    public int? StopTimeout { get; init; }
}

/// <summary><c>Secret</c>: the environment variable <see cref="Name"/> takes its value from <see cref="ValueFrom"/> when the task starts.</summary>
public sealed record Secret
{
    public required string Name { get; init; }

    /// <summary>The secret's ARN, optionally with <c>:json-key:version-stage:version-id</c>.</summary>
    public required string ValueFrom { get; init; }
}

/// <summary><c>KeyValuePair</c>: a plain environment variable.</summary>
public sealed record KeyValuePair
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}

public sealed record PortMapping
{
    public int? ContainerPort { get; init; }

    public int? HostPort { get; init; }

    /// <summary><c>tcp</c> or <c>udp</c>.</summary>
    public string? Protocol { get; init; }

    public string? Name { get; init; }

    public string? AppProtocol { get; init; }
}

public sealed record LogConfiguration
{
    /// <summary><c>awslogs</c>, ...</summary>
    public required string LogDriver { get; init; }

    public IReadOnlyDictionary<string, string>? Options { get; init; }
}

public sealed record HealthCheck
{
    public required IReadOnlyList<string> Command { get; init; }

    public int? Interval { get; init; }

    public int? Timeout { get; init; }

    public int? Retries { get; init; }

    public int? StartPeriod { get; init; }
}

public sealed record RuntimePlatform
{
    /// <summary><c>X86_64</c> or <c>ARM64</c>.</summary>
    public string? CpuArchitecture { get; init; }

    /// <summary><c>LINUX</c>, ...</summary>
    public string? OperatingSystemFamily { get; init; }
}

public sealed record Tag
{
    public string? Key { get; init; }

    public string? Value { get; init; }
}

/// <summary><c>RegisterTaskDefinition</c>: the next revision of <see cref="Family"/>.</summary>
public sealed record RegisterTaskDefinitionRequest
{
    public required string Family { get; init; }

    public required IReadOnlyList<ContainerDefinition> ContainerDefinitions { get; init; }

    public string? TaskRoleArn { get; init; }

    public string? ExecutionRoleArn { get; init; }

    public string? NetworkMode { get; init; }

    public IReadOnlyList<string>? RequiresCompatibilities { get; init; }

    public string? Cpu { get; init; }

    public string? Memory { get; init; }

    public RuntimePlatform? RuntimePlatform { get; init; }

    public IReadOnlyList<Tag>? Tags { get; init; }

    /// <summary>The request that registers <paramref name="source"/> again with <paramref name="image"/> in <paramref name="containerName"/>, nothing else changed.</summary>
    public static RegisterTaskDefinitionRequest WithImage(TaskDefinition source, string containerName, string image)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Container(containerName) is null)
        {
            throw new ArgumentException($"Task definition {source.Family}:{source.Revision} has no container named {containerName}.", nameof(containerName));
        }
        return new RegisterTaskDefinitionRequest
        {
            Family = source.Family,
            ContainerDefinitions = source.ContainerDefinitions.Select(c => c.Name == containerName ? c with { Image = image } : c).ToList(),
            TaskRoleArn = source.TaskRoleArn,
            ExecutionRoleArn = source.ExecutionRoleArn,
            NetworkMode = source.NetworkMode,
            RequiresCompatibilities = source.RequiresCompatibilities,
            Cpu = source.Cpu,
            Memory = source.Memory,
            RuntimePlatform = source.RuntimePlatform,
        };
    }
}

public sealed record RegisterTaskDefinitionResponse
{
    public required TaskDefinition TaskDefinition { get; init; }

    public IReadOnlyList<Tag>? Tags { get; init; }
}

public sealed record UpdateServiceRequest
{
    public string? Cluster { get; init; }

    public required string Service { get; init; }

    /// <summary><c>family:revision</c> or ARN; null keeps the current one.</summary>
    public string? TaskDefinition { get; init; }

    public int? DesiredCount { get; init; }

    public DeploymentConfiguration? DeploymentConfiguration { get; init; }

    /// <summary>Start a deployment even with an unchanged task definition (tasks pick up rotated secrets and the image behind a tag).</summary>
    public bool? ForceNewDeployment { get; init; }
}

public sealed record UpdateServiceResponse
{
    public required Service Service { get; init; }
}

/// <summary>ECS <c>ClientException</c>: the request names something that does not exist or is not valid.</summary>
public sealed class EcsClientException(string message)
    : PlatformServiceException("ClientException", HttpStatusCode.BadRequest, message);

/// <summary>ECS <c>ServiceNotFoundException</c>.</summary>
public sealed class EcsServiceNotFoundException(string message)
    : PlatformServiceException("ServiceNotFoundException", HttpStatusCode.BadRequest, message);

/// <summary>ECS <c>ServiceNotActiveException</c>.</summary>
public sealed class EcsServiceNotActiveException(string message)
    : PlatformServiceException("ServiceNotActiveException", HttpStatusCode.BadRequest, message);

/// <summary>ECS <c>ClusterNotFoundException</c>.</summary>
public sealed class EcsClusterNotFoundException(string message)
    : PlatformServiceException("ClusterNotFoundException", HttpStatusCode.BadRequest, message);

/// <summary>A resource ECS could not describe (<c>Failure</c>): reason <c>MISSING</c> for an unknown service.</summary>
public sealed record Failure
{
    public string? Arn { get; init; }

    public required string Reason { get; init; }

    public string? Detail { get; init; }
}
