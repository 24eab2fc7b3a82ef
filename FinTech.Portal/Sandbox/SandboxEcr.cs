using System.Collections.Immutable;
using System.Globalization;
using FinTech.Portal.Platform.Ecr;

namespace FinTech.Portal.Sandbox;

/// <summary>One image of a Sandbox repository, with what the simulated ECS does when it runs it.</summary>
public sealed record SandboxImage(
    string RepositoryName, string Digest, IReadOnlyList<string> Tags, DateTimeOffset PushedAt, long SizeInBytes,
    IReadOnlyDictionary<string, int> Findings, bool CrashesOnStart, string ReleaseNote);

/// <summary>
/// The simulated ECR of a Sandbox environment: the API's and the portal's repositories with a
/// release history — versioned, immutable tags and their digests, scan findings on some images
/// (one with a critical CVE), and one build whose tasks crash on start, so a deployment preflight
/// and the ECS circuit breaker have something real to catch. Deterministic from the seed.
/// </summary>
public sealed class SandboxEcr : IEcr
{
    public const string RegistryId = SandboxSecretsManager.AccountId;
    public const string ApiRepository = "fintech/api";
    public const string PortalRepository = "fintech/portal";

    private static readonly string[] Severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED"];

    private readonly TimeProvider _time;
    private readonly DateTimeOffset _createdAt;
    private readonly ImmutableArray<SandboxImage> _images;

    public SandboxEcr(int seed, DateTimeOffset startedAt, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _time = timeProvider;
        _createdAt = startedAt.Date.AddDays(-400);
        _images = Releases(seed, startedAt);
    }

    /// <summary>Every image, oldest push first.</summary>
    public IReadOnlyList<SandboxImage> Images => _images;

    /// <summary>The image the API service runs when the platform starts.</summary>
    public SandboxImage RunningApiImage => _images.Last(i => i.RepositoryName == ApiRepository && i.Tags.Contains("v1.46.0"));

    public SandboxImage? FindImage(string repositoryName, string digest) =>
        _images.FirstOrDefault(i => i.RepositoryName == repositoryName && i.Digest == digest);

    public Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireRepository(request.RepositoryName);
        var pageSize = request.MaxResults ?? 100;
        if (pageSize is < 1 or > 1000)
        {
            throw new EcrInvalidParameterException($"maxResults must be between 1 and 1000, got {pageSize}.");
        }
        if (request.ImageIds.Count > 0 && (request.NextToken is not null || request.MaxResults is not null))
        {
            throw new EcrInvalidParameterException("nextToken and maxResults cannot be used with imageIds.");
        }
        var repository = _images.Where(i => i.RepositoryName == request.RepositoryName).ToList();
        IEnumerable<SandboxImage> images = repository;
        if (request.ImageIds.Count > 0)
        {
            images = request.ImageIds.Select(id => repository.FirstOrDefault(i => Matches(i, id))
                ?? throw new EcrImageNotFoundException(
                    $"The image with imageId {{imageDigest:'{id.ImageDigest ?? "null"}', imageTag:'{id.ImageTag ?? "null"}'}} does not exist within the repository with name '{request.RepositoryName}' in the registry with id '{RegistryId}'"))
                .Distinct();
        }
        images = request.TagStatus switch
        {
            null or "ANY" => images,
            "TAGGED" => images.Where(i => i.Tags.Count > 0),
            "UNTAGGED" => images.Where(i => i.Tags.Count == 0),
            _ => throw new EcrInvalidParameterException($"tagStatus must be TAGGED, UNTAGGED or ANY, got '{request.TagStatus}'."),
        };
        var all = images.ToList();
        var offset = ParseToken(request.NextToken, all.Count);
        var now = _time.GetUtcNow();
        var page = all.Skip(offset).Take(pageSize).Select(i => Detail(i, now)).ToList();
        return Task.FromResult(new DescribeImagesResponse
        {
            ImageDetails = page,
            NextToken = offset + page.Count < all.Count ? "ecr-" + (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null,
        });
    }

    public Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = request.RepositoryNames.Count > 0 ? request.RepositoryNames : [ApiRepository, PortalRepository];
        var repositories = names.Select(name =>
        {
            RequireRepository(name);
            return new Repository
            {
                RepositoryArn = $"arn:aws:ecr:{SandboxSecretsManager.Region}:{RegistryId}:repository/{name}",
                RegistryId = RegistryId,
                RepositoryName = name,
                RepositoryUri = $"{RegistryId}.dkr.ecr.{SandboxSecretsManager.Region}.amazonaws.com/{name}",
                CreatedAt = _createdAt,
                ImageTagMutability = "IMMUTABLE",
                ScanOnPush = true,
                EncryptionType = "KMS",
            };
        }).ToList();
        return Task.FromResult(new DescribeRepositoriesResponse { Repositories = repositories });
    }

    private static ImageDetail Detail(SandboxImage image, DateTimeOffset now) => new()
    {
        RegistryId = RegistryId,
        RepositoryName = image.RepositoryName,
        ImageDigest = image.Digest,
        ImageTags = image.Tags,
        ImageSizeInBytes = image.SizeInBytes,
        ImagePushedAt = image.PushedAt,
        ImageManifestMediaType = "application/vnd.oci.image.manifest.v1+json",
        ImageScanStatus = new ImageScanStatus("COMPLETE", "The scan was completed successfully."),
        ImageScanFindingsSummary = new ImageScanFindingsSummary
        {
            ImageScanCompletedAt = image.PushedAt.AddMinutes(2),
            VulnerabilitySourceUpdatedAt = now.Date,
            FindingSeverityCounts = image.Findings,
        },
        LastRecordedPullTime = image.Tags.Count > 0 ? image.PushedAt.AddMinutes(20) : null,
    };

    private static bool Matches(SandboxImage image, ImageIdentifier id) =>
        (id.ImageDigest is null || id.ImageDigest == image.Digest) && (id.ImageTag is null || image.Tags.Contains(id.ImageTag))
        && (id.ImageDigest is not null || id.ImageTag is not null);

    private static void RequireRepository(string name)
    {
        if (name is not (ApiRepository or PortalRepository))
        {
            throw new EcrRepositoryNotFoundException(
                $"The repository with name '{name}' does not exist in the registry with id '{RegistryId}'");
        }
    }

    private static int ParseToken(string? token, int count)
    {
        if (token is null)
        {
            return 0;
        }
        if (!token.StartsWith("ecr-", StringComparison.Ordinal)
            || !int.TryParse(token.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || offset > count)
        {
            throw new EcrInvalidParameterException("Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token was not issued by this service'.");
        }
        return offset;
    }

    private static ImmutableArray<SandboxImage> Releases(int seed, DateTimeOffset startedAt)
    {
        var day = startedAt.Date;
        var images = new List<SandboxImage>();
        void Add(string repository, string? tag, double daysAgo, string findings, bool crashes, string note)
        {
            var counts = findings.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select((n, i) => (Severity: Severities[i], Count: int.Parse(n, CultureInfo.InvariantCulture)))
                .Where(x => x.Count > 0)
                .ToDictionary(x => x.Severity, x => x.Count);
            var stream = SandboxNoise.Stream(seed, $"ecr:{repository}:{tag ?? "untagged"}:{daysAgo}", 0);
            var digest = "sha256:" + string.Concat(Enumerable.Range(0, 4).Select(i => SandboxNoise.Mix(stream + (ulong)i).ToString("x16", CultureInfo.InvariantCulture)));
            var size = 98_000_000L + (long)(SandboxNoise.Uniform(stream, 1) * 6_000_000);
            images.Add(new SandboxImage(repository, digest, tag is null ? [] : [tag], day.AddDays(-daysAgo).AddHours(9.5), size, counts, crashes, note));
        }
        // The API's release train: weekly releases, hotfixes, a build left untagged by a failed pipeline.
        // Findings are CRITICAL,HIGH,MEDIUM,LOW.
        Add(ApiRepository, "v1.43.0", 35, "0,0,2,5", false, "Settlement batch retries");
        Add(ApiRepository, "v1.44.0", 28, "0,0,2,4", false, "Card tokenisation v2");
        Add(ApiRepository, "v1.45.0", 21, "0,1,3,4", false, "Fraud score cache");
        Add(ApiRepository, "v1.45.1", 17, "0,0,3,4", false, "Hotfix: idempotency keys on refunds");
        Add(ApiRepository, null, 15, "0,0,3,4", false, "Untagged: pipeline failed after the push");
        Add(ApiRepository, "v1.46.0", 14, "0,0,1,3", false, "Payouts in EUR and GBP");
        Add(ApiRepository, "v1.46.1", 6, "0,0,1,3", true, "Config refactor: reads PAYMENTS__PSP_URL, which the task definition does not set (tasks exit on start)");
        Add(ApiRepository, "v1.47.0", 3, "1,4,6,3", false, "Upgrades the HTTP client (pulls in a library with a critical CVE)");
        Add(ApiRepository, "v1.47.1", 1, "0,0,1,2", false, "v1.47.0 with the library pinned to the fixed version");
        Add(PortalRepository, "2026.11.20", 11, "0,0,0,2", false, "Portal release");
        Add(PortalRepository, "2026.11.27", 4, "0,0,0,1", false, "Portal release");
        return [.. images];
    }
}
