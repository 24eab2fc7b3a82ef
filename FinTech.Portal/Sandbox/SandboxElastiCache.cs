using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// ElastiCache as the Sandbox plays it: the platform's one Redis replication group (cluster mode
/// disabled, node group <c>0001</c>), its test failovers and their events, at the platform's clock.
/// </summary>
public sealed class SandboxElastiCache : IElastiCache
{
    private readonly SandboxPlatform _platform;

    internal SandboxElastiCache(SandboxPlatform platform) => _platform = platform;

    private string GroupId => _platform.Resources.RedisReplicationGroup;

    public async Task<TestFailoverResponse> TestFailoverAsync(TestFailoverRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        RequireGroup(request.ReplicationGroupId);
        await _platform.TestRedisFailoverAsync(request.NodeGroupId, cancellationToken);
        return new TestFailoverResponse { ReplicationGroup = Describe() };
    }

    public async Task<DescribeReplicationGroupsResponse> DescribeReplicationGroupsAsync(DescribeReplicationGroupsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.ReplicationGroupId is { } id)
        {
            RequireGroup(id);
        }
        await _platform.TryCatchUpAsync(cancellationToken);
        var (page, marker) = SandboxPaging.Page([Describe()], request.MaxRecords, request.Marker);
        return new DescribeReplicationGroupsResponse { ReplicationGroups = page, Marker = marker };
    }

    public async Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        await _platform.TryCatchUpAsync(cancellationToken);
        var (start, end) = SandboxPaging.EventRange(_platform.Now, request.StartTime, request.EndTime, request.Duration);
        var events = Events(_platform.State.RedisFailovers)
            .Where(e => e.Date >= start && e.Date <= end)
            .Where(e => request.SourceType is null || e.SourceType == request.SourceType)
            .Where(e => request.SourceIdentifier is null || e.SourceIdentifier == request.SourceIdentifier)
            .ToList();
        var (page, marker) = SandboxPaging.Page(events, request.MaxRecords, request.Marker);
        return new DescribeEventsResponse { Events = page, Marker = marker };
    }

    /// <summary>The replication group now, as <c>DescribeReplicationGroups</c> and <c>TestFailover</c> return it.</summary>
    public ReplicationGroup Describe()
    {
        var cache = _platform.Topology.Cache(_platform.State, _platform.Now);
        return new ReplicationGroup
        {
            ReplicationGroupId = GroupId,
            ARN = $"arn:aws:elasticache:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:replicationgroup:{GroupId}",
            Description = "FinTech API cache and rate limits",
            Status = cache.Status,
            MemberClusters = cache.Nodes.Select(n => n.CacheClusterId).ToList(),
            NodeGroups =
            [
                new NodeGroup
                {
                    NodeGroupId = SandboxPlatform.NodeGroupId,
                    Status = cache.Status,
                    NodeGroupMembers = cache.Nodes.Select(n => new NodeGroupMember
                    {
                        CacheClusterId = n.CacheClusterId,
                        CacheNodeId = SandboxPlatform.CacheNodeId,
                        PreferredAvailabilityZone = n.AvailabilityZone,
                        CurrentRole = n.Role == Platform.RedisNodeRole.Primary ? "primary" : "replica",
                    }).ToList(),
                },
            ],
            AutomaticFailover = cache.AutomaticFailoverEnabled ? "enabled" : "disabled",
            MultiAZ = cache.MultiAzEnabled ? "enabled" : "disabled",
            ClusterEnabled = false,
            CacheNodeType = "cache.r7g.large",
        };
    }

    /// <summary>The events of the test failovers that happened by now, oldest first, worded as ElastiCache words them.</summary>
    private IEnumerable<Event> Events(IReadOnlyList<SandboxRedisTestFailover> failovers)
    {
        var now = _platform.Now;
        foreach (var failover in failovers)
        {
            var steps = new (DateTimeOffset Date, string SourceType, string Source, string Message)[]
            {
                (failover.StartedAt, SourceType.ReplicationGroup, GroupId, $"Test Failover API called for node group {failover.NodeGroupId}"),
                (failover.PromotedAt, SourceType.ReplicationGroup, GroupId, $"Failover from primary node {failover.FromNode} to replica node {failover.ToNode} completed"),
                (failover.RecoveringAt, SourceType.CacheCluster, failover.FromNode, $"Recovering cache nodes {SandboxPlatform.CacheNodeId}"),
                (failover.FinishedAt, SourceType.CacheCluster, failover.FromNode, $"Finished recovery for cache nodes {SandboxPlatform.CacheNodeId}"),
            };
            foreach (var step in steps.Where(s => s.Date <= now))
            {
                yield return new Event { Date = step.Date, SourceType = step.SourceType, SourceIdentifier = step.Source, Message = step.Message };
            }
        }
    }

    private void RequireGroup(string id)
    {
        if (!string.Equals(id, GroupId, StringComparison.Ordinal))
        {
            throw new ReplicationGroupNotFoundException($"Replication group {id} not found: this environment's Redis replication group is {GroupId}.");
        }
    }
}
