using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>What runs where in the simulated platform right now: tasks, the Aurora writer, the Redis primary.</summary>
public sealed class SandboxTopologySource : ITopologySource
{
    public const string TaskDefinition = "fintech-api:42";

    internal static readonly string[] AvailabilityZones = [$"{SandboxPlatform.Region}a", $"{SandboxPlatform.Region}b", $"{SandboxPlatform.Region}c"];

    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;
    private readonly SandboxResources _resources;

    internal SandboxTopologySource(SandboxPlatform platform, SandboxModel model, SandboxResources resources)
    {
        _platform = platform;
        _model = model;
        _resources = resources;
    }

    public async Task<PlatformTopology> DescribeTopologyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _platform.TryCatchUpAsync(cancellationToken);
        return Describe();
    }

    public PlatformTopology Describe()
    {
        var now = _platform.Now;
        var state = _platform.State;
        var minute = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60);
        var current = new SandboxTimeline(_model, state, minute, minute).At(minute);
        var tasks = _model.Tasks(current);
        var names = _resources.Names;
        return new PlatformTopology(
            new EcsServiceState(names.EcsCluster, names.EcsService, TaskDefinition, tasks.Desired, tasks.Running, tasks.Pending, "ACTIVE"),
            Database(state, now),
            Cache(state, now),
            // One live session per ~9 requests a second over the half-hour session lifetime, roughly.
            new SessionTableState(names.SessionTable, "ACTIVE", "PAY_PER_REQUEST", (long)(current.RequestsPerSecond * 200), PointInTimeRecoveryEnabled: true),
            now);
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
