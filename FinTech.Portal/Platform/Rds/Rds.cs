namespace FinTech.Portal.Platform.Rds;

/// <summary>
/// The RDS actions the portal takes, shaped like the AWS SDK's <c>IAmazonRDS</c> so that the SDK
/// can replace the Aws adapter later. Faults come as the typed exceptions in this namespace
/// (all <see cref="PlatformServiceException"/> carrying the AWS error code).
/// </summary>
public interface IRds
{
    /// <summary>
    /// <c>FailoverDBCluster</c>: starts a failover of an Aurora cluster to
    /// <see cref="FailoverDBClusterRequest.TargetDBInstanceIdentifier"/> (or the reader RDS picks)
    /// and returns at once with the cluster in status <c>failing-over</c>; completion shows in
    /// <see cref="DescribeEventsAsync"/> (<c>RDS-EVENT-0071</c>) and <see cref="DescribeDBClustersAsync"/>.
    /// </summary>
    /// <exception cref="DBClusterNotFoundException">No such cluster.</exception>
    /// <exception cref="InvalidDBClusterStateException">The cluster is not <c>available</c> (a failover already runs, ...).</exception>
    /// <exception cref="InvalidDBInstanceStateException">The target is the writer already, or not available.</exception>
    /// <exception cref="DBInstanceNotFoundException">The target is not a member of the cluster.</exception>
    Task<FailoverDBClusterResponse> FailoverDBClusterAsync(FailoverDBClusterRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeDBClusters</c>, paged by <c>Marker</c>.</summary>
    /// <exception cref="DBClusterNotFoundException">An identifier was given and no such cluster exists.</exception>
    Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeEvents</c> (oldest first, as RDS returns them), paged by <c>Marker</c>.</summary>
    Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default);
}

public sealed record FailoverDBClusterRequest
{
    public required string DBClusterIdentifier { get; init; }

    /// <summary>The reader to promote; null lets RDS choose (lowest promotion tier first).</summary>
    public string? TargetDBInstanceIdentifier { get; init; }
}

public sealed record FailoverDBClusterResponse
{
    public required DBCluster DBCluster { get; init; }
}

public sealed record DescribeDBClustersRequest
{
    public string? DBClusterIdentifier { get; init; }

    /// <summary>20 to 100; null means 100.</summary>
    public int? MaxRecords { get; init; }

    public string? Marker { get; init; }
}

public sealed record DescribeDBClustersResponse
{
    public required IReadOnlyList<DBCluster> DBClusters { get; init; }

    /// <summary>Pass back to get the next page; null on the last page.</summary>
    public string? Marker { get; init; }
}

/// <summary>An Aurora cluster as <c>DescribeDBClusters</c> reports it (the members the portal reads).</summary>
public sealed record DBCluster
{
    public required string DBClusterIdentifier { get; init; }

    public required string DBClusterArn { get; init; }

    public required string Engine { get; init; }

    public required string EngineVersion { get; init; }

    /// <summary><c>available</c>, <c>failing-over</c>, <c>modifying</c>, ...</summary>
    public required string Status { get; init; }

    public required bool MultiAZ { get; init; }

    public required string Endpoint { get; init; }

    public required string ReaderEndpoint { get; init; }

    public required IReadOnlyList<string> AvailabilityZones { get; init; }

    public required IReadOnlyList<DBClusterMember> DBClusterMembers { get; init; }
}

public sealed record DBClusterMember
{
    public required string DBInstanceIdentifier { get; init; }

    public required bool IsClusterWriter { get; init; }

    public required int PromotionTier { get; init; }

    public string DBClusterParameterGroupStatus { get; init; } = "in-sync";
}

public sealed record DescribeEventsRequest
{
    public string? SourceIdentifier { get; init; }

    /// <summary>One of <see cref="SourceType"/>; the portal asks for <see cref="SourceType.DbCluster"/>.</summary>
    public string? SourceType { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Minutes back from now when <see cref="StartTime"/> is not given; RDS defaults to 60.</summary>
    public int? Duration { get; init; }

    public IReadOnlyList<string>? EventCategories { get; init; }

    /// <summary>20 to 100; null means 100.</summary>
    public int? MaxRecords { get; init; }

    public string? Marker { get; init; }
}

public sealed record DescribeEventsResponse
{
    public required IReadOnlyList<Event> Events { get; init; }

    public string? Marker { get; init; }
}

/// <summary>An RDS event (<c>DescribeEvents</c>).</summary>
public sealed record Event
{
    public required string SourceIdentifier { get; init; }

    public required string SourceType { get; init; }

    public required string Message { get; init; }

    public required IReadOnlyList<string> EventCategories { get; init; }

    public required DateTimeOffset Date { get; init; }

    public required string SourceArn { get; init; }

    /// <summary>
    /// The RDS event id (<c>RDS-EVENT-0073</c>), as EventBridge and SNS notifications carry it.
    /// <c>DescribeEvents</c> itself does not return it: an Aws adapter fills it from the message
    /// where it recognises one, so it may be null.
    /// </summary>
    public string? EventId { get; init; }
}

/// <summary>RDS <c>SourceType</c> values.</summary>
public static class SourceType
{
    public const string DbCluster = "db-cluster";
    public const string DbInstance = "db-instance";
}

/// <summary>RDS event ids the portal reads.</summary>
public static class RdsEventIds
{
    /// <summary>"Started cross AZ failover to DB instance: X".</summary>
    public const string FailoverStarted = "RDS-EVENT-0073";

    /// <summary>"Completed failover to DB instance: X".</summary>
    public const string FailoverCompleted = "RDS-EVENT-0071";
}
