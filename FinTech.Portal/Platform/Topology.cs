namespace FinTech.Portal.Platform;

/// <summary>What runs where right now: the shape of the platform, not its metrics.</summary>
public sealed record PlatformTopology(
    EcsServiceState Service,
    AuroraClusterState Database,
    RedisReplicationGroupState Cache,
    SessionTableState Sessions,
    DateTimeOffset ObservedAt);

/// <summary>ECS <c>DescribeServices</c>: desired/running/pending tasks and the task definition.</summary>
public sealed record EcsServiceState(
    string ClusterName,
    string ServiceName,
    string TaskDefinition,
    int DesiredCount,
    int RunningCount,
    int PendingCount,
    string Status);

/// <summary>RDS <c>DescribeDBClusters</c>: an Aurora PostgreSQL cluster and its members.</summary>
public sealed record AuroraClusterState(
    string ClusterIdentifier,
    string Engine,
    string EngineVersion,
    string Status,
    IReadOnlyList<AuroraInstanceState> Members)
{
    public AuroraInstanceState? Writer => Members.FirstOrDefault(m => m.IsWriter);
}

public sealed record AuroraInstanceState(string InstanceIdentifier, bool IsWriter, string AvailabilityZone, string Status);

/// <summary>ElastiCache <c>DescribeReplicationGroups</c>: a Redis replication group and its nodes.</summary>
public sealed record RedisReplicationGroupState(
    string ReplicationGroupId,
    string Status,
    bool AutomaticFailoverEnabled,
    bool MultiAzEnabled,
    IReadOnlyList<RedisNodeState> Nodes)
{
    public RedisNodeState? Primary => Nodes.FirstOrDefault(n => n.Role == RedisNodeRole.Primary);
}

public enum RedisNodeRole { Primary, Replica }

public sealed record RedisNodeState(string CacheClusterId, RedisNodeRole Role, string AvailabilityZone, string Status);

/// <summary>DynamoDB <c>DescribeTable</c> of the session table.</summary>
public sealed record SessionTableState(string TableName, string Status, string BillingMode, long ItemCount, bool PointInTimeRecoveryEnabled);
