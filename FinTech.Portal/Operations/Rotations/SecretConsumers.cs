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
    public Task<SecretConsumerReport> FindAsync(OperationContext context, string secretArn, DateTimeOffset rotatedAt, CancellationToken cancellationToken) =>
        FindAsync(context.Platform, context.Environment, secretArn, rotatedAt, cancellationToken);

    /// <summary>The services of <paramref name="environment"/> whose task definitions reference <paramref name="secretArn"/>.</summary>
    public async Task<SecretConsumerReport> FindAsync(PlatformConnection platform, PortalEnvironment environment, string secretArn, DateTimeOffset? rotatedAt, CancellationToken cancellationToken)
    {
        if (!platform.Has<IEcs>())
        {
            return new SecretConsumerReport([]);
        }
        var ecs = platform.Get<IEcs>();
        var resources = environment.Resources;
        var described = await ecs.DescribeServicesAsync(new DescribeServicesRequest
        {
            Cluster = resources.EcsCluster,
            Services = [resources.EcsService],
        }, cancellationToken);
        var found = new List<SecretConsumer>();
        foreach (var service in described.Services)
        {
            var definition = (await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = service.TaskDefinition }, cancellationToken)).TaskDefinition;
            var references = definition.ContainerDefinitions
                .SelectMany(c => c.Secrets ?? [])
                .Where(s => SecretArnOf(s.ValueFrom) == secretArn)
                .Select(s => s.Name)
                .ToList();
            if (references.Count == 0)
            {
                continue;
            }
            var primary = service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Primary);
            // ECS reads secrets when a task starts: only a completed deployment created after the
            // rotation, with no older deployment still running tasks, has every task on the new version.
            var after = primary is { CreatedAt: { } created, RolloutState: RolloutState.Completed } && (rotatedAt is null || created >= rotatedAt)
                && service.Deployments.All(d => d == primary || d.RunningCount == 0);
            found.Add(new SecretConsumer(service.ServiceName, $"{definition.Family}:{definition.Revision}", references, primary?.CreatedAt, after));
        }
        return new SecretConsumerReport(found);
    }

    /// <summary>
    /// The secret's ARN in a <c>valueFrom</c>: the first seven <c>:</c>-separated fields
    /// (<c>arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-SUFFIX</c>), without the optional
    /// <c>:json-key:version-stage:version-id</c> that picks a key or a version.
    /// </summary>
    internal static string SecretArnOf(string valueFrom)
    {
        var fields = valueFrom.Split(':');
        return fields.Length > 7 ? string.Join(':', fields[..7]) : valueFrom;
    }
}
