using System.Globalization;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.Ecs;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>
/// The one-click rollback of an ECS service to a verified revision, as a run of its own (approved
/// like any run on production): the revision is an option, so the approval binds to it. Preflight:
/// the revision is one a deployment or rollback run verified, and the service does not already run
/// it at a steady state. Run: <c>UpdateService</c> to it, the rollout followed to COMPLETED, a bake
/// under the stop conditions; a rollback that fails is reported, not rolled back again.
/// </summary>
public sealed class EcsRollback(PlatformRegistry platforms, DeploymentHistory history, IOptions<DeploymentOptions> options) : IOperationKind
{
    public const string KindKey = "ecs-rollback";

    /// <summary>Option: the ARN of the verified revision to go back to.</summary>
    public const string TaskDefinitionOption = "taskDefinition";

    public string Key => KindKey;

    public string DisplayName => "ECS rollback";

    public TimeSpan VerificationWindow => TimeSpan.Zero;

    public IReadOnlyList<string> Targets(PortalEnvironment environment)
    {
        var platform = platforms.Connect(environment);
        return platform.Has<IEcs>() && platform.Has<IEcr>() ? [environment.Resources.EcsService] : [];
    }

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) => EcsLocks.For(environment, target);

    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) => EcsLocks.StopConditions(environment);

    public async Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
        return new TargetSnapshot(new Dictionary<string, string>
        {
            ["taskDefinition"] = service.TaskDefinition,
            ["rolloutState"] = EcsServiceRollout.Primary(service)?.RolloutState ?? "none",
            ["desiredCount"] = service.DesiredCount.ToString(CultureInfo.InvariantCulture),
        });
    }

    public async Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var target = context.Parameters.Options.GetValueOrDefault(TaskDefinitionOption);
        if (string.IsNullOrWhiteSpace(target))
        {
            return [new PreflightCheck("Verified revision", false, "Name the revision to roll back to (a verified one).")];
        }
        var checks = new List<PreflightCheck>();
        var verified = await history.VerifiedAsync(context.Environment.Key, context.Target, cancellationToken);
        var last = await history.LastVerifiedAsync(context.Environment.Key, context.Target, cancellationToken);
        checks.Add(verified.Contains(target)
            ? new PreflightCheck("Verified revision", true, target == last
                ? $"{EcsServiceRollout.Revision(target)} is the last verified revision."
                : $"{EcsServiceRollout.Revision(target)} was verified by an earlier run (the last verified one is {EcsServiceRollout.Revision(last!)}).")
            : new PreflightCheck("Verified revision", false, $"No deployment or rollback run verified {EcsServiceRollout.Revision(target)}; roll back only to a verified revision."));
        var service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
        var runsIt = service.TaskDefinition == target && EcsServiceRollout.IsSteady(service);
        checks.Add(new PreflightCheck("Not already serving", !runsIt, runsIt
            ? $"{service.ServiceName} already runs {EcsServiceRollout.Revision(target)} at a steady state."
            : $"{service.ServiceName} runs {EcsServiceRollout.Revision(service.TaskDefinition)} ({EcsServiceRollout.Primary(service)?.RolloutState ?? "no deployment"})."));
        return checks;
    }

    public async Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
        var target = context.Parameters.Options.GetValueOrDefault(TaskDefinitionOption) ?? "?";
        return new OperationPlan(
        [
            $"UpdateService from {EcsServiceRollout.Revision(service.TaskDefinition)} to {EcsServiceRollout.Revision(target)}.",
            "Follow the rollout and the service's events until COMPLETED.",
            $"Bake for {options.Value.BakeTime.TotalMinutes:0.#} minutes under the stop conditions.",
        ], new Dictionary<string, string> { ["from"] = EcsServiceRollout.Revision(service.TaskDefinition), ["to"] = EcsServiceRollout.Revision(target) });
    }

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var rollout = new EcsServiceRollout(execution, options.Value);
        await rollout.RememberBeforeAsync(cancellationToken);
        await rollout.DeployAndBakeAsync(execution.Parameters.Options[TaskDefinitionOption], forceNewDeployment: false, rollbackTo: null, cancellationToken);
    }

    public Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken) =>
        DeploymentMeasurements.MeasureAsync(execution, cancellationToken);
}
