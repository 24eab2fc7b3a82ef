using System.Globalization;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.Ecs;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>
/// A deployment of a new image to the API's ECS service. People pick an image by tag; what is
/// requested and approved is its digest (an option, so in the parameters hash), and the task
/// definition names the image by digest, so what runs is exactly what was approved even if a tag
/// could move. Preflight: the image exists with that tag, its scan findings are under the
/// configured limits, the repository's tags are immutable, the service is at a steady state (the
/// engine adds the alarms, the safety switch and the locks). Run: a new revision that changes only
/// the image, <c>UpdateService</c>, the rollout followed to COMPLETED, then a bake under the stop
/// conditions. On any failure — the circuit breaker, a stop condition, a timeout — the service
/// goes back to the last <b>verified</b> revision (see <see cref="DeploymentHistory"/>).
/// With <see cref="ForceNewDeploymentOption"/> it restarts the tasks on the current revision instead
/// (after a secret rotation, so they read the new value).
/// </summary>
public sealed class EcsDeployment(PlatformRegistry platforms, DeploymentHistory history, IOptions<DeploymentOptions> options) : IOperationKind
{
    public const string KindKey = "ecs-deployment";

    /// <summary>Option: the tag people picked (shown; not what runs).</summary>
    public const string ImageTagOption = "imageTag";

    /// <summary>Option: the image's digest (<c>sha256:…</c>), resolved from the tag when the request is made: what is approved and deployed.</summary>
    public const string ImageDigestOption = "imageDigest";

    /// <summary>Option <c>true</c>: no new image, a forced new deployment of the current revision (tasks restart and read their secrets again).</summary>
    public const string ForceNewDeploymentOption = "forceNewDeployment";

    private const string RegisterCalledAt = "registerCalledAt";
    private const string NewTaskDefinition = "newTaskDefinition";
    private const string RollbackTo = "rollbackTo";

    private DeploymentOptions Options => options.Value;

    public string Key => KindKey;

    public string DisplayName => "ECS deployment";

    /// <summary>The bake (with its stop conditions) is part of the run, so that a failure there can still roll back.</summary>
    public TimeSpan VerificationWindow => TimeSpan.Zero;

    public IReadOnlyList<string> Targets(PortalEnvironment environment)
    {
        var platform = platforms.Connect(environment);
        return platform.Has<IEcs>() && platform.Has<IEcr>() ? [environment.Resources.EcsService] : [];
    }

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) => EcsLocks.For(environment, target);

    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) => EcsLocks.StopConditions(environment);

    public static bool IsRestart(OperationParameters parameters) =>
        string.Equals(parameters.Options.GetValueOrDefault(ForceNewDeploymentOption), "true", StringComparison.OrdinalIgnoreCase);

    public async Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
        var primary = EcsServiceRollout.Primary(service);
        return new TargetSnapshot(new Dictionary<string, string>
        {
            ["taskDefinition"] = service.TaskDefinition,
            ["deployments"] = service.Deployments.Count.ToString(CultureInfo.InvariantCulture),
            ["rolloutState"] = primary?.RolloutState ?? "none",
            ["desiredCount"] = service.DesiredCount.ToString(CultureInfo.InvariantCulture),
        });
    }

    public async Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        Service service;
        TaskDefinition current;
        try
        {
            service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
            current = (await context.Platform.Get<IEcs>().DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = service.TaskDefinition }, cancellationToken)).TaskDefinition;
        }
        catch (Exception e) when (e is OperationFailedException or PlatformServiceException)
        {
            return [new PreflightCheck("Service found", false, e.Message)];
        }
        var primary = EcsServiceRollout.Primary(service);
        checks.Add(EcsServiceRollout.IsSteady(service)
            ? new PreflightCheck("Service at steady state", true, $"{service.ServiceName} runs {service.RunningCount} of {service.DesiredCount} tasks of {EcsServiceRollout.Revision(service.TaskDefinition)}, rollout COMPLETED.")
            : new PreflightCheck("Service at steady state", false,
                $"{service.ServiceName} is not at a steady state: {service.Deployments.Count} deployment(s), primary {primary?.RolloutState ?? "none"} ({primary?.RolloutStateReason}), {service.RunningCount} of {service.DesiredCount} running, {service.PendingCount} pending. Wait for it, or roll back."));
        var verified = await history.LastVerifiedAsync(context.Environment.Key, context.Target, cancellationToken);
        checks.Add(new PreflightCheck("Rollback target", true, verified is null
            ? $"No run has verified a revision yet: a failure goes back to {EcsServiceRollout.Revision(service.TaskDefinition)}, which serves at a steady state now."
            : $"A failure goes back to the last verified revision {EcsServiceRollout.Revision(verified)}."));
        if (IsRestart(context.Parameters))
        {
            return checks;
        }
        var container = current.Container();
        if (container is null || !TryRepository(container.Image, out var registry, out var repository))
        {
            checks.Add(new PreflightCheck("Image exists", false, $"The task definition's image {container?.Image ?? "(none)"} is not an ECR image; the portal deploys ECR images only."));
            return checks;
        }
        var tag = context.Parameters.Options.GetValueOrDefault(ImageTagOption);
        var digest = context.Parameters.Options.GetValueOrDefault(ImageDigestOption);
        if (string.IsNullOrWhiteSpace(tag) || string.IsNullOrWhiteSpace(digest) || !digest.StartsWith("sha256:", StringComparison.Ordinal))
        {
            checks.Add(new PreflightCheck("Image exists", false, "Pick an image by tag: the request carries its tag and its sha256 digest."));
            return checks;
        }
        var ecr = context.Platform.Get<IEcr>();
        ImageDetail? image = null;
        try
        {
            image = (await ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, RegistryId = registry, ImageIds = [new ImageIdentifier { ImageDigest = digest }] }, cancellationToken))
                .ImageDetails.FirstOrDefault();
        }
        catch (EcrImageNotFoundException)
        {
            // Reported below.
        }
        catch (PlatformServiceException e)
        {
            checks.Add(new PreflightCheck("Image exists", false, $"ECR refused DescribeImages: {e.ErrorCode}: {e.Message}"));
            return checks;
        }
        checks.Add(image is null
            ? new PreflightCheck("Image exists", false, $"{repository} holds no image {Short(digest)}.")
            : !image.ImageTags.Contains(tag)
                ? new PreflightCheck("Image exists", false, $"{repository}@{Short(digest)} is not tagged {tag} (its tags: {string.Join(", ", image.ImageTags.DefaultIfEmpty("none"))}).")
                : new PreflightCheck("Image exists", true, $"{repository}:{tag} is {Short(digest)}, pushed {image.ImagePushedAt:yyyy-MM-dd HH:mm} UTC."));
        if (image is not null)
        {
            checks.Add(ScanCheck(image));
            checks.Add(container.Image.EndsWith("@" + digest, StringComparison.Ordinal)
                ? new PreflightCheck("New image", false, $"{service.ServiceName} already runs {Short(digest)}; to restart its tasks request a forced new deployment.")
                : new PreflightCheck("New image", true, $"Replaces {ImageName(container.Image)}."));
        }
        try
        {
            var repo = (await ecr.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RegistryId = registry, RepositoryNames = [repository] }, cancellationToken)).Repositories.Single();
            checks.Add(new PreflightCheck("Tag immutability", repo.ImageTagMutability == "IMMUTABLE",
                repo.ImageTagMutability == "IMMUTABLE" ? $"{repository} has immutable tags." : $"{repository} has {repo.ImageTagMutability} tags: a tag could be moved to another image; make the repository's tags immutable."));
        }
        catch (PlatformServiceException e)
        {
            checks.Add(new PreflightCheck("Tag immutability", false, $"ECR refused DescribeRepositories: {e.ErrorCode}: {e.Message}"));
        }
        return checks;
    }

    private PreflightCheck ScanCheck(ImageDetail image)
    {
        if (image.ImageScanStatus?.Status != "COMPLETE" || image.ImageScanFindingsSummary is null)
        {
            return new PreflightCheck("Scan findings", false, $"The image's scan is {image.ImageScanStatus?.Status ?? "missing"}: deploy only scanned images.");
        }
        var counts = image.ImageScanFindingsSummary.FindingSeverityCounts;
        var critical = counts.GetValueOrDefault("CRITICAL");
        var high = counts.GetValueOrDefault("HIGH");
        var summary = counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Value} {c.Key}"));
        var passed = critical <= Options.MaxCriticalFindings && high <= Options.MaxHighFindings;
        return new PreflightCheck("Scan findings", passed, passed
            ? $"Findings: {summary}; within the limits ({Options.MaxCriticalFindings} CRITICAL, {Options.MaxHighFindings} HIGH)."
            : $"Findings: {summary}; over the limits of {Options.MaxCriticalFindings} CRITICAL and {Options.MaxHighFindings} HIGH. Fix the image or change Operations:Deployments:MaxCriticalFindings/MaxHighFindings.");
    }

    public async Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var service = await EcsServiceRollout.DescribeAsync(context, cancellationToken);
        var verified = await history.LastVerifiedAsync(context.Environment.Key, context.Target, cancellationToken) ?? service.TaskDefinition;
        var current = EcsServiceRollout.Revision(service.TaskDefinition);
        var bake = $"Bake for {Options.BakeTime.TotalMinutes:0.#} minutes under the stop conditions; the revision is then verified.";
        var rollback = $"On a failed rollout, a stop condition or a timeout: UpdateService back to the last verified revision {EcsServiceRollout.Revision(verified)} and wait until it serves.";
        if (IsRestart(context.Parameters))
        {
            return new OperationPlan(
            [
                $"UpdateService with forceNewDeployment on {current}: new tasks start (and read their secrets), then the old ones stop.",
                "Follow the rollout until COMPLETED.", bake, rollback,
            ], new Dictionary<string, string> { ["taskDefinition"] = current, ["rollbackTo"] = EcsServiceRollout.Revision(verified) });
        }
        var digest = context.Parameters.Options.GetValueOrDefault(ImageDigestOption) ?? "?";
        return new OperationPlan(
        [
            $"Register a new revision of {current.Split(':')[0]} identical to {current} but for the image: {context.Parameters.Options.GetValueOrDefault(ImageTagOption)} by digest {Short(digest)}.",
            $"UpdateService to it: rolling, minimum healthy {service.DeploymentConfiguration?.MinimumHealthyPercent ?? 100} %, maximum {service.DeploymentConfiguration?.MaximumPercent ?? 200} %, circuit breaker {(service.DeploymentConfiguration?.DeploymentCircuitBreaker is { Enable: true } cb ? (cb.Rollback ? "with rollback" : "on") : "off")}.",
            "Follow the rollout and the service's events until COMPLETED.", bake, rollback,
        ], new Dictionary<string, string> { ["currentRevision"] = current, ["rollbackTo"] = EcsServiceRollout.Revision(verified), ["imageDigest"] = digest });
    }

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var rollout = new EcsServiceRollout(execution, Options);
        await rollout.RememberBeforeAsync(cancellationToken);
        if (!execution.Checkpoint.ContainsKey(RollbackTo))
        {
            // Chosen when the run starts: the newest revision a run verified, or the one serving at a steady state now.
            var verified = await history.LastVerifiedAsync(execution.Environment.Key, execution.Target, cancellationToken);
            await execution.SaveAsync(RollbackTo, verified ?? execution.Checkpoint[EcsServiceRollout.PreviousTaskDefinition], cancellationToken);
        }
        string taskDefinition;
        if (IsRestart(execution.Parameters))
        {
            taskDefinition = execution.Checkpoint[EcsServiceRollout.PreviousTaskDefinition];
        }
        else
        {
            taskDefinition = await RegisterAsync(execution, rollout, cancellationToken);
        }
        await rollout.DeployAndBakeAsync(taskDefinition, IsRestart(execution.Parameters), execution.Checkpoint[RollbackTo], cancellationToken);
    }

    /// <summary>
    /// Stopped while no worker held it: if the run had called UpdateService, go back to the revision
    /// it chose to roll back to when it started, as a stop during the rollout does.
    /// </summary>
    public async Task<string> UndoAfterStopAsync(OperationExecution execution, string reason, CancellationToken cancellationToken)
    {
        if (!execution.Checkpoint.ContainsKey(EcsServiceRollout.UpdateCalledAt) || !execution.Checkpoint.TryGetValue(RollbackTo, out var target))
        {
            return $"{reason} The service was not changed.";
        }
        var seconds = await new EcsServiceRollout(execution, Options).RollBackAsync(target, reason, cancellationToken);
        return $"{reason} Rolled back to the last verified revision {EcsServiceRollout.Revision(target)}: serving again {seconds} s after the stop.";
    }

    /// <summary>Registers the revision with the new image once: after a restart, a revision registered since the call is taken as ours.</summary>
    private static async Task<string> RegisterAsync(OperationExecution execution, EcsServiceRollout rollout, CancellationToken cancellationToken)
    {
        if (execution.Checkpoint.TryGetValue(NewTaskDefinition, out var registered))
        {
            return registered;
        }
        var source = await rollout.DescribeTaskDefinitionAsync(execution.Checkpoint[EcsServiceRollout.PreviousTaskDefinition], cancellationToken);
        var container = source.Container() ?? throw new OperationFailedException($"Task definition {source.Family}:{source.Revision} has no essential container.");
        var image = ImageName(container.Image) + "@" + execution.Parameters.Options[ImageDigestOption];
        var ecs = execution.Platform.Get<IEcs>();
        if (execution.Checkpoint.TryGetValue(RegisterCalledAt, out var calledText))
        {
            var latest = await rollout.DescribeTaskDefinitionAsync(source.Family, cancellationToken);
            if (latest.Container(container.Name)?.Image == image && latest.RegisteredAt >= AuditCanonical.ParseTimestamp(calledText) - TimeSpan.FromSeconds(1))
            {
                await execution.SaveAsync(NewTaskDefinition, latest.TaskDefinitionArn, cancellationToken);
                return latest.TaskDefinitionArn;
            }
        }
        await execution.RecordCallAsync(RegisterCalledAt, $"RegisterTaskDefinition(family={source.Family}, from revision {source.Revision}, container {container.Name} image → {image})", cancellationToken);
        TaskDefinition created;
        try
        {
            created = (await ecs.RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest.WithImage(source, container.Name, image), cancellationToken)).TaskDefinition;
        }
        catch (PlatformServiceException e)
        {
            throw new OperationFailedException($"ECS refused RegisterTaskDefinition: {e.ErrorCode}: {e.Message}", e);
        }
        await execution.SaveAsync(NewTaskDefinition, created.TaskDefinitionArn, cancellationToken);
        await execution.RecordMeasurementAsync($"Registered {created.Family}:{created.Revision} (image {Short(execution.Parameters.Options[ImageDigestOption])}).", cancellationToken);
        return created.TaskDefinitionArn;
    }

    public Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken) =>
        DeploymentMeasurements.MeasureAsync(execution, cancellationToken);

    /// <summary>The repository URI without tag or digest.</summary>
    internal static string ImageName(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return image[..at];
        }
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }

    /// <summary>Registry id and repository name of an ECR image URI (<c>{registry}.dkr.ecr.{region}.amazonaws.com/{repository}[:tag|@digest]</c>).</summary>
    internal static bool TryRepository(string image, out string registry, out string repository)
    {
        var name = ImageName(image);
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var host = slash > 0 ? name[..slash] : "";
        registry = host.Split('.')[0];
        repository = slash > 0 ? name[(slash + 1)..] : "";
        return host.Contains(".dkr.ecr.", StringComparison.Ordinal) && repository.Length > 0;
    }

    internal static string Short(string digest) => digest.Length > 19 ? digest[..19] + "…" : digest;
}
