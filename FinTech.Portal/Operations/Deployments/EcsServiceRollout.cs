using System.Globalization;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>
/// What a deployment run and a rollback run share: move an ECS service to a task definition with
/// <c>UpdateService</c> (describing first, so a resumed run never calls twice), follow the rollout
/// through <c>DescribeServices</c> (its deployments and events, which go to the run's timeline),
/// bake under the stop conditions, and on any failure go back to the last verified revision and
/// wait until it serves. Everything it learns is in the run's checkpoint.
/// </summary>
internal sealed class EcsServiceRollout(OperationExecution execution, DeploymentOptions options)
{
    public const string PreviousTaskDefinition = "previousTaskDefinition";
    public const string PreviousImage = "previousImage";
    public const string RollbackTarget = "rollbackTarget";
    public const string UpdateCalledAt = "updateCalledAt";
    public const string DeploymentId = "deploymentId";
    public const string RolloutCompletedAt = "rolloutCompletedAt";
    public const string BakeStartedAt = "bakeStartedAt";
    public const string BakePassedAt = "bakePassedAt";
    public const string FailedAt = "failedAt";
    public const string FailureReason = "failureReason";
    public const string RollbackCalledAt = "rollbackCalledAt";
    public const string RollbackServingAt = "rollbackServingAt";
    public const string RollbackCompletedAt = "rollbackCompletedAt";

    private IEcs Ecs => execution.Platform.Get<IEcs>();

    private string Cluster => execution.Environment.Resources.EcsCluster;

    private DateTimeOffset Now => execution.Time.GetUtcNow();

    /// <summary>The service as ECS describes it now.</summary>
    public static async Task<Service> DescribeAsync(OperationContext context, CancellationToken cancellationToken)
    {
        DescribeServicesResponse response;
        try
        {
            response = await context.Platform.Get<IEcs>().DescribeServicesAsync(new DescribeServicesRequest
            {
                Cluster = context.Environment.Resources.EcsCluster,
                Services = [context.Target],
            }, cancellationToken);
        }
        catch (PlatformServiceException e)
        {
            throw new OperationFailedException($"ECS refused DescribeServices: {e.ErrorCode}: {e.Message}", e);
        }
        return response.Services.FirstOrDefault()
            ?? throw new OperationFailedException($"ECS does not know the service {context.Target} in cluster {context.Environment.Resources.EcsCluster} ({response.Failures.FirstOrDefault()?.Reason ?? "MISSING"}).");
    }

    /// <summary>The PRIMARY deployment (ECS lists it first).</summary>
    public static Deployment? Primary(Service service) => service.Deployments.FirstOrDefault(d => d.Status == DeploymentStatus.Primary);

    /// <summary>Whether the service is at a steady state: one deployment, COMPLETED, all tasks running.</summary>
    public static bool IsSteady(Service service) =>
        service.Deployments is [{ RolloutState: RolloutState.Completed }] && service.RunningCount == service.DesiredCount && service.PendingCount == 0;

    /// <summary>Remembers what served before the run (once: a resumed run keeps the first reading).</summary>
    public async Task<Service> RememberBeforeAsync(CancellationToken cancellationToken)
    {
        var service = await DescribeAsync(execution, cancellationToken);
        if (!execution.Checkpoint.ContainsKey(PreviousTaskDefinition))
        {
            await execution.SaveAsync(PreviousTaskDefinition, service.TaskDefinition, cancellationToken);
            var definition = await DescribeTaskDefinitionAsync(service.TaskDefinition, cancellationToken);
            await execution.SaveAsync(PreviousImage, definition.Container()?.Image ?? "unknown", cancellationToken);
        }
        return service;
    }

    public async Task<TaskDefinition> DescribeTaskDefinitionAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        try
        {
            return (await Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = taskDefinition }, cancellationToken)).TaskDefinition;
        }
        catch (PlatformServiceException e)
        {
            throw new OperationFailedException($"ECS refused DescribeTaskDefinition({taskDefinition}): {e.ErrorCode}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Deploys <paramref name="taskDefinition"/> (or the current one again, forced) and bakes it; on a
    /// failed rollout, a stop condition, an abort or a timeout goes back to <paramref name="rollbackTo"/>
    /// (when given) and throws saying what failed and where it went: <see cref="OperationStoppedException"/>
    /// when the run was stopped (it ends Aborted, as stopped runs do), else <see cref="OperationFailedException"/>.
    /// </summary>
    public async Task DeployAndBakeAsync(string taskDefinition, bool forceNewDeployment, string? rollbackTo, CancellationToken cancellationToken)
    {
        string? failure = null;
        var stopped = false;
        try
        {
            await UpdateServiceAsync(taskDefinition, forceNewDeployment, cancellationToken);
            failure = await FollowAsync(cancellationToken);
            if (failure is null)
            {
                failure = await BakeAsync(taskDefinition, cancellationToken);
            }
        }
        catch (OperationStoppedException e)
        {
            // A stop condition, an abort or the safety switch: the run ends Aborted, after going back.
            failure = e.Message;
            stopped = true;
        }
        if (failure is null)
        {
            return;
        }
        if (rollbackTo is null)
        {
            var left = $"{failure} No verified revision to roll back to; the service is left as ECS has it.";
            throw stopped ? new OperationStoppedException(left) : new OperationFailedException(left);
        }
        var seconds = await RollBackAsync(rollbackTo, failure, cancellationToken);
        var message = $"{failure} Rolled back to the last verified revision {Revision(rollbackTo)}: serving again {seconds} s after the failure.";
        throw stopped ? new OperationStoppedException(message) : new OperationFailedException(message);
    }

    private async Task UpdateServiceAsync(string taskDefinition, bool forceNewDeployment, CancellationToken cancellationToken)
    {
        if (execution.Checkpoint.ContainsKey(DeploymentId))
        {
            return;
        }
        // Describe before acting: after a restart the update may have been accepted already.
        if (execution.Checkpoint.TryGetValue(UpdateCalledAt, out var calledText)
            && FindOurs(await DescribeAsync(execution, cancellationToken), taskDefinition, AuditCanonical.ParseTimestamp(calledText)) is { } accepted)
        {
            await execution.SaveAsync(DeploymentId, accepted.Id, cancellationToken);
            await execution.SaveAsync(DeploymentHistory.DeployedTaskDefinition, taskDefinition, cancellationToken);
            return;
        }
        await execution.RecordCallAsync(UpdateCalledAt,
            $"UpdateService(cluster={Cluster}, service={execution.Target}, taskDefinition={Revision(taskDefinition)}{(forceNewDeployment ? ", forceNewDeployment=true" : "")})",
            cancellationToken);
        var calledAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[UpdateCalledAt]);
        UpdateServiceResponse response;
        try
        {
            response = await Ecs.UpdateServiceAsync(new UpdateServiceRequest
            {
                Cluster = Cluster,
                Service = execution.Target,
                TaskDefinition = taskDefinition,
                ForceNewDeployment = forceNewDeployment ? true : null,
            }, cancellationToken);
        }
        catch (PlatformServiceException e)
        {
            throw new OperationFailedException($"ECS refused UpdateService: {e.ErrorCode}: {e.Message}", e);
        }
        var ours = FindOurs(response.Service, taskDefinition, calledAt)
            ?? throw new OperationFailedException($"ECS accepted UpdateService but started no deployment of {Revision(taskDefinition)} (the service already ran it).");
        await execution.SaveAsync(DeploymentId, ours.Id, cancellationToken);
        await execution.SaveAsync(DeploymentHistory.DeployedTaskDefinition, taskDefinition, cancellationToken);
    }

    private static Deployment? FindOurs(Service service, string taskDefinition, DateTimeOffset calledAt) =>
        service.Deployments.FirstOrDefault(d => d.TaskDefinition == taskDefinition && d.CreatedAt >= calledAt - TimeSpan.FromSeconds(1));

    /// <summary>Follows the rollout until COMPLETED (null) or a failure (its reason).</summary>
    private async Task<string?> FollowAsync(CancellationToken cancellationToken)
    {
        if (execution.Checkpoint.ContainsKey(RolloutCompletedAt))
        {
            return null;
        }
        var id = execution.Checkpoint[DeploymentId];
        var calledAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[UpdateCalledAt]);
        while (true)
        {
            var service = await DescribeAsync(execution, cancellationToken);
            await RecordEventsAsync(service, calledAt, cancellationToken);
            var ours = service.Deployments.FirstOrDefault(d => d.Id == id);
            if (ours?.RolloutState == RolloutState.Completed && ours.Status == DeploymentStatus.Primary)
            {
                await execution.SaveAsync(RolloutCompletedAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
                return null;
            }
            if (ours?.RolloutState == RolloutState.Failed)
            {
                return $"Deployment {id} failed: {ours.RolloutStateReason} ({ours.FailedTasks} failed tasks).";
            }
            if (ours is null || ours.Status != DeploymentStatus.Primary)
            {
                var failed = service.Events.FirstOrDefault(e => e.Message.Contains($"(deployment {id}) deployment failed", StringComparison.Ordinal));
                return failed is not null
                    ? $"Deployment {id} failed: {failed.Message}"
                    : $"Deployment {id} is no longer the service's primary deployment (another deployment replaced it).";
            }
            if (Now - calledAt > options.RolloutTimeout)
            {
                return $"Deployment {id} did not complete within {options.RolloutTimeout.TotalMinutes:0} minutes ({ours.RunningCount} of {ours.DesiredCount} tasks running, {ours.RolloutStateReason}).";
            }
            await execution.DelayAsync(options.PollInterval, cancellationToken);
        }
    }

    /// <summary>Serves the new revision for the bake time under the stop conditions; null when it held.</summary>
    private async Task<string?> BakeAsync(string taskDefinition, CancellationToken cancellationToken)
    {
        if (execution.Checkpoint.ContainsKey(BakePassedAt))
        {
            return null;
        }
        if (!execution.Checkpoint.ContainsKey(BakeStartedAt))
        {
            await execution.SaveAsync(BakeStartedAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
            await execution.RecordMeasurementAsync($"Rollout completed; baking {Revision(taskDefinition)} for {options.BakeTime.TotalMinutes:0.#} minutes under the stop conditions.", cancellationToken);
        }
        var end = AuditCanonical.ParseTimestamp(execution.Checkpoint[BakeStartedAt]) + options.BakeTime;
        var calledAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[UpdateCalledAt]);
        while (Now < end)
        {
            var left = end - Now;
            await execution.DelayAsync(left < options.PollInterval ? left : options.PollInterval, cancellationToken);
            var service = await DescribeAsync(execution, cancellationToken);
            await RecordEventsAsync(service, calledAt, cancellationToken);
            if (Primary(service) is not { } primary || primary.TaskDefinition != taskDefinition)
            {
                return $"During the bake the service moved off {Revision(taskDefinition)} (now {Revision(service.TaskDefinition)}).";
            }
            if (service.RunningCount < service.DesiredCount)
            {
                return $"During the bake only {service.RunningCount} of {service.DesiredCount} tasks were running.";
            }
        }
        await execution.CheckAsync(force: true, cancellationToken);
        await execution.SaveAsync(BakePassedAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
        return null;
    }

    /// <summary>
    /// Goes back to <paramref name="target"/> and waits until it serves and the rollout completes;
    /// returns the seconds from the failure to the target serving. Stop conditions still firing do
    /// not stop it: going back is what they ask for.
    /// </summary>
    public async Task<string> RollBackAsync(string target, string reason, CancellationToken cancellationToken)
    {
        if (!execution.Checkpoint.ContainsKey(FailedAt))
        {
            await execution.SaveAsync(FailedAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
            await execution.SaveAsync(FailureReason, reason, cancellationToken);
            await execution.SaveAsync(RollbackTarget, target, cancellationToken);
            await execution.RecordMeasurementAsync($"{reason} Rolling back to the last verified revision {Revision(target)}.", cancellationToken);
        }
        var failedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[FailedAt]);
        var service = await DescribeAsync(execution, cancellationToken);
        if (Primary(service)?.TaskDefinition != target && !RollbackAccepted(service, target))
        {
            await execution.RecordCallAsync(RollbackCalledAt,
                $"UpdateService(cluster={Cluster}, service={execution.Target}, taskDefinition={Revision(target)}) — rollback", cancellationToken);
            try
            {
                service = (await Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = execution.Target, TaskDefinition = target }, cancellationToken)).Service;
            }
            catch (PlatformServiceException e)
            {
                throw new OperationFailedException($"{reason} The rollback to {Revision(target)} was refused by ECS: {e.ErrorCode}: {e.Message}", e);
            }
        }
        var calledAt = execution.Checkpoint.TryGetValue(RollbackCalledAt, out var called) ? AuditCanonical.ParseTimestamp(called) : (DateTimeOffset?)null;
        var stoppedNoted = false;
        while (!execution.Checkpoint.ContainsKey(RollbackCompletedAt))
        {
            await RecordEventsAsync(service, calledAt ?? failedAt, cancellationToken);
            var primary = Primary(service);
            if (primary?.TaskDefinition == target && !execution.Checkpoint.ContainsKey(RollbackServingAt) && ServingSince(service, primary, calledAt) is { } serving)
            {
                await execution.SaveAsync(RollbackServingAt, AuditCanonical.FormatTimestamp(serving < failedAt ? failedAt : serving), cancellationToken);
            }
            if (primary?.TaskDefinition == target && primary.RolloutState == RolloutState.Completed)
            {
                if (!execution.Checkpoint.ContainsKey(RollbackServingAt))
                {
                    await execution.SaveAsync(RollbackServingAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
                }
                await execution.SaveAsync(RollbackCompletedAt, AuditCanonical.FormatTimestamp(Now), cancellationToken);
                break;
            }
            if (primary?.RolloutState == RolloutState.Failed && primary.TaskDefinition == target)
            {
                throw new OperationFailedException($"{reason} The rollback to {Revision(target)} failed too: {primary.RolloutStateReason}");
            }
            if (Now - failedAt > options.RolloutTimeout)
            {
                throw new OperationFailedException($"{reason} The rollback to {Revision(target)} did not complete within {options.RolloutTimeout.TotalMinutes:0} minutes.");
            }
            try
            {
                await execution.DelayAsync(options.PollInterval, cancellationToken);
            }
            catch (OperationStoppedException e)
            {
                // The lease was renewed before the check threw: carry on rolling back.
                if (!stoppedNoted)
                {
                    stoppedNoted = true;
                    await execution.RecordMeasurementAsync($"Still rolling back while: {e.Message}", cancellationToken);
                }
            }
            service = await DescribeAsync(execution, cancellationToken);
        }
        var servingAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RollbackServingAt]);
        return Seconds(servingAt - failedAt);
    }

    private bool RollbackAccepted(Service service, string target) =>
        execution.Checkpoint.TryGetValue(RollbackCalledAt, out var called)
        && FindOurs(service, target, AuditCanonical.ParseTimestamp(called)) is not null;

    /// <summary>
    /// Since when the target's tasks take traffic: the target group registration ECS reports after
    /// our rollback call, or — when ECS's circuit breaker rolled back to tasks that never stopped — the
    /// moment that rollback began.
    /// </summary>
    private static DateTimeOffset? ServingSince(Service service, Deployment primary, DateTimeOffset? calledAt)
    {
        if (calledAt is null)
        {
            return primary.RunningCount >= service.DesiredCount ? primary.CreatedAt : null;
        }
        return service.Events
            .Where(e => e.CreatedAt >= calledAt && e.Message.Contains(" registered ", StringComparison.Ordinal) && e.Message.Contains("targets in", StringComparison.Ordinal))
            .Select(e => (DateTimeOffset?)e.CreatedAt)
            .LastOrDefault();
    }

    /// <summary>The service's events since <paramref name="since"/> into the timeline, oldest first, once each.</summary>
    private async Task RecordEventsAsync(Service service, DateTimeOffset since, CancellationToken cancellationToken)
    {
        foreach (var e in service.Events.Where(e => e.CreatedAt >= since - TimeSpan.FromSeconds(1)).Reverse())
        {
            await execution.RecordEventAsync("ecs:" + e.Id, e.CreatedAt, e.Message, cancellationToken);
        }
    }

    /// <summary><c>family:revision</c> of a task definition ARN.</summary>
    public static string Revision(string taskDefinition) => taskDefinition[(taskDefinition.LastIndexOf('/') + 1)..];

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The API's p99, 5xx per minute and CPU over a window, for the evidence's before/after.</summary>
    public static async Task<Dictionary<string, string>> MetricsAsync(OperationContext context, string prefix, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var figures = new Dictionary<string, string>(StringComparer.Ordinal);
        if (to <= from)
        {
            return figures;
        }
        var resources = context.Environment.Resources;
        var series = await OperationMetrics.PointsAsync(context.Platform,
        [
            MetricDataQuery.ForMetric("errors", OperationMetrics.ApiMetric(context.Environment, "HTTPCode_Target_5XX_Count"), Statistic.Sum, 60),
            MetricDataQuery.ForMetric("p99", OperationMetrics.ApiMetric(context.Environment, "TargetResponseTime"), Statistic.P99, 60),
            MetricDataQuery.ForMetric("cpu", new Metric("AWS/ECS", "CPUUtilization",
                [new Dimension("ClusterName", resources.EcsCluster), new Dimension("ServiceName", resources.EcsService)]), Statistic.Average, 60),
        ], from, to, cancellationToken);
        var minutes = Math.Max(1, (to - from).TotalMinutes);
        figures[prefix + "Api5xxPerMinute"] = Format(series["errors"].Sum(p => p.Value) / minutes);
        figures[prefix + "ApiP99Ms"] = Format(1000 * series["p99"].Select(p => p.Value).DefaultIfEmpty(0).Max());
        figures[prefix + "ServiceCpuPercent"] = Format(series["cpu"].Select(p => p.Value).DefaultIfEmpty(0).Average());
        return figures;
    }

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
