using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Operations.Rotations;

/// <summary>An ECS service that reads a secret, and whether its tasks started after the rotation.</summary>
/// <param name="ReferencedAs">The environment variables the secret is injected as (<c>secrets[].name</c>).</param>
/// <param name="RunningSince">When the service's PRIMARY deployment was created: its tasks started then or later.</param>
/// <param name="StartedAfterRotation">Every running task started after AWSCURRENT moved (ECS reads secrets at task start).</param>
public sealed record SecretConsumer(string ServiceName, string TaskDefinition, IReadOnlyList<string> ReferencedAs, DateTimeOffset? RunningSince, bool StartedAfterRotation);

public sealed record SecretConsumerReport(IReadOnlyList<SecretConsumer> Services)
{
    /// <summary>One sentence for the timeline and the verdict.</summary>
    public string Summary => Services.Count == 0
        ? "No ECS service of the environment references the secret."
        : string.Join(" ", Services.Select(s => $"{s.ServiceName} ({s.TaskDefinition}) reads it{(s.ReferencedAs.Count > 0 ? " as " + string.Join(", ", s.ReferencedAs) : "")} and its tasks started "
            + (s.StartedAfterRotation ? "after the rotation." : "before the rotation: they hold the previous version until restarted (a forced new deployment).")));
}

/// <summary>
/// Which ECS services reference a secret and whether their tasks have the new version. ECS injects
/// a secret into a task when the task starts, so a service whose tasks all started before the
/// rotation still runs with the previous version (AWSPREVIOUS) until they are replaced.
/// </summary>
public sealed class SecretConsumers
{
    public async Task<SecretConsumerReport> FindAsync(OperationContext context, string secretArn, DateTimeOffset rotatedAt, CancellationToken cancellationToken)
    {
        if (!context.Platform.Has<IEcs>())
        {
            return new SecretConsumerReport([]);
        }
        var resources = context.Environment.Resources;
        // Until the task-definition port lands, the API service's references come from configuration.
        if (!resources.ApiServiceSecrets.Contains(context.Target, StringComparer.Ordinal))
        {
            return new SecretConsumerReport([]);
        }
        var described = await context.Platform.Get<IEcs>().DescribeServicesAsync(new DescribeServicesRequest
        {
            Cluster = resources.EcsCluster,
            Services = [resources.EcsService],
        }, cancellationToken);
        return new SecretConsumerReport(described.Services.Select(service =>
        {
            var primary = service.Deployments.FirstOrDefault(d => d.Status == "PRIMARY");
            var since = primary?.CreatedAt;
            var after = primary is not null && since >= rotatedAt && primary.RolloutState == "COMPLETED";
            return new SecretConsumer(service.ServiceName, service.TaskDefinition[(service.TaskDefinition.LastIndexOf('/') + 1)..], [], since, after);
        }).ToList());
    }
}
