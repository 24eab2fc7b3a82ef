using System.Net;

namespace FinTech.Portal.Platform.Ecr;

/// <summary>
/// The ECR calls the portal makes, shaped like the AWS SDK's <c>IAmazonECR</c>: which images a
/// repository holds (tags, digests, scan findings) and how the repository is configured (tag
/// immutability, scan on push). A deployment is approved for a digest, never for a movable tag.
/// </summary>
public interface IEcr
{
    /// <summary><c>DescribeImages</c>, paged by <c>nextToken</c>; newest pushes last, as ECR returns them unordered.</summary>
    /// <exception cref="EcrRepositoryNotFoundException">No such repository.</exception>
    /// <exception cref="EcrImageNotFoundException">An image id was asked for that the repository does not hold.</exception>
    Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeRepositories</c>.</summary>
    /// <exception cref="EcrRepositoryNotFoundException">A named repository does not exist.</exception>
    Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default);
}

/// <summary><c>ImageIdentifier</c>: a tag or a digest.</summary>
public sealed record ImageIdentifier
{
    public string? ImageDigest { get; init; }
    public string? ImageTag { get; init; }
}

public sealed record DescribeImagesRequest
{
    public required string RepositoryName { get; init; }
    public string? RegistryId { get; init; }

    /// <summary>Only these images; empty means all.</summary>
    public IReadOnlyList<ImageIdentifier> ImageIds { get; init; } = [];

    /// <summary><c>TAGGED</c>, <c>UNTAGGED</c> or <c>ANY</c> (null).</summary>
    public string? TagStatus { get; init; }

    /// <summary>1 to 1000; null means 100.</summary>
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
}

public sealed record DescribeImagesResponse
{
    public required IReadOnlyList<ImageDetail> ImageDetails { get; init; }
    public string? NextToken { get; init; }
}

public sealed record ImageDetail
{
    public required string RegistryId { get; init; }
    public required string RepositoryName { get; init; }
    public required string ImageDigest { get; init; }
    public IReadOnlyList<string> ImageTags { get; init; } = [];
    public long? ImageSizeInBytes { get; init; }
    public DateTimeOffset? ImagePushedAt { get; init; }
    public ImageScanStatus? ImageScanStatus { get; init; }
    public ImageScanFindingsSummary? ImageScanFindingsSummary { get; init; }
    public string? ImageManifestMediaType { get; init; }
    public DateTimeOffset? LastRecordedPullTime { get; init; }
}

/// <summary><c>ImageScanStatus</c>: <c>COMPLETE</c>, <c>IN_PROGRESS</c>, <c>FAILED</c>, ...</summary>
public sealed record ImageScanStatus(string Status, string? Description);

/// <summary><c>ImageScanFindingsSummary</c>: counts per severity (<c>CRITICAL</c>, <c>HIGH</c>, <c>MEDIUM</c>, <c>LOW</c>, <c>INFORMATIONAL</c>, <c>UNDEFINED</c>).</summary>
public sealed record ImageScanFindingsSummary
{
    public DateTimeOffset? ImageScanCompletedAt { get; init; }
    public DateTimeOffset? VulnerabilitySourceUpdatedAt { get; init; }
    public IReadOnlyDictionary<string, int> FindingSeverityCounts { get; init; } = new Dictionary<string, int>();
}

public sealed record DescribeRepositoriesRequest
{
    public string? RegistryId { get; init; }

    /// <summary>Only these repositories; empty means all.</summary>
    public IReadOnlyList<string> RepositoryNames { get; init; } = [];
    public int? MaxResults { get; init; }
    public string? NextToken { get; init; }
}

public sealed record DescribeRepositoriesResponse
{
    public required IReadOnlyList<Repository> Repositories { get; init; }
    public string? NextToken { get; init; }
}

public sealed record Repository
{
    public required string RepositoryArn { get; init; }
    public required string RegistryId { get; init; }
    public required string RepositoryName { get; init; }
    public required string RepositoryUri { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary><c>MUTABLE</c> or <c>IMMUTABLE</c>.</summary>
    public required string ImageTagMutability { get; init; }
    public bool ScanOnPush { get; init; }

    /// <summary><c>AES256</c> or <c>KMS</c>.</summary>
    public string? EncryptionType { get; init; }
}

// ECR errors, named after the codes on the wire.

/// <summary><c>RepositoryNotFoundException</c>.</summary>
public sealed class EcrRepositoryNotFoundException(string message)
    : PlatformServiceException("RepositoryNotFoundException", HttpStatusCode.BadRequest, message);

/// <summary><c>ImageNotFoundException</c>.</summary>
public sealed class EcrImageNotFoundException(string message)
    : PlatformServiceException("ImageNotFoundException", HttpStatusCode.BadRequest, message);

/// <summary><c>InvalidParameterException</c>: a malformed request (page size, token, tag status).</summary>
public sealed class EcrInvalidParameterException(string message)
    : PlatformServiceException("InvalidParameterException", HttpStatusCode.BadRequest, message);
