using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The environment's CloudWatch dashboard (throughput, p99 latency, errors, database, cache, sessions, alarms)
/// and its alarms, all notifying the KMS-encrypted SNS topic. Metric names and dimensions are the ones the
/// portal's dashboards query.
/// </summary>
public sealed class ObservabilityStack : Stack
{
    public Dashboard Dashboard { get; }
    public IReadOnlyList<Alarm> Alarms { get; }

    public ObservabilityStack(Construct scope, string id, EnvironmentContext env, SecurityStack security,
        ComputeStack compute, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        var alb = new Dictionary<string, string> { ["LoadBalancer"] = compute.LoadBalancer.LoadBalancerFullName };
        var cluster = new Dictionary<string, string> { ["DBClusterIdentifier"] = names.AuroraCluster };
        var table = new Dictionary<string, string> { ["TableName"] = names.SessionTable };
        Dictionary<string, string> Node(int i) => new() { ["CacheClusterId"] = names.RedisNode(i) };

        Metric M(string ns, string metric, Dictionary<string, string> dims, string stat, string? label = null) =>
            new(new MetricProps
            {
                Namespace = ns,
                MetricName = metric,
                DimensionsMap = dims,
                Statistic = stat,
                Period = Duration.Minutes(1),
                Label = label,
            });

        var requests = M("AWS/ApplicationELB", "RequestCount", alb, "Sum", "Requests");
        var p99 = M("AWS/ApplicationELB", "TargetResponseTime", alb, "p99", "p99 latency (s)");
        var target5xx = M("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, "Sum", "Target 5xx");
        var elb5xx = M("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, "Sum", "ALB 5xx");
        var target4xx = M("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", alb, "Sum", "Target 4xx");
        var errorRate = new MathExpression(new MathExpressionProps
        {
            Expression = "IF(requests > 0, 100 * (t5xx + e5xx) / requests, 0)",
            UsingMetrics = new Dictionary<string, IMetric> { ["requests"] = requests, ["t5xx"] = target5xx, ["e5xx"] = elb5xx },
            Label = "5xx rate (%)",
            Period = Duration.Minutes(1),
        });
        var auroraCpu = M("AWS/RDS", "CPUUtilization", cluster, "Maximum", "Aurora CPU (%)");
        var auroraConnections = M("AWS/RDS", "DatabaseConnections", cluster, "Maximum", "Aurora connections");
        var auroraLag = M("AWS/RDS", "AuroraReplicaLagMaximum", cluster, "Maximum", "Aurora replica lag (ms)");
        var redisCpu = Enumerable.Range(0, 2).Select(i => M("AWS/ElastiCache", "EngineCPUUtilization", Node(i), "Maximum", $"{names.RedisNode(i)} engine CPU (%)")).ToArray();
        var redisEvictions = M("AWS/ElastiCache", "Evictions", Node(0), "Sum", "Evictions (primary)");
        var redisLag = M("AWS/ElastiCache", "ReplicationLag", Node(1), "Maximum", "Replication lag (s)");
        var redisHitRate = M("AWS/ElastiCache", "CacheHitRate", Node(0), "Average", "Cache hit rate (%)");
        var readThrottles = M("AWS/DynamoDB", "ReadThrottleEvents", table, "Sum", "Read throttles");
        var writeThrottles = M("AWS/DynamoDB", "WriteThrottleEvents", table, "Sum", "Write throttles");
        var throttles = new MathExpression(new MathExpressionProps
        {
            Expression = "r + w",
            UsingMetrics = new Dictionary<string, IMetric> { ["r"] = readThrottles, ["w"] = writeThrottles },
            Label = "Session table throttles",
            Period = Duration.Minutes(1),
        });

        var alarms = new List<Alarm>
        {
            NewAlarm("P99Latency", names.Alarm("p99-latency"), "p99 target response time above 1.5 s", p99, 1.5, 5, 3),
            NewAlarm("ErrorRate", names.Alarm("5xx-rate"), "5xx responses above 2 % of requests", errorRate, 2, 5, 3),
            NewAlarm("PortalUnhealthy", names.Alarm("portal-unhealthy-hosts"), "Unhealthy portal targets",
                compute.Portal.TargetGroup.Metrics.UnhealthyHostCount(new MetricOptions { Statistic = "Maximum", Period = Duration.Minutes(1) }), 1, 3, 2),
            NewAlarm("ApiUnhealthy", names.Alarm("api-unhealthy-hosts"), "Unhealthy API targets",
                compute.Api.TargetGroup.Metrics.UnhealthyHostCount(new MetricOptions { Statistic = "Maximum", Period = Duration.Minutes(1) }), 1, 3, 2),
            NewAlarm("AuroraCpu", names.Alarm("aurora-cpu"), "Aurora CPU above 80 %", auroraCpu, 80, 5, 3),
            NewAlarm("AuroraReplicaLag", names.Alarm("aurora-replica-lag"), "Aurora replica lag above 1 s", auroraLag, 1000, 5, 3),
            NewAlarm("AuroraConnections", names.Alarm("aurora-connections"), "Aurora connections above 800", auroraConnections, 800, 5, 3),
            NewAlarm("RedisEvictions", names.Alarm("redis-evictions"), "Redis is evicting keys", redisEvictions, 1, 5, 3),
            NewAlarm("RedisReplicationLag", names.Alarm("redis-replication-lag"), "Redis replication lag above 5 s", redisLag, 5, 5, 3),
            NewAlarm("DynamoDbThrottles", names.Alarm("dynamodb-throttles"), "Session table requests throttled", throttles, 1, 5, 2),
        };
        alarms.AddRange(redisCpu.Select((metric, i) =>
            NewAlarm($"RedisCpu{i + 1}", names.Alarm($"redis-cpu-{i + 1}"), $"Redis engine CPU above 80 % on {names.RedisNode(i)}", metric, 80, 5, 3)));
        foreach (var alarm in alarms)
        {
            alarm.AddAlarmAction(new SnsAction(security.AlarmTopic));
            alarm.AddOkAction(new SnsAction(security.AlarmTopic));
        }

        Alarms = alarms;

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DashboardName = $"FinTech-{env.Key}",
            DefaultInterval = Duration.Hours(3),
        });
        Dashboard.AddWidgets(
            Graph("Throughput", [requests]),
            Graph("p99 latency", [p99]));
        Dashboard.AddWidgets(
            Graph("Errors", [target5xx, elb5xx, target4xx], [errorRate]),
            Graph("Database (Aurora)", [auroraCpu, auroraConnections], [auroraLag]));
        Dashboard.AddWidgets(
            Graph("Cache (Redis)", [.. redisCpu, redisHitRate], [redisEvictions, redisLag]),
            Graph("Sessions (DynamoDB)",
                [M("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, "Sum", "Read units"), M("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table, "Sum", "Write units")],
                [readThrottles, writeThrottles]));
        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps
        {
            Title = "Alarms",
            Alarms = [.. alarms, .. compute.Portal.DeploymentAlarms, .. compute.Api.DeploymentAlarms],
            Width = 24,
        }));
    }

    private static GraphWidget Graph(string title, IMetric[] left, IMetric[]? right = null) => new(new GraphWidgetProps
    {
        Title = title,
        Left = left,
        Right = right ?? [],
        Width = 12,
        Height = 6,
    });

    private Alarm NewAlarm(string id, string name, string description, IMetric metric, double threshold, int periods, int datapoints) =>
        new(this, id, new AlarmProps
        {
            AlarmName = name,
            AlarmDescription = description,
            Metric = metric,
            Threshold = threshold,
            EvaluationPeriods = periods,
            DatapointsToAlarm = datapoints,
            ComparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            TreatMissingData = TreatMissingData.NOT_BREACHING,
        });
}
