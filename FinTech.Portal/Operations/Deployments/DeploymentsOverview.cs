using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>An image people may deploy: its tag, its digest and its scan findings.</summary>
public sealed record DeployableImage(string Tag, string Digest, DateTimeOffset? PushedAt, IReadOnlyDictionary<string, int> Findings)
{
    public string FindingsText => Findings.Count == 0 ? "no findings"
        : string.Join(", ", Findings.OrderBy(f => Array.IndexOf(Severities, f.Key)).Select(f => $"{f.Value} {f.Key}"));

    private static readonly string[] Severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];
}

/// <summary>What the Deployments page shows of a service: now, the images, the history and the last verified revision.</summary>
public sealed record DeploymentsSnapshot(
    string ServiceName,
    string TaskDefinition,
    string Image,
    string? ImageTag,
    string? Digest,
    string RolloutState,
    string? RolloutStateReason,
    int RunningCount,
    int DesiredCount,
    int PendingCount,
    IReadOnlyList<Deployment> Deployments,
    IReadOnlyList<ServiceEvent> Events,
    IReadOnlyList<DeployableImage> Images,
    string? LastVerified,
    IReadOnlyList<DeploymentRecord> History,
    string? PlatformError)
{
    /// <summary>
    /// What the one-click rollback goes back to: the newest revision a run verified other than the
    /// one serving (after a good deployment, the verified revision it replaced), if any.
    /// </summary>
    public string? RollbackTarget => TaskDefinition.Length == 0 ? null : History
        .Where(r => r.State == OperationState.Succeeded && r.ToTaskDefinition is not null && r.ToTaskDefinition != TaskDefinition)
        .OrderByDescending(r => r.FinishedAt)
        .Select(r => r.ToTaskDefinition)
        .FirstOrDefault();
}

/// <summary>
/// Reads what the Deployments page shows. ECS or ECR failing does not hide the history (read from
/// the portal's own runs): the page says what could not be read.
/// </summary>
public sealed class DeploymentsOverview(PlatformRegistry platforms, DeploymentHistory history)
{
    /// <summary>The most recent images offered (the repository may hold thousands).</summary>
    public const int ImagesShown = 30;

    public async Task<DeploymentsSnapshot> LoadAsync(PortalEnvironment environment, CancellationToken cancellationToken)
    {
        var service = environment.Resources.EcsService;
        var runs = await history.ListAsync(environment.Key, service, cancellationToken);
        var lastVerified = runs.Where(r => r.State == OperationState.Succeeded && r.ToTaskDefinition is not null)
            .OrderByDescending(r => r.FinishedAt).Select(r => r.ToTaskDefinition).FirstOrDefault();
        var platform = platforms.Connect(environment);
        if (!platform.Has<IEcs>() || !platform.Has<IEcr>())
        {
            return Empty(service, runs, lastVerified, $"{environment.DisplayName} offers no ECS and ECR ports: deployments are not available there.");
        }
        try
        {
            var ecs = platform.Get<IEcs>();
            var described = (await ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = environment.Resources.EcsCluster, Services = [service] }, cancellationToken))
                .Services.FirstOrDefault();
            if (described is null)
            {
                return Empty(service, runs, lastVerified, $"ECS does not know the service {service} in cluster {environment.Resources.EcsCluster}.");
            }
            var definition = (await ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = described.TaskDefinition }, cancellationToken)).TaskDefinition;
            var image = definition.Container()?.Image ?? "unknown";
            var digest = image.Contains('@', StringComparison.Ordinal) ? image[(image.IndexOf('@', StringComparison.Ordinal) + 1)..] : null;
            var images = EcsDeployment.TryRepository(image, out var registry, out var repository)
                ? await ImagesAsync(platform.Get<IEcr>(), registry, repository, cancellationToken)
                : [];
            var primary = EcsServiceRollout.Primary(described);
            return new DeploymentsSnapshot(service, described.TaskDefinition, image, images.FirstOrDefault(i => i.Digest == digest)?.Tag, digest,
                primary?.RolloutState ?? "none", primary?.RolloutStateReason, described.RunningCount, described.DesiredCount, described.PendingCount,
                described.Deployments, described.Events.Take(12).ToList(), images, lastVerified, runs, null);
        }
        catch (Exception e) when (e is PlatformUnavailableException or PlatformServiceException)
        {
            var message = e is PlatformServiceException s ? $"{s.ErrorCode}: {s.Message}" : e.Message;
            return Empty(service, runs, lastVerified, $"The service could not be read: {message}");
        }
    }

    private static async Task<IReadOnlyList<DeployableImage>> ImagesAsync(IEcr ecr, string registry, string repository, CancellationToken cancellationToken)
    {
        var images = new List<ImageDetail>();
        string? token = null;
        do
        {
            var page = await ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, RegistryId = registry, TagStatus = "TAGGED", NextToken = token }, cancellationToken);
            images.AddRange(page.ImageDetails);
            token = page.NextToken;
        }
        while (token is not null && images.Count < 1000);
        return images.OrderByDescending(i => i.ImagePushedAt)
            .SelectMany(i => i.ImageTags.Select(tag => new DeployableImage(tag, i.ImageDigest, i.ImagePushedAt,
                i.ImageScanFindingsSummary?.FindingSeverityCounts ?? new Dictionary<string, int>())))
            .Take(ImagesShown)
            .ToList();
    }

    private static DeploymentsSnapshot Empty(string service, IReadOnlyList<DeploymentRecord> runs, string? lastVerified, string error) =>
        new(service, "", "", null, null, "unknown", null, 0, 0, 0, [], [], [], lastVerified, runs, error);
}
