namespace FinTech.Portal.Sandbox;

/// <summary>
/// Where the Aurora writer and the Redis primary are at a moment, with failovers in flight: what
/// the Sandbox's RDS and ElastiCache ports describe (DescribeDBClusters, DescribeReplicationGroups).
/// </summary>
internal sealed class SandboxTopology
{
    internal static readonly string[] AvailabilityZones = [$"{SandboxPlatform.Region}a", $"{SandboxPlatform.Region}b", $"{SandboxPlatform.Region}c"];

    private readonly SandboxPlatform _platform;
    private readonly SandboxResources _resources;

    internal SandboxTopology(SandboxPlatform platform, SandboxResources resources)
    {
        _platform = platform;
        _resources = resources;
    }

    /// <summary>The cluster and the replication group now.</summary>
    internal SandboxTopologySnapshot Describe()
    {
        var state = _platform.State;
        var now = _platform.Now;
        return new SandboxTopologySnapshot(Database(state, now), Cache(state, now));
    }

    /// <summary>
    /// The cluster as RDS describes it at <paramref name="now"/>: <c>failing-over</c> while a failover
    /// runs, the old writer rebooting and still flagged the writer until the new one takes over.
    /// </summary>
    internal AuroraClusterState Database(SandboxState state, DateTimeOffset now)
    {
        var writer = SandboxPlatform.WriterIndexAt(state, now, _resources.AuroraInstances);
        var failover = state.AuroraFailoverAt(now);
        return new AuroraClusterState(_resources.Names.AuroraCluster, "aurora-postgresql", "16.4", failover is null ? "available" : "failing-over",
            _resources.AuroraInstances.Select((id, i) => new AuroraInstanceState(id, i == writer, Zone(i),
                failover is not null && id == failover.FromInstance ? "rebooting" : "available")).ToList());
    }

    /// <summary>
    /// The replication group as ElastiCache describes it at <paramref name="now"/>: <c>modifying</c>
    /// while a test failover runs; the old primary is modifying until the promotion and then
    /// restarts as a replica (<c>rebooting cluster nodes</c>) until its recovery finishes.
    /// </summary>
    internal RedisReplicationGroupState Cache(SandboxState state, DateTimeOffset now)
    {
        var primary = SandboxPlatform.PrimaryIndexAt(state, now, _resources.RedisNodes);
        var failover = state.RedisFailoverAt(now);
        return new RedisReplicationGroupState(_resources.Names.RedisReplicationGroup, failover is null ? "available" : "modifying",
            AutomaticFailoverEnabled: true, MultiAzEnabled: true,
            _resources.RedisNodes.Select((id, i) => new RedisNodeState(id, i == primary ? RedisNodeRole.Primary : RedisNodeRole.Replica, Zone(i),
                failover is null || id != failover.FromNode ? "available"
                : now < failover.RecoveringAt ? "modifying" : "rebooting cluster nodes")).ToList());
    }

    internal static string Zone(int index) => AvailabilityZones[index % AvailabilityZones.Length];
}

internal sealed record SandboxTopologySnapshot(AuroraClusterState Database, RedisReplicationGroupState Cache);

internal sealed record AuroraClusterState(string ClusterIdentifier, string Engine, string EngineVersion, string Status, IReadOnlyList<AuroraInstanceState> Members)
{
    public AuroraInstanceState? Writer => Members.FirstOrDefault(m => m.IsWriter);
}

internal sealed record AuroraInstanceState(string InstanceIdentifier, bool IsWriter, string AvailabilityZone, string Status);

internal sealed record RedisReplicationGroupState(string ReplicationGroupId, string Status, bool AutomaticFailoverEnabled, bool MultiAzEnabled, IReadOnlyList<RedisNodeState> Nodes)
{
    public RedisNodeState? Primary => Nodes.FirstOrDefault(n => n.Role == RedisNodeRole.Primary);
}

internal enum RedisNodeRole { Primary, Replica }

internal sealed record RedisNodeState(string CacheClusterId, RedisNodeRole Role, string AvailabilityZone, string Status);
