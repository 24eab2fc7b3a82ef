using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;

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
    private readonly TimeProvider _timeProvider;
    private readonly SandboxResources _resources;
    private readonly Lock _gate = new();
    private readonly List<Action<SandboxChange>> _subscribers = [];
    private SandboxState _state = SandboxState.Initial;

    public SandboxPlatform(int seed, PlatformResources resources, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Seed = seed;
        _timeProvider = timeProvider;
        _resources = new SandboxResources(resources);
        StartedAt = timeProvider.GetUtcNow();
        var model = new SandboxModel(seed, _resources.AuroraInstances.Length, _resources.RedisNodes.Length,
            PlatformCatalogue.InstanceClasses[PlatformCatalogue.SandboxAuroraInstanceClass],
            PlatformCatalogue.InstanceClasses[PlatformCatalogue.SandboxRedisNodeType]);
        Engine = new SandboxMetricEngine(model, new SandboxMetricCatalog(model, _resources));
        CloudWatch = new SandboxCloudWatch(this, Engine, new SandboxAlarmSource(this, Engine, _resources));
        Ecs = new SandboxEcs(this, model);
        DynamoDb = new SandboxDynamoDb(this, model);
    }

    public int Seed { get; }

    /// <summary>When the platform came up; alarms that never changed state report this as their last update.</summary>
    public DateTimeOffset StartedAt { get; }

    public PlatformResources Resources => _resources.Names;

    public IReadOnlyList<string> AuroraInstances => _resources.AuroraInstances;

    public IReadOnlyList<string> RedisNodes => _resources.RedisNodes;

    /// <summary>CloudWatch: GetMetricData and DescribeAlarms.</summary>
    public SandboxCloudWatch CloudWatch { get; }

    public SandboxEcs Ecs { get; }

    public SandboxDynamoDb DynamoDb { get; }

    /// <summary>The name an alarm of the catalogue has in this environment.</summary>
    public string AlarmName(string key) => SandboxAlarmSource.Name(Resources, key);

    public IReadOnlyCollection<SandboxFault> ActiveFaults =>
        State.Faults.Where(f => f.IsActive).Select(f => f.Fault).Distinct().Order().ToList();

    public IReadOnlyList<SandboxFaultInterval> FaultHistory => State.Faults;

    public string AuroraWriter => _resources.AuroraInstances[State.CurrentWriter];

    public string RedisPrimary => _resources.RedisNodes[State.CurrentPrimary];

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
    /// Aurora failover (RDS <c>FailoverDBCluster</c>): <paramref name="targetInstance"/>, or the
    /// next reader, becomes the writer from the next minute on; the old writer becomes a reader.
    /// Returns the new writer.
    /// </summary>
    public string FailoverAuroraCluster(string? targetInstance = null) =>
        SwapRole(_resources.AuroraInstances, targetInstance, "Aurora instance", s => s.CurrentWriter,
            (s, change) => s with { WriterChanges = s.WriterChanges.Add(change) }, "Aurora writer is now");

    /// <summary>
    /// Redis failover (ElastiCache <c>TestFailover</c>): <paramref name="replicaNode"/>, or the next
    /// replica, becomes the primary from the next minute on. Returns the new primary.
    /// </summary>
    public string PromoteRedisReplica(string? replicaNode = null) =>
        SwapRole(_resources.RedisNodes, replicaNode, "Redis node", s => s.CurrentPrimary,
            (s, change) => s with { PrimaryChanges = s.PrimaryChanges.Add(change) }, "Redis primary is now");

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

    private string SwapRole(string[] members, string? target, string kind, Func<SandboxState, int> current,
        Func<SandboxState, RoleChange, SandboxState> apply, string message)
    {
        if (members.Length < 2)
        {
            throw new InvalidOperationException($"There is no {kind} to fail over to: the group has only {members[0]}.");
        }
        SandboxChange change;
        string promoted;
        lock (_gate)
        {
            var now = Now;
            var from = current(_state);
            var to = target is null ? (from + 1) % members.Length : Array.IndexOf(members, target);
            if (to < 0)
            {
                throw new ArgumentException($"'{target}' is not a {kind} of this platform ({string.Join(", ", members)}).", nameof(target));
            }
            if (to == from)
            {
                throw new InvalidOperationException($"{members[to]} already holds that role.");
            }
            // From the next whole minute: minutes that already happened keep the roles they had.
            var fromMinute = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60) + 1;
            Volatile.Write(ref _state, apply(_state, new RoleChange(fromMinute, to)));
            promoted = members[to];
            change = new SandboxChange(now, $"{message} {promoted}");
        }
        Notify(change);
        return promoted;
    }

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
