using System.Net;

namespace FinTech.Portal.Platform.SecretsManager;

/// <summary>
/// The Secrets Manager calls the portal makes, shaped like the AWS SDK's <c>IAmazonSecretsManager</c>.
/// Metadata only: the portal never calls <c>GetSecretValue</c>, so no secret value can reach a
/// page, a log line, the audit trail or evidence through this port.
/// </summary>
public interface ISecretsManager
{
    /// <summary><c>ListSecrets</c>, paged by <c>NextToken</c>.</summary>
    Task<ListSecretsResponse> ListSecretsAsync(ListSecretsRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeSecret</c>: metadata, rotation settings and the version stages.</summary>
    /// <exception cref="SecretsManagerResourceNotFoundException">No such secret.</exception>
    Task<DescribeSecretResponse> DescribeSecretAsync(DescribeSecretRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>RotateSecret</c>: starts a rotation now and returns the new version's id at once; the
    /// rotation function then runs createSecret → setSecret → testSecret → finishSecret, visible in
    /// <see cref="DescribeSecretAsync"/> as AWSPENDING on the new version, then AWSCURRENT moving to it.
    /// A repeated call with the same <see cref="RotateSecretRequest.ClientRequestToken"/> is idempotent.
    /// </summary>
    /// <exception cref="SecretsManagerInvalidRequestException">A previous rotation isn't complete, or rotation is not configured.</exception>
    /// <exception cref="SecretsManagerResourceNotFoundException">No such secret.</exception>
    Task<RotateSecretResponse> RotateSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The staging labels Secrets Manager and rotation functions use.</summary>
public static class VersionStages
{
    public const string Current = "AWSCURRENT";
    public const string Pending = "AWSPENDING";
    public const string Previous = "AWSPREVIOUS";
}

public sealed record ListSecretsRequest
{
    /// <summary>1 to 100; null means 100.</summary>
    public int? MaxResults { get; init; }

    public string? NextToken { get; init; }

    /// <summary>Filters such as <c>name</c> (prefix match) or <c>tag-key</c>.</summary>
    public IReadOnlyList<SecretsFilter> Filters { get; init; } = [];
}

/// <summary><c>Filter</c>: key <c>name</c>, <c>description</c>, <c>tag-key</c>, <c>tag-value</c>, <c>owning-service</c> or <c>all</c>.</summary>
public sealed record SecretsFilter(string Key, IReadOnlyList<string> Values);

public sealed record ListSecretsResponse
{
    public required IReadOnlyList<SecretListEntry> SecretList { get; init; }

    public string? NextToken { get; init; }
}

/// <summary><c>RotationRulesType</c>.</summary>
public sealed record RotationRulesType
{
    public long? AutomaticallyAfterDays { get; init; }

    /// <summary>Rotation window, e.g. <c>3h</c>.</summary>
    public string? Duration { get; init; }

    /// <summary><c>rate(30 days)</c> or <c>cron(...)</c>.</summary>
    public string? ScheduleExpression { get; init; }
}

public sealed record SecretTag(string Key, string Value);

/// <summary>What <c>ListSecrets</c> returns for a secret (no value, ever).</summary>
public sealed record SecretListEntry
{
    public required string ARN { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? KmsKeyId { get; init; }
    public bool? RotationEnabled { get; init; }
    public string? RotationLambdaARN { get; init; }
    public RotationRulesType? RotationRules { get; init; }
    public DateTimeOffset? LastRotatedDate { get; init; }
    public DateTimeOffset? LastChangedDate { get; init; }
    public DateTimeOffset? LastAccessedDate { get; init; }
    public DateTimeOffset? NextRotationDate { get; init; }
    public IReadOnlyList<SecretTag> Tags { get; init; } = [];

    /// <summary>Version id → staging labels.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SecretVersionsToStages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The service that manages the secret, e.g. <c>rds</c> for an RDS-managed master password.</summary>
    public string? OwningService { get; init; }
    public DateTimeOffset? CreatedDate { get; init; }
    public string? PrimaryRegion { get; init; }
}

public sealed record DescribeSecretRequest
{
    /// <summary>The secret's name or ARN.</summary>
    public required string SecretId { get; init; }
}

public sealed record DescribeSecretResponse
{
    public required string ARN { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? KmsKeyId { get; init; }
    public bool? RotationEnabled { get; init; }
    public string? RotationLambdaARN { get; init; }
    public RotationRulesType? RotationRules { get; init; }
    public DateTimeOffset? LastRotatedDate { get; init; }
    public DateTimeOffset? LastChangedDate { get; init; }
    public DateTimeOffset? LastAccessedDate { get; init; }
    public DateTimeOffset? NextRotationDate { get; init; }
    public IReadOnlyList<SecretTag> Tags { get; init; } = [];

    /// <summary>Version id → staging labels; versions without a label are not listed.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VersionIdsToStages { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    public string? OwningService { get; init; }
    public DateTimeOffset? CreatedDate { get; init; }
    public string? PrimaryRegion { get; init; }

    /// <summary>The version that holds <paramref name="stage"/>, if any.</summary>
    public string? VersionWith(string stage) =>
        VersionIdsToStages.FirstOrDefault(v => v.Value.Contains(stage)).Key;
}

public sealed record RotateSecretRequest
{
    public required string SecretId { get; init; }

    /// <summary>Idempotency token that becomes the new version's id (32–64 characters).</summary>
    public string? ClientRequestToken { get; init; }

    /// <summary>True (the default) rotates now; false only checks the rotation configuration.</summary>
    public bool? RotateImmediately { get; init; }
}

public sealed record RotateSecretResponse
{
    public required string ARN { get; init; }
    public required string Name { get; init; }

    /// <summary>The id of the version the rotation creates.</summary>
    public string? VersionId { get; init; }
}

// Secrets Manager errors, named after the codes on the wire (the SDK names its exception types the same).

/// <summary><c>ResourceNotFoundException</c>.</summary>
public sealed class SecretsManagerResourceNotFoundException(string message)
    : PlatformServiceException("ResourceNotFoundException", HttpStatusCode.BadRequest, message);

/// <summary><c>InvalidRequestException</c>: e.g. "A previous rotation isn't complete. That rotation will be reattempted."</summary>
public sealed class SecretsManagerInvalidRequestException(string message)
    : PlatformServiceException("InvalidRequestException", HttpStatusCode.BadRequest, message);

/// <summary><c>InvalidParameterException</c>: a parameter is malformed (a token of the wrong length, a bad page size).</summary>
public sealed class SecretsManagerInvalidParameterException(string message)
    : PlatformServiceException("InvalidParameterException", HttpStatusCode.BadRequest, message);

/// <summary><c>InvalidNextTokenException</c>: a paging token the service did not issue.</summary>
public sealed class SecretsManagerInvalidNextTokenException(string message)
    : PlatformServiceException("InvalidNextTokenException", HttpStatusCode.BadRequest, message);
