using FinTech.Portal.Platform;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The simulated platform of one Sandbox environment: a deterministic model (seed, resource
/// names, <see cref="TimeProvider"/>) behind the three ports, plus the fault knobs and the
/// failovers that change it. Every number is a pure function of the seed, the metric, the minute
/// and the history of knobs and failovers, so the past stays as it was and two platforms with
/// the same seed and history agree to the last digit.
/// Thread-safe: changes are serialized and publish an immutable snapshot that readers take
/// without locking.
/// </summary>
public sealed class SandboxPlatform
{
    /// <summary>The one node group of the cluster-mode-disabled Redis replication group.</summary>
    public const string NodeGroupId = "0001";

    /// <summary>The cache node id within each Redis cache cluster (node).</summary>
    public const string CacheNodeId = "0001";

    /// <summary>Where the simulated platform runs, for ARNs and availability zones.</summary>
    public const string Region = "eu-west-1";

    /// <summary>The simulated AWS account (the documentation's example account).</summary>
    public const string AccountId = "111122223333";

    private readonly TimeProvider _timeProvider;
    private readonly SandboxResources _resources;
    private readonly Lock _gate = new();
    private readonly List<Action<SandboxChange>> _subscribers = [];
    private readonly List<ITimer> _timers = [];
    private SandboxState _state = SandboxState.Initial;

    public SandboxPlatform(int seed, PlatformResources resources, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Seed = seed;
        _timeProvider = timeProvider;
        _resources = new SandboxResources(resources);
        StartedAt = timeProvider.GetUtcNow();
        var model = new SandboxModel(seed, _resources.AuroraInstances.Length, _resources.RedisNodes.Length);
        Engine = new SandboxMetricEngine(model, new SandboxMetricCatalog(model, _resources));
        Metrics = new SandboxMetricSource(this, Engine);
        Alarms = new SandboxAlarmSource(this, Engine, _resources);
        Topology = new SandboxTopologySource(this, model, _resources);
        Rds = new SandboxRds(this);
        ElastiCache = new SandboxElastiCache(this);
        WriteProbe = new SandboxWriteProbe(this, model);
    }

    public int Seed { get; }

    /// <summary>When the platform came up; alarms that never changed state report this as their last update.</summary>
    public DateTimeOffset StartedAt { get; }

    public PlatformResources Resources => _resources.Names;

    public IReadOnlyList<string> AuroraInstances => _resources.AuroraInstances;

    public IReadOnlyList<string> RedisNodes => _resources.RedisNodes;

    public SandboxMetricSource Metrics { get; }

    public SandboxAlarmSource Alarms { get; }

    public SandboxTopologySource Topology { get; }

    /// <summary>RDS <c>FailoverDBCluster</c>, <c>DescribeDBClusters</c>, <c>DescribeEvents</c>.</summary>
    public SandboxRds Rds { get; }

    /// <summary>ElastiCache <c>TestFailover</c>, <c>DescribeReplicationGroups</c>, <c>DescribeEvents</c>.</summary>
    public SandboxElastiCache ElastiCache { get; }

    /// <summary>The synthetic write probe of the Aurora writer and the Redis primary.</summary>
    public SandboxWriteProbe WriteProbe { get; }

    public IReadOnlyCollection<SandboxFault> ActiveFaults =>
        State.Faults.Where(f => f.IsActive).Select(f => f.Fault).Distinct().Order().ToList();

    public IReadOnlyList<SandboxFaultInterval> FaultHistory => State.Faults;

    /// <summary>The Aurora writer now: the old one until a running failover completes.</summary>
    public string AuroraWriter => _resources.AuroraInstances[WriterIndexAt(State, Now, _resources.AuroraInstances)];

    /// <summary>The Redis primary now: the old one until a running test failover promotes the replica.</summary>
    public string RedisPrimary => _resources.RedisNodes[PrimaryIndexAt(State, Now, _resources.RedisNodes)];

    /// <summary>Every Aurora failover so far, oldest first (the last may still run).</summary>
    public IReadOnlyList<SandboxAuroraFailover> AuroraFailovers => State.AuroraFailovers;

    /// <summary>Every Redis test failover so far, oldest first (the last may still run).</summary>
    public IReadOnlyList<SandboxRedisTestFailover> RedisFailovers => State.RedisFailovers;

    internal SandboxState State => Volatile.Read(ref _state);

    internal SandboxMetricEngine Engine { get; }

    internal DateTimeOffset Now => _timeProvider.GetUtcNow();

    public bool IsActive(SandboxFault fault) => State.Faults.Any(f => f.Fault == fault && f.IsActive);

    /// <summary>
    /// Turns a fault knob on or off now. The one entry point for knob changes, so that
    /// authorization and auditing can wrap it. Returns false when the knob already was in that position.
    /// </summary>
    public bool SetFault(SandboxFault fault, bool on)
    {
        if (!Enum.IsDefined(fault))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault, $"There is no Sandbox fault '{fault}'. Faults: {string.Join(", ", Enum.GetNames<SandboxFault>())}.");
        }
        SandboxChange change;
        lock (_gate)
        {
            var now = Now;
            var faults = _state.Faults;
            var active = faults.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Fault == fault && x.f.IsActive);
            var isOn = active.f is not null;
            if (isOn == on)
            {
                return false;
            }
            faults = on
                ? faults.Add(new SandboxFaultInterval(fault, now, null))
                : faults.SetItem(active.i, active.f! with { End = now });
            Volatile.Write(ref _state, _state with { Faults = faults });
            change = new SandboxChange(now, $"{SandboxFaults.Describe(fault).Title} switched {(on ? "on" : "off")}");
        }
        Notify(change);
        return true;
    }

    /// <summary>
    /// Starts an Aurora failover (RDS <c>FailoverDBCluster</c>): <paramref name="targetInstance"/>,
    /// or the reader with the best promotion tier (the next in the member list), becomes the writer
    /// when the failover completes, 20–60 s from now (<see cref="SandboxAuroraFailover"/>).
    /// Refused, as RDS refuses it, while a failover runs, without a reader, or to an unknown or
    /// current writer.
    /// </summary>
    public SandboxAuroraFailover FailoverAuroraCluster(string? targetInstance = null)
    {
        SandboxAuroraFailover failover;
        lock (_gate)
        {
            var now = Now;
            var members = _resources.AuroraInstances;
            var cluster = _resources.Names.AuroraCluster;
            if (_state.AuroraFailoverAt(now) is { } running)
            {
                throw new InvalidDBClusterStateException(
                    $"DB cluster {cluster} is failing over to {running.ToInstance} (started {running.StartedAt:HH:mm:ss} UTC); wait until it is available again before another failover.");
            }
            if (members.Length < 2)
            {
                throw new InvalidDBClusterStateException($"DB cluster {cluster} has no reader to fail over to: {members[0]} is its only instance.");
            }
            var from = WriterIndexAt(_state, now, members);
            var to = targetInstance is null ? (from + 1) % members.Length : Array.IndexOf(members, targetInstance);
            if (to < 0)
            {
                throw new DBInstanceNotFoundException(
                    $"DB instance {targetInstance} is not a member of DB cluster {cluster} ({string.Join(", ", members)}).");
            }
            if (to == from)
            {
                throw new InvalidDBInstanceStateException($"DB instance {members[to]} is already the writer of DB cluster {cluster}: choose a reader.");
            }
            var number = _state.AuroraFailovers.Length;
            failover = new SandboxAuroraFailover(number, now, SandboxAuroraFailover.DurationOf(Seed, number), members[from], members[to]);
            Volatile.Write(ref _state, _state with
            {
                AuroraFailovers = _state.AuroraFailovers.Add(failover),
                WriterChanges = _state.WriterChanges.Add(new RoleChange(SandboxState.FirstMinuteFrom(failover.CompletedAt), to)),
            });
        }
        Notify(new SandboxChange(failover.StartedAt, $"Started cross AZ failover to DB instance: {failover.ToInstance}"));
        NotifyAt(failover.CompletedAt, $"Completed failover to DB instance: {failover.ToInstance}");
        return failover;
    }

    /// <summary>
    /// Starts an ElastiCache test failover (<c>TestFailover</c>) of node group <paramref name="nodeGroupId"/>
    /// (<c>0001</c>, the one node group of a cluster-mode-disabled group): the next replica becomes the
    /// primary (<see cref="SandboxRedisTestFailover"/>). Refused, as ElastiCache refuses it, unless the
    /// group is <c>available</c>, and past 15 node groups in a rolling 24 hours.
    /// </summary>
    public SandboxRedisTestFailover TestRedisFailover(string nodeGroupId = NodeGroupId)
    {
        SandboxRedisTestFailover failover;
        lock (_gate)
        {
            var now = Now;
            var nodes = _resources.RedisNodes;
            var group = _resources.Names.RedisReplicationGroup;
            if (nodeGroupId != NodeGroupId)
            {
                throw new NodeGroupNotFoundException($"Replication group {group} has no node group '{nodeGroupId}': its one node group is {NodeGroupId}.");
            }
            if (_state.RedisFailoverAt(now) is { } running)
            {
                throw new InvalidReplicationGroupStateException(
                    $"Replication group {group} is not available: it is modifying (the test failover started {running.StartedAt:HH:mm:ss} UTC is still recovering {running.FromNode}).");
            }
            if (nodes.Length < 2)
            {
                throw new InvalidReplicationGroupStateException($"Replication group {group} has no replica to fail over to: {nodes[0]} is its only node.");
            }
            var windowStart = now - SandboxRedisTestFailover.QuotaWindow;
            var recent = _state.RedisFailovers.Where(f => f.StartedAt > windowStart).ToList();
            if (recent.Count >= SandboxRedisTestFailover.QuotaNodeGroups)
            {
                var nextAllowed = recent[^SandboxRedisTestFailover.QuotaNodeGroups].StartedAt + SandboxRedisTestFailover.QuotaWindow;
                throw new TestFailoverNotAvailableException(
                    $"Test failover is not available: {recent.Count} node groups were failed over in the last 24 hours and ElastiCache allows {SandboxRedisTestFailover.QuotaNodeGroups}. The next test failover is possible at {nextAllowed:yyyy-MM-dd HH:mm:ss} UTC.");
            }
            var from = PrimaryIndexAt(_state, now, nodes);
            var to = (from + 1) % nodes.Length;
            failover = SandboxRedisTestFailover.Plan(Seed, _state.RedisFailovers.Length, now, nodeGroupId, nodes[from], nodes[to]);
            Volatile.Write(ref _state, _state with
            {
                RedisFailovers = _state.RedisFailovers.Add(failover),
                PrimaryChanges = _state.PrimaryChanges.Add(new RoleChange(SandboxState.FirstMinuteFrom(failover.PromotedAt), to)),
            });
        }
        Notify(new SandboxChange(failover.StartedAt, $"Test Failover API called for node group {failover.NodeGroupId}"));
        NotifyAt(failover.PromotedAt, $"Failover from primary node {failover.FromNode} to replica node {failover.ToNode} completed");
        NotifyAt(failover.RecoveringAt, $"Recovering cache nodes {CacheNodeId}");
        NotifyAt(failover.FinishedAt, $"Finished recovery for cache nodes {CacheNodeId}");
        return failover;
    }

    /// <summary>Calls <paramref name="onChange"/> after every knob change or failover until disposed.</summary>
    public IDisposable Subscribe(Action<SandboxChange> onChange)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        lock (_gate)
        {
            _subscribers.Add(onChange);
        }
        return new Subscription(this, onChange);
    }

    /// <summary>Tells subscribers of a step of a failover when its time comes (a timer on the injected clock).</summary>
    private void NotifyAt(DateTimeOffset at, string description)
    {
        ITimer? timer = null;
        lock (_gate)
        {
            timer = _timeProvider.CreateTimer(_ =>
            {
                lock (_gate)
                {
                    _timers.Remove(timer!);
                }
                timer!.Dispose();
                Notify(new SandboxChange(at, description));
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
        }
        timer.Change(TimeSpan.FromTicks(Math.Max(0, (at - Now).Ticks)), Timeout.InfiniteTimeSpan);
    }

    internal static int WriterIndexAt(SandboxState state, DateTimeOffset time, string[] members) =>
        state.AuroraFailovers.Length == 0 ? 0
        : Array.IndexOf(members, state.AuroraFailovers[^1] is var last && last.CompletedAt <= time ? last.ToInstance : last.FromInstance);

    internal static int PrimaryIndexAt(SandboxState state, DateTimeOffset time, string[] nodes) =>
        state.RedisFailovers.Length == 0 ? 0
        : Array.IndexOf(nodes, state.RedisFailovers[^1] is var last && last.PromotedAt <= time ? last.ToNode : last.FromNode);

    private void Notify(SandboxChange change)
    {
        Action<SandboxChange>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }
        foreach (var subscriber in subscribers)
        {
            subscriber(change);
        }
    }

    private sealed class Subscription(SandboxPlatform platform, Action<SandboxChange> onChange) : IDisposable
    {
        public void Dispose()
        {
            lock (platform._gate)
            {
                platform._subscribers.Remove(onChange);
            }
        }
    }
}
