using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>What runs where in the simulated platform right now: tasks, the Aurora writer, the Redis primary.</summary>
public sealed class SandboxTopologySource : ITopologySource
{
    public const string TaskDefinition = "fintech-api:42";

    private static readonly string[] AvailabilityZones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;
    private readonly SandboxResources _resources;

    internal SandboxTopologySource(SandboxPlatform platform, SandboxModel model, SandboxResources resources)
    {
        _platform = platform;
        _model = model;
        _resources = resources;
    }

    public Task<PlatformTopology> DescribeTopologyAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Describe());
    }

    public PlatformTopology Describe()
    {
        var now = _platform.Now;
        var state = _platform.State;
        var minute = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60);
        var current = new SandboxTimeline(_model, state, minute, minute).At(minute);
        var tasks = _model.Tasks(current);
        var names = _resources.Names;
        var writer = state.CurrentWriter;
        var primary = state.CurrentPrimary;
        return new PlatformTopology(
            new EcsServiceState(names.EcsCluster, names.EcsService, TaskDefinition, tasks.Desired, tasks.Running, tasks.Pending, "ACTIVE"),
            new AuroraClusterState(names.AuroraCluster, "aurora-postgresql", "16.4", "available",
                _resources.AuroraInstances.Select((id, i) => new AuroraInstanceState(id, i == writer, Zone(i), "available")).ToList()),
            new RedisReplicationGroupState(names.RedisReplicationGroup, "available", AutomaticFailoverEnabled: true, MultiAzEnabled: true,
                _resources.RedisNodes.Select((id, i) => new RedisNodeState(id, i == primary ? RedisNodeRole.Primary : RedisNodeRole.Replica, Zone(i), "available")).ToList()),
            // One live session per ~9 requests a second over the half-hour session lifetime, roughly.
            new SessionTableState(names.SessionTable, "ACTIVE", "PAY_PER_REQUEST", (long)(current.RequestsPerSecond * 200), PointInTimeRecoveryEnabled: true),
            now);
    }

    private static string Zone(int index) => AvailabilityZones[index % AvailabilityZones.Length];
}
