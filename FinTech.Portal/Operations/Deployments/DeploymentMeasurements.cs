using FinTech.Portal.Audit;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>
/// The evidence of a deployment or rollback run: revisions and images before and after, the
/// rollout's and the rollback's timings, and the API's p99, 5xx and CPU in the five minutes before
/// the update against the five after the bake (or the rollback).
/// </summary>
internal static class DeploymentMeasurements
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static async Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var checkpoint = execution.Checkpoint;
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        void Copy(string key, string? as_ = null)
        {
            if (checkpoint.TryGetValue(key, out var value))
            {
                figures[as_ ?? key] = value;
            }
        }
        Copy(EcsServiceRollout.PreviousTaskDefinition, "taskDefinitionBefore");
        Copy(EcsServiceRollout.PreviousImage, "imageBefore");
        Copy(DeploymentHistory.DeployedTaskDefinition, "taskDefinitionDeployed");
        Copy(EcsServiceRollout.DeploymentId, "deploymentId");
        Copy(EcsServiceRollout.FailureReason, "failure");
        Copy(EcsServiceRollout.RollbackTarget, "rolledBackTo");
        foreach (var (key, value) in execution.Parameters.Options)
        {
            figures["requested." + key] = value;
        }
        var now = execution.Time.GetUtcNow();
        var service = await EcsServiceRollout.DescribeAsync(execution, cancellationToken);
        figures["taskDefinitionAfter"] = service.TaskDefinition;
        var rollout = new EcsServiceRollout(execution, new DeploymentOptions());
        figures["imageAfter"] = (await rollout.DescribeTaskDefinitionAsync(service.TaskDefinition, cancellationToken)).Container()?.Image ?? "unknown";
        if (At(checkpoint, EcsServiceRollout.UpdateCalledAt) is { } calledAt)
        {
            if (At(checkpoint, EcsServiceRollout.RolloutCompletedAt) is { } completed)
            {
                figures["rolloutSeconds"] = EcsServiceRollout.Seconds(completed - calledAt);
            }
            foreach (var (key, value) in await EcsServiceRollout.MetricsAsync(execution, "before", calledAt - Window, calledAt, cancellationToken))
            {
                figures[key] = value;
            }
            var afterFrom = At(checkpoint, EcsServiceRollout.BakePassedAt) ?? At(checkpoint, EcsServiceRollout.RollbackCompletedAt) ?? now;
            var afterTo = afterFrom + Window < now ? afterFrom + Window : now;
            // Too soon after the bake for a full window: the bake's own minutes are the "after".
            var from = afterTo - afterFrom < TimeSpan.FromMinutes(1) ? At(checkpoint, EcsServiceRollout.BakeStartedAt) ?? calledAt : afterFrom;
            foreach (var (key, value) in await EcsServiceRollout.MetricsAsync(execution, "after", from, afterTo, cancellationToken))
            {
                figures[key] = value;
            }
        }
        if (At(checkpoint, EcsServiceRollout.FailedAt) is { } failedAt && At(checkpoint, EcsServiceRollout.RollbackServingAt) is { } servingAt)
        {
            figures["rollbackSeconds"] = EcsServiceRollout.Seconds(servingAt - failedAt);
        }
        var baked = checkpoint.ContainsKey(EcsServiceRollout.BakePassedAt);
        var deployed = checkpoint.GetValueOrDefault(DeploymentHistory.DeployedTaskDefinition);
        var serving = deployed is not null && service.TaskDefinition == deployed;
        figures["verified"] = baked && serving ? "true" : "false";
        return baked && serving
            ? new OperationMeasurements(figures, true,
                $"{EcsServiceRollout.Revision(deployed!)} rolled out in {figures.GetValueOrDefault("rolloutSeconds", "?")} s and held through the bake: it is the service's verified revision.")
            : new OperationMeasurements(figures, false, checkpoint.TryGetValue(EcsServiceRollout.FailureReason, out var failure)
                ? $"Not verified: {failure}"
                : $"Not verified: the service runs {EcsServiceRollout.Revision(service.TaskDefinition)}, the bake did not pass.");
    }

    private static DateTimeOffset? At(IReadOnlyDictionary<string, string> checkpoint, string key) =>
        checkpoint.TryGetValue(key, out var text) ? AuditCanonical.ParseTimestamp(text) : null;
}
