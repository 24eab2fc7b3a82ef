using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>
/// An upstream for the refresh tests: answers every query with a steady line, counts the calls
/// it receives, and fails or stalls on demand — the things AWS does that the hub must survive.
/// </summary>
internal sealed class ScriptedPlatform : IMetricSource, IAlarmSource, ITopologySource
{
    private int _metricCalls;
    private int _alarmCalls;

    public int MetricCalls => Volatile.Read(ref _metricCalls);
    public int AlarmCalls => Volatile.Read(ref _alarmCalls);

    /// <summary>Queries of the last GetMetricData call.</summary>
    public IReadOnlyList<MetricQuery> LastQueries { get; private set; } = [];

    /// <summary>When set, GetMetricData throws this.</summary>
    public Exception? MetricFailure { get; set; }

    /// <summary>When set, DescribeAlarms throws this.</summary>
    public Exception? AlarmFailure { get; set; }

    /// <summary>Statuses to answer for given metric names (e.g. Forbidden).</summary>
    public Dictionary<string, MetricDataStatus> StatusByMetric { get; } = [];

    /// <summary>Value returned for a metric name (default 1).</summary>
    public Dictionary<string, double> ValueByMetric { get; } = [];

    /// <summary>Completes when released; lets a test hold a call in flight.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(MetricDataRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _metricCalls);
        LastQueries = request.Queries;
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        if (MetricFailure is { } failure)
        {
            throw failure;
        }
        return request.Queries.Select(q =>
        {
            var status = StatusByMetric.GetValueOrDefault(q.MetricName, MetricDataStatus.Complete);
            var value = ValueByMetric.GetValueOrDefault(q.MetricName, 1.0);
            var points = new List<MetricPoint>();
            for (var t = request.Start; t < request.End; t = t.AddSeconds(q.PeriodSeconds))
            {
                points.Add(new MetricPoint(t, value));
            }
            return new MetricSeries(q.Id, q.Label ?? q.MetricName, MetricUnit.None, status == MetricDataStatus.Complete ? points : [], status);
        }).ToList();
    }

    public Task<IReadOnlyList<Alarm>> DescribeAlarmsAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _alarmCalls);
        if (AlarmFailure is { } failure)
        {
            throw failure;
        }
        IReadOnlyList<Alarm> alarms =
        [
            new("fintech-api-p99-latency-high", "p99 above 500 ms", AlarmState.Alarm, "Threshold Crossed", DateTimeOffset.UnixEpoch,
                "AWS/ApplicationELB", "TargetResponseTime", Statistic.P99, "GreaterThanThreshold", 0.5, AlarmSeverity.Critical),
            new("fintech-aurora-replica-lag-high", "replica lag", AlarmState.Ok, "Threshold not crossed", DateTimeOffset.UnixEpoch,
                "AWS/RDS", "AuroraReplicaLagMaximum", Statistic.Maximum, "GreaterThanThreshold", 1000, AlarmSeverity.Warning),
        ];
        return Task.FromResult(alarms);
    }

    /// <summary>What DescribeTopology answers: a steady platform with the first instance writing.</summary>
    public PlatformTopology Topology { get; set; } = SteadyTopology("fintech-aurora-1");

    public Task<PlatformTopology> DescribeTopologyAsync(CancellationToken cancellationToken) => Task.FromResult(Topology);

    public static PlatformTopology SteadyTopology(string auroraWriter) =>
        new(
            new EcsServiceState("fintech", "fintech-api", "fintech-api:42", 6, 6, 0, "ACTIVE"),
            new AuroraClusterState("fintech-aurora", "aurora-postgresql", "16.4", "available",
                [new("fintech-aurora-1", auroraWriter == "fintech-aurora-1", "eu-west-1a", "available"),
                 new("fintech-aurora-2", auroraWriter == "fintech-aurora-2", "eu-west-1b", "available")]),
            new RedisReplicationGroupState("fintech-redis", "available", true, true,
                [new("fintech-redis-001", RedisNodeRole.Primary, "eu-west-1a", "available"), new("fintech-redis-002", RedisNodeRole.Replica, "eu-west-1b", "available")]),
            new SessionTableState("fintech-sessions", "ACTIVE", "PAY_PER_REQUEST", 120_000, true),
            DateTimeOffset.UnixEpoch);

    /// <summary>The ports of a Sandbox backend that connects every environment to this platform.</summary>
    public IReadOnlyList<PlatformPortRegistration> AsPorts() =>
    [
        PlatformPortRegistration.For<IMetricSource>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<IAlarmSource>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<ITopologySource>(PlatformBackend.Sandbox, _ => this),
    ];
}
