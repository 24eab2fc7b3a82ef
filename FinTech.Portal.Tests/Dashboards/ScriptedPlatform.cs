using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using RdsEvents = FinTech.Portal.Platform.Rds;
using CacheEvents = FinTech.Portal.Platform.ElastiCache;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>
/// An upstream for the refresh tests: answers every query with a steady line, counts the calls
/// it receives, and fails or stalls on demand — the things AWS does that the hub must survive.
/// Each service is its own port, so each can fail on its own.
/// </summary>
internal sealed class ScriptedPlatform : ICloudWatch, IEcs, IRds, IElastiCache, IDynamoDb
{
    private int _metricCalls;
    private int _alarmCalls;

    public int MetricCalls => Volatile.Read(ref _metricCalls);
    public int AlarmCalls => Volatile.Read(ref _alarmCalls);

    /// <summary>Queries of the last GetMetricData call.</summary>
    public IReadOnlyList<MetricDataQuery> LastQueries { get; private set; } = [];

    /// <summary>The last DescribeAlarms request.</summary>
    public DescribeAlarmsRequest? LastAlarmsRequest { get; private set; }

    /// <summary>When set, GetMetricData throws this.</summary>
    public Exception? MetricFailure { get; set; }

    /// <summary>When set, DescribeAlarms throws this.</summary>
    public Exception? AlarmFailure { get; set; }

    /// <summary>When set, ECS DescribeServices throws this.</summary>
    public Exception? EcsFailure { get; set; }

    /// <summary>Statuses to answer for given metric names (e.g. Forbidden).</summary>
    public Dictionary<string, StatusCode> StatusByMetric { get; } = [];

    /// <summary>Value returned for a metric name (default 1).</summary>
    public Dictionary<string, double> ValueByMetric { get; } = [];

    /// <summary>Metric names that get no datapoints at all (a zero count CloudWatch does not publish).</summary>
    public HashSet<string> Unpublished { get; } = [];

    /// <summary>Completes when released; lets a test hold a call in flight.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public async Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _metricCalls);
        LastQueries = request.MetricDataQueries;
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
        if (MetricFailure is { } failure)
        {
            throw failure;
        }
        return new GetMetricDataResponse
        {
            MetricDataResults = request.MetricDataQueries.Select(q =>
            {
                var name = q.MetricStat!.Metric.MetricName;
                var status = StatusByMetric.GetValueOrDefault(name, StatusCode.Complete);
                var value = ValueByMetric.GetValueOrDefault(name, 1.0);
                var timestamps = new List<DateTimeOffset>();
                if (status == StatusCode.Complete && !Unpublished.Contains(name))
                {
                    for (var t = request.StartTime; t < request.EndTime; t = t.AddSeconds(q.MetricStat.Period))
                    {
                        timestamps.Add(t);
                    }
                }
                return new MetricDataResult
                {
                    Id = q.Id,
                    Label = q.Label ?? name,
                    Timestamps = timestamps,
                    Values = timestamps.Select(_ => value).ToList(),
                    StatusCode = status,
                };
            }).ToList(),
        };
    }

    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _alarmCalls);
        LastAlarmsRequest = request;
        if (AlarmFailure is { } failure)
        {
            throw failure;
        }
        return Task.FromResult(new DescribeAlarmsResponse
        {
            MetricAlarms =
            [
                new MetricAlarm
                {
                    AlarmName = "fintech-sandbox-p99-latency", AlarmArn = "arn:aws:cloudwatch:eu-west-1:000000000000:alarm:fintech-sandbox-p99-latency",
                    AlarmDescription = "p99 at or above 1.5 s", StateValue = StateValue.Alarm, StateReason = "Threshold Crossed",
                    StateUpdatedTimestamp = DateTimeOffset.UnixEpoch, Namespace = "AWS/ApplicationELB", MetricName = "TargetResponseTime",
                    ExtendedStatistic = "p99", Period = 60, EvaluationPeriods = 5, DatapointsToAlarm = 3, Threshold = 1.5,
                    ComparisonOperator = ComparisonOperator.GreaterThanOrEqualToThreshold, TreatMissingData = TreatMissingData.NotBreaching,
                },
                new MetricAlarm
                {
                    AlarmName = "fintech-sandbox-aurora-replica-lag", AlarmArn = "arn:aws:cloudwatch:eu-west-1:000000000000:alarm:fintech-sandbox-aurora-replica-lag",
                    AlarmDescription = "replica lag", StateValue = StateValue.Ok, StateReason = "Threshold not crossed",
                    StateUpdatedTimestamp = DateTimeOffset.UnixEpoch, Namespace = "AWS/RDS", MetricName = "AuroraReplicaLagMaximum",
                    Statistic = "Maximum", Period = 60, EvaluationPeriods = 5, DatapointsToAlarm = 3, Threshold = 1000,
                    ComparisonOperator = ComparisonOperator.GreaterThanOrEqualToThreshold,
                },
            ],
            CompositeAlarms =
            [
                new CompositeAlarm
                {
                    AlarmName = "fintech-sandbox-api-degraded", AlarmArn = "arn:aws:cloudwatch:eu-west-1:000000000000:alarm:fintech-sandbox-api-degraded",
                    StateValue = StateValue.Alarm, StateReason = "arn:...:fintech-sandbox-p99-latency transitioned to ALARM",
                    StateUpdatedTimestamp = DateTimeOffset.UnixEpoch, AlarmRule = "ALARM(\"fintech-sandbox-p99-latency\") OR ALARM(\"fintech-sandbox-5xx-rate\")",
                },
            ],
        });
    }

    // Dashboards only read the service: a dashboard that registered or deployed would fail its test here.
    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("Dashboards do not read task definitions.");

    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("Dashboards never register task definitions.");

    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("Dashboards never update services.");

    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default) =>
        EcsFailure is { } failure
            ? Task.FromException<DescribeServicesResponse>(failure)
            : Task.FromResult(new DescribeServicesResponse
            {
                Services =
                [
                    new Service
                    {
                        ServiceName = request.Services[0], ServiceArn = $"arn:aws:ecs:eu-west-1:000000000000:service/{request.Cluster}/{request.Services[0]}",
                        ClusterArn = $"arn:aws:ecs:eu-west-1:000000000000:cluster/{request.Cluster}", Status = "ACTIVE",
                        DesiredCount = 6, RunningCount = 6, PendingCount = 0, TaskDefinition = "arn:aws:ecs:eu-west-1:000000000000:task-definition/fintech-api:42",
                    },
                ],
            });

    public Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeDBClustersResponse
        {
            DBClusters =
            [
                new DBCluster
                {
                    DBClusterIdentifier = request.DBClusterIdentifier!, DBClusterArn = $"arn:aws:rds:eu-west-1:000000000000:cluster:{request.DBClusterIdentifier}",
                    Engine = "aurora-postgresql", EngineVersion = "16.4", Status = "available", MultiAZ = true,
                    Endpoint = "writer.example", ReaderEndpoint = "reader.example", AvailabilityZones = ["eu-west-1a", "eu-west-1b"],
                    DBClusterMembers =
                    [
                        new DBClusterMember { DBInstanceIdentifier = $"{request.DBClusterIdentifier}-1", IsClusterWriter = true, PromotionTier = 1 },
                        new DBClusterMember { DBInstanceIdentifier = $"{request.DBClusterIdentifier}-2", IsClusterWriter = false, PromotionTier = 1 },
                    ],
                },
            ],
        });

    public Task<DescribeReplicationGroupsResponse> DescribeReplicationGroupsAsync(DescribeReplicationGroupsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeReplicationGroupsResponse
        {
            ReplicationGroups =
            [
                new ReplicationGroup
                {
                    ReplicationGroupId = request.ReplicationGroupId!, ARN = $"arn:aws:elasticache:eu-west-1:000000000000:replicationgroup:{request.ReplicationGroupId}",
                    Description = "cache", Status = "available", MemberClusters = [$"{request.ReplicationGroupId}-001", $"{request.ReplicationGroupId}-002"],
                    AutomaticFailover = "enabled", MultiAZ = "enabled", ClusterEnabled = false, CacheNodeType = "cache.r6g.large",
                    NodeGroups =
                    [
                        new NodeGroup
                        {
                            NodeGroupId = "0001", Status = "available",
                            NodeGroupMembers =
                            [
                                new NodeGroupMember { CacheClusterId = $"{request.ReplicationGroupId}-001", PreferredAvailabilityZone = "eu-west-1a", CurrentRole = "primary" },
                                new NodeGroupMember { CacheClusterId = $"{request.ReplicationGroupId}-002", PreferredAvailabilityZone = "eu-west-1b", CurrentRole = "replica" },
                            ],
                        },
                    ],
                },
            ],
        });

    public Task<DescribeTableResponse> DescribeTableAsync(DescribeTableRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeTableResponse
        {
            Table = new TableDescription
            {
                TableName = request.TableName, TableArn = $"arn:aws:dynamodb:eu-west-1:000000000000:table/{request.TableName}", TableStatus = "ACTIVE",
                ItemCount = 120_000, TableSizeBytes = 138_000_000, BillingModeSummary = new BillingModeSummary { BillingMode = "PAY_PER_REQUEST" },
            },
        });

    public Task<DescribeContinuousBackupsResponse> DescribeContinuousBackupsAsync(DescribeContinuousBackupsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeContinuousBackupsResponse
        {
            ContinuousBackupsDescription = new ContinuousBackupsDescription
            {
                ContinuousBackupsStatus = "ENABLED",
                PointInTimeRecoveryDescription = new PointInTimeRecoveryDescription { PointInTimeRecoveryStatus = "ENABLED" },
            },
        });

    // The dashboards never act: these belong to the operations' tests.
    public Task<FailoverDBClusterResponse> FailoverDBClusterAsync(FailoverDBClusterRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The dashboards never fail over a cluster.");

    public Task<RdsEvents.DescribeEventsResponse> DescribeEventsAsync(RdsEvents.DescribeEventsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new RdsEvents.DescribeEventsResponse { Events = [] });

    public Task<TestFailoverResponse> TestFailoverAsync(TestFailoverRequest request, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The dashboards never fail over a replication group.");

    public Task<CacheEvents.DescribeEventsResponse> DescribeEventsAsync(CacheEvents.DescribeEventsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new CacheEvents.DescribeEventsResponse { Events = [] });

    /// <summary>The ports of a Sandbox backend that connects every environment to this platform.</summary>
    public IReadOnlyList<PlatformPortRegistration> AsPorts() =>
    [
        PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<IEcs>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<IRds>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<IElastiCache>(PlatformBackend.Sandbox, _ => this),
        PlatformPortRegistration.For<IDynamoDb>(PlatformBackend.Sandbox, _ => this),
    ];
}
