namespace FinTech.Portal.Platform.ElastiCache;

/// <summary>
/// The ElastiCache actions the portal takes, shaped like the AWS SDK's <c>IAmazonElastiCache</c>.
/// Faults come as the typed exceptions in this namespace (all <see cref="PlatformServiceException"/>
/// carrying the AWS error code).
/// </summary>
public interface IElastiCache
{
    /// <summary>
    /// <c>TestFailover</c>: fails the primary of one node group over to a replica and returns at
    /// once with the replication group in status <c>modifying</c>; progress shows in
    /// <see cref="DescribeEventsAsync"/> and <see cref="DescribeReplicationGroupsAsync"/>.
    /// </summary>
    /// <exception cref="ReplicationGroupNotFoundException">No such replication group.</exception>
    /// <exception cref="NodeGroupNotFoundException">No such node group in it.</exception>
    /// <exception cref="InvalidReplicationGroupStateException">The group is not <c>available</c>.</exception>
    /// <exception cref="TestFailoverNotAvailableException">The quota (15 node groups per rolling 24 h) is used up.</exception>
    Task<TestFailoverResponse> TestFailoverAsync(TestFailoverRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeReplicationGroups</c>, paged by <c>Marker</c>.</summary>
    /// <exception cref="ReplicationGroupNotFoundException">An id was given and no such group exists.</exception>
    Task<DescribeReplicationGroupsResponse> DescribeReplicationGroupsAsync(DescribeReplicationGroupsRequest request, CancellationToken cancellationToken = default);

    /// <summary><c>DescribeEvents</c> (newest first, as ElastiCache returns them), paged by <c>Marker</c>.</summary>
    Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default);
}

public sealed record TestFailoverRequest
{
    public required string ReplicationGroupId { get; init; }

    /// <summary>The node group (shard) to fail over: <c>0001</c> for a cluster-mode-disabled group.</summary>
    public required string NodeGroupId { get; init; }
}

public sealed record TestFailoverResponse
{
    public required ReplicationGroup ReplicationGroup { get; init; }
}

public sealed record DescribeReplicationGroupsRequest
{
    public string? ReplicationGroupId { get; init; }

    /// <summary>20 to 100; null means 100.</summary>
    public int? MaxRecords { get; init; }

    public string? Marker { get; init; }
}

public sealed record DescribeReplicationGroupsResponse
{
    public required IReadOnlyList<ReplicationGroup> ReplicationGroups { get; init; }

    public string? Marker { get; init; }
}

/// <summary>A Redis replication group as <c>DescribeReplicationGroups</c> reports it (the members the portal reads).</summary>
public sealed record ReplicationGroup
{
    public required string ReplicationGroupId { get; init; }

    public required string ARN { get; init; }

    public required string Description { get; init; }

    /// <summary><c>available</c>, <c>modifying</c>, <c>creating</c>, ...</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<string> MemberClusters { get; init; }

    public required IReadOnlyList<NodeGroup> NodeGroups { get; init; }

    /// <summary><c>enabled</c> or <c>disabled</c> (the SDK's <c>AutomaticFailoverStatus</c>).</summary>
    public required string AutomaticFailover { get; init; }

    /// <summary><c>enabled</c> or <c>disabled</c> (the SDK's <c>MultiAZStatus</c>).</summary>
    public required string MultiAZ { get; init; }

    public required bool ClusterEnabled { get; init; }

    public required string CacheNodeType { get; init; }
}

public sealed record NodeGroup
{
    public required string NodeGroupId { get; init; }

    public required string Status { get; init; }

    public required IReadOnlyList<NodeGroupMember> NodeGroupMembers { get; init; }
}

public sealed record NodeGroupMember
{
    public required string CacheClusterId { get; init; }

    public string CacheNodeId { get; init; } = "0001";

    public required string PreferredAvailabilityZone { get; init; }

    /// <summary><c>primary</c> or <c>replica</c>.</summary>
    public required string CurrentRole { get; init; }
}

public sealed record DescribeEventsRequest
{
    public string? SourceIdentifier { get; init; }

    /// <summary>One of <see cref="SourceType"/>.</summary>
    public string? SourceType { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    /// <summary>Minutes back from now when <see cref="StartTime"/> is not given; ElastiCache defaults to 60.</summary>
    public int? Duration { get; init; }

    /// <summary>20 to 100; null means 100.</summary>
    public int? MaxRecords { get; init; }

    public string? Marker { get; init; }
}

public sealed record DescribeEventsResponse
{
    public required IReadOnlyList<Event> Events { get; init; }

    public string? Marker { get; init; }
}

/// <summary>An ElastiCache event (<c>DescribeEvents</c>).</summary>
public sealed record Event
{
    public required string SourceIdentifier { get; init; }

    public required string SourceType { get; init; }

    public required string Message { get; init; }

    public required DateTimeOffset Date { get; init; }
}

/// <summary>ElastiCache <c>SourceType</c> values.</summary>
public static class SourceType
{
    public const string ReplicationGroup = "replication-group";
    public const string CacheCluster = "cache-cluster";
}
