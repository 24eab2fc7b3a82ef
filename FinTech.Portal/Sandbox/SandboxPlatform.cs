using FinTech.Portal.Platform;
using System.Text.Json;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The simulated platform of one Sandbox environment: a deterministic model (seed, resource
/// names, <see cref="TimeProvider"/>) behind the Sandbox's ports (metrics, alarms, topology, RDS,
/// ElastiCache, the write probe), plus the fault knobs and the failovers that change it. Every number is a pure function of the seed, the metric, the minute
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
    // One port action at a time, in order: its journal entry is written between the check and the change.
    private readonly SemaphoreSlim _actions = new(1, 1);
    private SandboxJournal? _journal;
    private string? _journalEnvironment;
    // The sequence of the last journal entry applied (read without the gate by the catch-up).
    private long _applied;
    private SandboxState _state = SandboxState.Initial;

    public SandboxPlatform(int seed, PlatformResources resources, TimeProvider timeProvider, string environmentKey = PlatformOptions.SandboxKey)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Seed = seed;
        _timeProvider = timeProvider;
        _resources = new SandboxResources(resources);
        StartedAt = timeProvider.GetUtcNow();
        // The model's physics (load, memory per connection) are those of a mid-sized payments API on the Sandbox's own
        // sizes; the environment's AuroraInstanceClass sizes its alarms (SandboxAlarmSource) as infra sizes the real ones.
        var model = new SandboxModel(seed, _resources.AuroraInstances.Length, _resources.RedisNodes.Length,
            PlatformCatalogue.InstanceClasses[PlatformCatalogue.SandboxAuroraInstanceClass],
            PlatformCatalogue.InstanceClasses[PlatformCatalogue.SandboxRedisNodeType]);
        Engine = new SandboxMetricEngine(model, new SandboxMetricCatalog(model, _resources));
        CloudWatch = new SandboxCloudWatch(this, Engine, new SandboxAlarmSource(this, Engine, _resources));
        DynamoDb = new SandboxDynamoDb(this, model);
        Topology = new SandboxTopology(this, _resources);
        Rds = new SandboxRds(this);
        ElastiCache = new SandboxElastiCache(this);
        WriteProbe = new SandboxWriteProbe(this, model);
        Ecr = new SandboxEcr(seed, StartedAt, timeProvider);
        SecretsManager = new SandboxSecretsManager(seed, resources, StartedAt, timeProvider, IsUnavailable) { Platform = this };
        Ecs = new SandboxEcs(this, model, environmentKey);
        _state = SandboxState.Initial with { Ecs = Ecs.InitialHistory() };
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

    internal SandboxTopology Topology { get; }

    /// <summary>RDS <c>FailoverDBCluster</c>, <c>DescribeDBClusters</c>, <c>DescribeEvents</c>.</summary>
    public SandboxRds Rds { get; }

    /// <summary>ElastiCache <c>TestFailover</c>, <c>DescribeReplicationGroups</c>, <c>DescribeEvents</c>.</summary>
    public SandboxElastiCache ElastiCache { get; }

    /// <summary>The synthetic write probe of the Aurora writer and the Redis primary.</summary>
    public SandboxWriteProbe WriteProbe { get; }
    public SandboxSecretsManager SecretsManager { get; }

    public SandboxEcr Ecr { get; }

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
    /// Turns a fault knob on or off now. Returns false when the knob already was in that position.
    /// The portal turns knobs through <see cref="SandboxFaultSwitch"/>, which records the change in
    /// the journal and the audit trail first; this is the in-memory half, for it and for tests.
    /// </summary>
    public bool SetFault(SandboxFault fault, bool on) => SetFault(fault, on, Now);

    internal bool SetFault(SandboxFault fault, bool on, DateTimeOffset at)
    {
        if (!Enum.IsDefined(fault))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault, $"There is no Sandbox fault '{fault}'. Faults: {string.Join(", ", Enum.GetNames<SandboxFault>())}.");
        }
        lock (_gate)
        {
            if (!TryApplyFault(fault, on, at))
            {
                return false;
            }
        }
        Notify(new SandboxChange(at, $"{SandboxFaults.Describe(fault).Title} switched {(on ? "on" : "off")}"));
        return true;
    }

    /// <summary>
    /// Starts an Aurora failover (RDS <c>FailoverDBCluster</c>): <paramref name="targetInstance"/>,
    /// or the reader with the best promotion tier (the next in the member list), becomes the writer
    /// when the failover completes, 20–60 s from now (<see cref="SandboxAuroraFailover"/>).
    /// Refused, as RDS refuses it, while a failover runs, without a reader, or to an unknown or
    /// current writer. Not journaled: the port (<see cref="FailoverAuroraClusterAsync"/>) is.
    /// </summary>
    public SandboxAuroraFailover FailoverAuroraCluster(string? targetInstance = null)
    {
        SandboxAuroraFailover failover;
        lock (_gate)
        {
            failover = PlanAuroraFailover(targetInstance, Now);
            Apply(failover);
        }
        Announce(failover);
        return failover;
    }

    /// <summary>
    /// <see cref="FailoverAuroraCluster"/> as the RDS port takes it: decided on the journal's latest
    /// history (another portal task's failover included) and recorded in it before it takes effect,
    /// so a restarted portal still knows it started and no task starts a second one meanwhile.
    /// </summary>
    public async Task<SandboxAuroraFailover> FailoverAuroraClusterAsync(string? targetInstance, CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return FailoverAuroraCluster(targetInstance);
        }
        await ActJournaledAsync(now =>
        {
            var failover = PlanAuroraFailover(targetInstance, now);
            return (SandboxAction.AuroraFailover, failover.ToInstance);
        }, "the Aurora failover", cancellationToken);
        return State.AuroraFailovers[^1];
    }

    /// <summary>
    /// Starts an ElastiCache test failover (<c>TestFailover</c>) of node group <paramref name="nodeGroupId"/>
    /// (<c>0001</c>, the one node group of a cluster-mode-disabled group): the next replica becomes the
    /// primary (<see cref="SandboxRedisTestFailover"/>). Refused, as ElastiCache refuses it, unless the
    /// group is <c>available</c>, and past 15 node groups in a rolling 24 hours. Not journaled: the port
    /// (<see cref="TestRedisFailoverAsync"/>) is.
    /// </summary>
    public SandboxRedisTestFailover TestRedisFailover(string nodeGroupId = NodeGroupId)
    {
        SandboxRedisTestFailover failover;
        lock (_gate)
        {
            failover = PlanRedisTestFailover(nodeGroupId, Now);
            Apply(failover);
        }
        Announce(failover);
        return failover;
    }

    /// <summary><see cref="TestRedisFailover"/> as the ElastiCache port takes it: decided on the journal's latest history and recorded in it before it takes effect.</summary>
    public async Task<SandboxRedisTestFailover> TestRedisFailoverAsync(string nodeGroupId, CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return TestRedisFailover(nodeGroupId);
        }
        await ActJournaledAsync(now =>
        {
            PlanRedisTestFailover(nodeGroupId, now);
            return (SandboxAction.RedisTestFailover, nodeGroupId);
        }, "the Redis test failover", cancellationToken);
        return State.RedisFailovers[^1];
    }

    /// <summary>
    /// ECS <c>RegisterTaskDefinition</c> as the port takes it: the next revision of the family,
    /// recorded in the journal before it exists, so a restarted portal still knows it.
    /// </summary>
    public async Task<TaskDefinition> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = JsonSerializer.Serialize(request, JournalJson);
        if (_journal is null)
        {
            lock (_gate)
            {
                return ApplyRegistration(request, Now);
            }
        }
        await ActJournaledAsync(now =>
        {
            Ecs.PlanRegistration(_state.Ecs!, request, now);
            return (SandboxAction.EcsRegisterTaskDefinition, subject);
        }, "the task definition", cancellationToken);
        return State.Ecs!.Registered[^1];
    }

    /// <summary>
    /// ECS <c>UpdateService</c> as the port takes it: decided on the journal's latest history and
    /// recorded in it before the deployment starts; the deployment's timings follow from the seed.
    /// Returns the deployment started, or null when the update changed nothing.
    /// </summary>
    public async Task<SandboxEcsDeployment?> UpdateEcsServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subject = JsonSerializer.Serialize(request, JournalJson);
        if (_journal is null)
        {
            SandboxEcsDeployment? started;
            lock (_gate)
            {
                started = ApplyUpdate(request, Now);
            }
            if (started is not null)
            {
                Announce(started);
            }
            return started;
        }
        var changes = false;
        await ActJournaledAsync(now =>
        {
            changes = Ecs.PlanUpdate(_state, request, now) is not null;
            return (SandboxAction.EcsUpdateService, subject);
        }, "the service update", cancellationToken);
        return changes ? State.Ecs!.Deployments[^1] : null;
    }

    private static readonly JsonSerializerOptions JournalJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    // Under _gate.
    private TaskDefinition ApplyRegistration(RegisterTaskDefinitionRequest request, DateTimeOffset at)
    {
        var definition = Ecs.PlanRegistration(_state.Ecs!, request, at);
        Volatile.Write(ref _state, _state with { Ecs = _state.Ecs! with { Registered = _state.Ecs.Registered.Add(definition) } });
        return definition;
    }

    // Under _gate.
    private SandboxEcsDeployment? ApplyUpdate(UpdateServiceRequest request, DateTimeOffset at)
    {
        var deployment = Ecs.PlanUpdate(_state, request, at);
        if (deployment is not null)
        {
            Volatile.Write(ref _state, _state with { Ecs = _state.Ecs! with { Deployments = _state.Ecs.Deployments.Add(deployment) } });
        }
        return deployment;
    }

    private void Announce(SandboxEcsDeployment deployment)
    {
        var service = Resources.EcsService;
        Notify(new SandboxChange(deployment.StartedAt, $"(service {service}) deployment {deployment.Id} started: {deployment.Revision}"));
        if (deployment.Crashes)
        {
            NotifyAt(deployment.FailedAt, $"(service {service}) (deployment {deployment.Id}) deployment failed: tasks failed to start.");
        }
        else
        {
            NotifyAt(deployment.HealthyAt, $"(service {service}) registered {deployment.DesiredCount} targets of {deployment.Revision}");
            NotifyAt(deployment.CompletedAt, $"(service {service}) has reached a steady state.");
        }
    }

    /// <summary>Follows <paramref name="journal"/>: port actions are recorded there and other portal tasks' changes read from it.</summary>
    internal void UseJournal(SandboxJournal journal, string environment)
    {
        _journal = journal;
        _journalEnvironment = environment;
    }

    /// <summary>
    /// Applies journal entries newer than the last applied one, in sequence order, each at its
    /// recorded time: at start this rebuilds the history (a failover that was running carries on
    /// and finishes when it would have); later it brings in what other portal tasks did. Entries
    /// that no longer apply (a renamed instance) are skipped and returned.
    /// </summary>
    internal IReadOnlyList<(SandboxJournalEntry Entry, string Reason)> Replay(IEnumerable<SandboxJournalEntry> entries)
    {
        var skipped = new List<(SandboxJournalEntry, string)>();
        List<Action> announcements;
        lock (_gate)
        {
            announcements = ApplyJournal(entries, skipped);
        }
        announcements.ForEach(announce => announce());
        return skipped;
    }

    /// <summary>Reads and applies what the journal holds beyond this platform's history (another portal task's changes).</summary>
    internal async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (_journal is null)
        {
            return;
        }
        Replay(await _journal.ReadAsync(_journalEnvironment!, cancellationToken, Interlocked.Read(ref _applied)));
    }

    /// <summary>
    /// <see cref="CatchUpAsync"/> for the reads of the ports: the platform answers from what it
    /// knows when the journal cannot be read, as a dashboard keeps showing its last data.
    /// </summary>
    internal async Task TryCatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or TimeoutException or InvalidOperationException)
        {
            // Stale by at most another portal task's latest change; the next read tries again.
        }
    }

    /// <summary>
    /// Applies a journal entry this process has just committed (a knob change): at once when it is
    /// the next in sequence (or the platform follows no journal), else after reading the ones before it.
    /// </summary>
    internal async Task ApplyCommittedAsync(SandboxJournalEntry entry, CancellationToken cancellationToken)
    {
        if (_journal is null || entry.Sequence == Interlocked.Read(ref _applied) + 1)
        {
            Replay([entry]);
            return;
        }
        await TryCatchUpAsync(cancellationToken);
    }

    /// <summary>Whether port actions are recorded in a journal (a portal with a database) or only in memory (tools, tests).</summary>
    internal bool IsJournaled => _journal is not null;

    // One port action: under the journal's lock, catch up with it, decide (the checks the service
    // makes, which may refuse, or find nothing to change: null), record, then apply what was
    // recorded. One at a time per platform.
    internal async Task ActJournaledAsync(Func<DateTimeOffset, (SandboxAction Action, string Subject)?> decide, string what, CancellationToken cancellationToken)
    {
        await _actions.WaitAsync(cancellationToken);
        var announcements = new List<Action>();
        try
        {
            SandboxJournalEntry? entry;
            try
            {
                entry = await _journal!.AppendAsync(_journalEnvironment!, Interlocked.Read(ref _applied), newer =>
                {
                    lock (_gate)
                    {
                        announcements.AddRange(ApplyJournal(newer, []));
                        var now = Now;
                        return decide(now) is { } decided ? (decided.Action, decided.Subject, now) : null;
                    }
                }, cancellationToken);
            }
            catch (Exception e) when (e is not PlatformServiceException
                && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw new PlatformUnavailableException(
                    $"The Sandbox could not record {what} in its journal (the portal database did not answer), so it did not start. Try again in a moment.", e);
            }
            if (entry is not null)
            {
                lock (_gate)
                {
                    announcements.AddRange(ApplyJournal([entry], []));
                }
            }
        }
        finally
        {
            _actions.Release();
            announcements.ForEach(announce => announce());
        }
    }

    // Under _gate. Returns the notifications to send once the lock is released.
    private List<Action> ApplyJournal(IEnumerable<SandboxJournalEntry> entries, List<(SandboxJournalEntry, string)> skipped)
    {
        var announcements = new List<Action>();
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            if (entry.Sequence <= _applied)
            {
                continue;
            }
            try
            {
                switch (entry.Action)
                {
                    case SandboxAction.FaultOn or SandboxAction.FaultOff:
                        if (!Enum.TryParse<SandboxFault>(entry.Subject, out var fault) || !Enum.IsDefined(fault))
                        {
                            skipped.Add((entry, $"there is no fault '{entry.Subject}'"));
                        }
                        else if (TryApplyFault(fault, entry.Action == SandboxAction.FaultOn, entry.OccurredAt))
                        {
                            var change = new SandboxChange(entry.OccurredAt,
                                $"{SandboxFaults.Describe(fault).Title} switched {(entry.Action == SandboxAction.FaultOn ? "on" : "off")}");
                            announcements.Add(() => Notify(change));
                        }
                        break;
                    case SandboxAction.AuroraFailover:
                        var aurora = PlanAuroraFailover(entry.Subject, entry.OccurredAt);
                        Apply(aurora);
                        announcements.Add(() => Announce(aurora));
                        break;
                    case SandboxAction.RedisTestFailover:
                        var redis = PlanRedisTestFailover(entry.Subject, entry.OccurredAt);
                        Apply(redis);
                        announcements.Add(() => Announce(redis));
                        break;
                    case SandboxAction.EcsRegisterTaskDefinition:
                        ApplyRegistration(JsonSerializer.Deserialize<RegisterTaskDefinitionRequest>(entry.Subject, JournalJson)!, entry.OccurredAt);
                        break;
                    case SandboxAction.EcsUpdateService:
                        if (ApplyUpdate(JsonSerializer.Deserialize<UpdateServiceRequest>(entry.Subject, JournalJson)!, entry.OccurredAt) is { } deployment)
                        {
                            announcements.Add(() => Announce(deployment));
                        }
                        break;
                    case SandboxAction.SecretRotation:
                        if (SecretsManager.ApplyJournaled(entry.Subject, entry.OccurredAt) is { } reason)
                        {
                            skipped.Add((entry, reason));
                        }
                        break;
                }
            }
            catch (PlatformServiceException e)
            {
                skipped.Add((entry, e.Message));
            }
            Interlocked.Exchange(ref _applied, entry.Sequence);
        }
        return announcements;
    }

    // Under _gate.
    private bool TryApplyFault(SandboxFault fault, bool on, DateTimeOffset at)
    {
        var faults = _state.Faults;
        var active = faults.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Fault == fault && x.f.IsActive);
        if (active.f is not null == on)
        {
            return false;
        }
        faults = on
            ? faults.Add(new SandboxFaultInterval(fault, at, null))
            : faults.SetItem(active.i, active.f! with { End = at });
        Volatile.Write(ref _state, _state with { Faults = faults });
        return true;
    }

    // Under _gate: the checks RDS makes, then the failover as the seed plays it.
    private SandboxAuroraFailover PlanAuroraFailover(string? targetInstance, DateTimeOffset now)
    {
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
        return new SandboxAuroraFailover(number, now, SandboxAuroraFailover.DurationOf(Seed, number), members[from], members[to]);
    }

    // Under _gate.
    private void Apply(SandboxAuroraFailover failover) =>
        Volatile.Write(ref _state, _state with
        {
            AuroraFailovers = _state.AuroraFailovers.Add(failover),
            WriterChanges = _state.WriterChanges.Add(new RoleChange(
                SandboxState.FirstMinuteFrom(failover.CompletedAt), Array.IndexOf(_resources.AuroraInstances, failover.ToInstance))),
        });

    // Under _gate: the checks ElastiCache makes (node group, state, quota), then the test as the seed plays it.
    private SandboxRedisTestFailover PlanRedisTestFailover(string nodeGroupId, DateTimeOffset now)
    {
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
        return SandboxRedisTestFailover.Plan(Seed, _state.RedisFailovers.Length, now, nodeGroupId, nodes[from], nodes[to]);
    }

    // Under _gate.
    private void Apply(SandboxRedisTestFailover failover) =>
        Volatile.Write(ref _state, _state with
        {
            RedisFailovers = _state.RedisFailovers.Add(failover),
            PrimaryChanges = _state.PrimaryChanges.Add(new RoleChange(
                SandboxState.FirstMinuteFrom(failover.PromotedAt), Array.IndexOf(_resources.RedisNodes, failover.ToNode))),
        });

    private void Announce(SandboxAuroraFailover failover)
    {
        Notify(new SandboxChange(failover.StartedAt, $"Started cross AZ failover to DB instance: {failover.ToInstance}"));
        NotifyAt(failover.CompletedAt, $"Completed failover to DB instance: {failover.ToInstance}");
    }

    private void Announce(SandboxRedisTestFailover failover)
    {
        Notify(new SandboxChange(failover.StartedAt, $"Test Failover API called for node group {failover.NodeGroupId}"));
        NotifyAt(failover.PromotedAt, $"Failover from primary node {failover.FromNode} to replica node {failover.ToNode} completed");
        NotifyAt(failover.RecoveringAt, $"Recovering cache nodes {CacheNodeId}");
        NotifyAt(failover.FinishedAt, $"Finished recovery for cache nodes {CacheNodeId}");
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

    /// <summary>
    /// Whether a rotation function could not write to <paramref name="dependency"/> at some time in
    /// [from, to]: the Aurora writer refuses writes from just after a failover starts until DNS
    /// follows the new writer; Redis refuses an AUTH change while the group is modifying.
    /// </summary>
    private bool IsUnavailable(RotationDependency dependency, DateTimeOffset from, DateTimeOffset to) => dependency switch
    {
        RotationDependency.AuroraWriter => State.AuroraFailovers.Any(f => from < f.WritesResumeAt && to >= f.WritesFailFrom),
        RotationDependency.RedisPrimary => State.RedisFailovers.Any(f => from < f.FinishedAt && to >= f.StartedAt),
        _ => false,
    };

    /// <summary>Tells subscribers of a step of a failover when its time comes (a timer on the injected clock).</summary>
    private void NotifyAt(DateTimeOffset at, string description)
    {
        if (at <= Now)
        {
            // A step that already happened (a replayed or caught-up failover): no timer to wait for.
            Notify(new SandboxChange(at, description));
            return;
        }
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
