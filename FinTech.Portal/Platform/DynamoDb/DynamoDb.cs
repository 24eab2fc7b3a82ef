namespace FinTech.Portal.Platform.DynamoDb;

/// <summary>
/// The DynamoDB actions the portal reads, shaped like the AWS SDK's <c>IAmazonDynamoDB</c> (the Aws
/// adapter maps AWSSDK.DynamoDBv2's types onto these, so the Sandbox needs no SDK).
/// </summary>
public interface IDynamoDb
{
    /// <summary><c>DescribeTable</c>; an unknown table is a <c>ResourceNotFoundException</c>.</summary>
    Task<DescribeTableResponse> DescribeTableAsync(DescribeTableRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeContinuousBackups</c>: whether point-in-time recovery is on, and its window.</summary>
    Task<DescribeContinuousBackupsResponse> DescribeContinuousBackupsAsync(DescribeContinuousBackupsRequest request, CancellationToken cancellationToken = default);
}

public sealed record DescribeTableRequest
{
    public required string TableName { get; init; }
}

public sealed record DescribeTableResponse
{
    public required TableDescription Table { get; init; }
}

/// <summary>A table as <c>DescribeTable</c> reports it (the members the portal reads).</summary>
public sealed record TableDescription
{
    public required string TableName { get; init; }

    public required string TableArn { get; init; }

    /// <summary><c>CREATING</c>, <c>UPDATING</c>, <c>DELETING</c>, <c>ACTIVE</c>, ...</summary>
    public required string TableStatus { get; init; }

    /// <summary>Approximate: DynamoDB refreshes it about every six hours.</summary>
    public required long ItemCount { get; init; }

    /// <summary>Approximate, like <see cref="ItemCount"/>.</summary>
    public required long TableSizeBytes { get; init; }

    public DateTimeOffset? CreationDateTime { get; init; }

    /// <summary>Null for a provisioned table created without a billing mode (DynamoDB omits it then).</summary>
    public BillingModeSummary? BillingModeSummary { get; init; }
}

public sealed record BillingModeSummary
{
    /// <summary><c>PROVISIONED</c> or <c>PAY_PER_REQUEST</c>.</summary>
    public required string BillingMode { get; init; }
}

public sealed record DescribeContinuousBackupsRequest
{
    public required string TableName { get; init; }
}

public sealed record DescribeContinuousBackupsResponse
{
    public required ContinuousBackupsDescription ContinuousBackupsDescription { get; init; }
}

public sealed record ContinuousBackupsDescription
{
    /// <summary><c>ENABLED</c> or <c>DISABLED</c>.</summary>
    public required string ContinuousBackupsStatus { get; init; }

    public PointInTimeRecoveryDescription? PointInTimeRecoveryDescription { get; init; }
}

public sealed record PointInTimeRecoveryDescription
{
    /// <summary><c>ENABLED</c> or <c>DISABLED</c>.</summary>
    public required string PointInTimeRecoveryStatus { get; init; }

    public DateTimeOffset? EarliestRestorableDateTime { get; init; }

    public DateTimeOffset? LatestRestorableDateTime { get; init; }
}
