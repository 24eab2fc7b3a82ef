using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Constructs;
using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The environment's CloudWatch dashboard (throughput, p99 latency, errors, database, cache, sessions, alarms)
/// and its alarms, all notifying the KMS-encrypted SNS topic. Metric names and dimensions are the ones the
/// portal's dashboards query. Redis alarms watch every member of the replication group at once (the maximum over
/// the nodes), so they follow a failover instead of one fixed node; saturation alarms cover Redis memory and Aurora
/// memory and local storage (ECS CPU and memory are with each service, <see cref="WebService"/>).
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
            // CloudWatch publishes no 5xx count for a minute without one: FILL makes it 0, or the rate would be missing.
            Expression = "IF(requests > 0, 100 * (FILL(t5xx, 0) + FILL(e5xx, 0)) / requests, 0)",
            UsingMetrics = new Dictionary<string, IMetric> { ["requests"] = requests, ["t5xx"] = target5xx, ["e5xx"] = elb5xx },
            Label = "5xx rate (%)",
            Period = Duration.Minutes(1),
        });
        var auroraCpu = M("AWS/RDS", "CPUUtilization", cluster, "Maximum", "Aurora CPU (%)");
        var auroraConnections = M("AWS/RDS", "DatabaseConnections", cluster, "Maximum", "Aurora connections");
        var auroraLag = M("AWS/RDS", "AuroraReplicaLagMaximum", cluster, "Maximum", "Aurora replica lag (ms)");
        var redisCpu = Enumerable.Range(0, 2).Select(i => M("AWS/ElastiCache", "EngineCPUUtilization", Node(i), "Maximum", $"{names.RedisNode(i)} engine CPU (%)")).ToArray();
        var redisHitRate = M("AWS/ElastiCache", "CacheHitRate", Node(0), "Average", "Cache hit rate (%)");
        // Whichever node is primary now: the replica reports the lag, the primary the evictions, both their memory.
        var redisCpuMax = AcrossNodes("MAX", "EngineCPUUtilization", "Maximum", "Redis engine CPU, busiest node (%)");
        var redisMemory = AcrossNodes("MAX", "DatabaseMemoryUsagePercentage", "Maximum", "Redis memory used, fullest node (%)");
        var redisEvictions = AcrossNodes("SUM", "Evictions", "Sum", "Evictions (all nodes)");
        var redisLag = AcrossNodes("MAX", "ReplicationLag", "Maximum", "Replication lag (s)");
        Dictionary<string, string> Instance(int i) => new() { ["DBInstanceIdentifier"] = names.AuroraInstance(i) };
        var auroraFreeMemory = AcrossInstances("MIN", "FreeableMemory", "Aurora freeable memory, lowest instance (bytes)");
        var auroraFreeStorage = AcrossInstances("MIN", "FreeLocalStorage", "Aurora free local storage, lowest instance (bytes)");

        MathExpression AcrossNodes(string function, string metric, string stat, string label) => new(new MathExpressionProps
        {
            // Ids are unique per metric: one graph may show several of these expressions.
            Expression = $"{function}([{MetricId(metric)}0, {MetricId(metric)}1])",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                [$"{MetricId(metric)}0"] = M("AWS/ElastiCache", metric, Node(0), stat),
                [$"{MetricId(metric)}1"] = M("AWS/ElastiCache", metric, Node(1), stat),
            },
            Label = label,
            Period = Duration.Minutes(1),
        });
        MathExpression AcrossInstances(string function, string metric, string label) => new(new MathExpressionProps
        {
            Expression = $"{function}([{MetricId(metric)}0, {MetricId(metric)}1])",
            UsingMetrics = new Dictionary<string, IMetric>
            {
                [$"{MetricId(metric)}0"] = M("AWS/RDS", metric, Instance(0), "Minimum"),
                [$"{MetricId(metric)}1"] = M("AWS/RDS", metric, Instance(1), "Minimum"),
            },
            Label = label,
            Period = Duration.Minutes(1),
        });
        var readThrottles = M("AWS/DynamoDB", "ReadThrottleEvents", table, "Sum", "Read throttles");
        var writeThrottles = M("AWS/DynamoDB", "WriteThrottleEvents", table, "Sum", "Write throttles");
        var throttles = new MathExpression(new MathExpressionProps
        {
            // Throttle counts are not published when zero (as in the catalogue's alarm).
            Expression = "FILL(r, 0) + FILL(w, 0)",
            UsingMetrics = new Dictionary<string, IMetric> { ["r"] = readThrottles, ["w"] = writeThrottles },
            Label = "Session table throttles",
            Period = Duration.Minutes(1),
        });

        var alarms = new List<Alarm>
        {
            NewAlarm("P99Latency", "p99-latency", names, "p99 target response time above 1.5 s", p99, 1.5, 5, 3),
            NewAlarm("ErrorRate", "5xx-rate", names, "5xx responses above 2 % of requests", errorRate, 2, 5, 3),
            NewAlarm("AuroraCpu", "aurora-cpu", names, "Aurora CPU above 80 %", auroraCpu, 80, 5, 3),
            NewAlarm("AuroraReplicaLag", "aurora-replica-lag", names, "Aurora replica lag above 1 s", auroraLag, 1000, 5, 3),
            NewAlarm("AuroraConnections", "aurora-connections", names, "Aurora connections above 800", auroraConnections, 800, 5, 3),
            NewAlarm("AuroraFreeableMemory", "aurora-freeable-memory", names, "Aurora freeable memory below 256 MiB on an instance",
                auroraFreeMemory, 256.0 * 1024 * 1024, 5, 3, ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD),
            NewAlarm("AuroraFreeLocalStorage", "aurora-free-local-storage", names, "Aurora free local storage below 2 GiB on an instance",
                auroraFreeStorage, 2.0 * 1024 * 1024 * 1024, 5, 3, ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD),
            NewAlarm("RedisCpu", "redis-cpu", names, "Redis engine CPU above 80 % on a node of the group", redisCpuMax, 80, 5, 3),
            NewAlarm("RedisMemory", "redis-memory", names, "Redis memory above 80 % on a node of the group", redisMemory, 80, 5, 3),
            NewAlarm("RedisEvictions", "redis-evictions", names, "Redis is evicting keys", redisEvictions, 1, 5, 3),
            NewAlarm("RedisReplicationLag", "redis-replication-lag", names, "Redis replication lag above 5 s", redisLag, 5, 5, 3),
            NewAlarm("DynamoDbThrottles", "dynamodb-throttles", names, "Session table requests throttled", throttles, 1, 5, 2),
        };

        foreach (var alarm in alarms)
        {
            alarm.AddAlarmAction(new SnsAction(security.AlarmTopic));
            alarm.AddOkAction(new SnsAction(security.AlarmTopic));
        }

        // The API's unhealthy-host and saturation alarms are defined with its service (Compute stack).
        Alarms = [.. alarms, .. compute.Api.ServiceAlarms];

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
            Graph("Cache (Redis)", [.. redisCpu, redisHitRate, redisMemory], [redisEvictions, redisLag]),
            Graph("Sessions (DynamoDB)",
                [M("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, "Sum", "Read units"), M("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table, "Sum", "Write units")],
                [readThrottles, writeThrottles]));
        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps
        {
            Title = "Alarms",
            // The portal's alarms by name: its stack may fail on its own, and this one must not wait for it.
            Alarms =
            [
                .. Alarms, .. compute.Api.DeploymentAlarms,
                .. new[] { "portal-unhealthy-hosts", "portal-cpu", "portal-memory", "portal-deploy-5xx", "portal-deploy-unhealthy" }
                    .Select(name => Alarm.FromAlarmArn(this, name, $"arn:{Partition}:cloudwatch:{env.Config.Region}:{env.Config.Account}:alarm:{names.Alarm(name)}")),
            ],
            Width = 24,
        }));
    }

    private static string MetricId(string metric) => char.ToLowerInvariant(metric[0]) + metric[1..];

    private static GraphWidget Graph(string title, IMetric[] left, IMetric[]? right = null) => new(new GraphWidgetProps
    {
        Title = title,
        Left = left,
        Right = right ?? [],
        Width = 12,
        Height = 6,
    });

    /// <summary>
    /// An alarm named <c>fintech-{env}-{key}</c>. When the platform catalogue defines the key, its threshold,
    /// comparison, evaluation periods, datapoints, missing-data rule and description are the catalogue's (what
    /// the Sandbox evaluates and the dashboards draw); the values given here serve only the alarms it does not
    /// hold yet (the saturation alarms).
    /// </summary>
    private Alarm NewAlarm(string id, string key, Names names, string description, IMetric metric, double threshold, int periods, int datapoints,
        ComparisonOperator comparison = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
    {
        var catalogued = PlatformCatalogue.Alarms.FirstOrDefault(a => a.Key == key);
        return new(this, id, new AlarmProps
        {
            AlarmName = names.Alarm(key),
            AlarmDescription = catalogued?.Description ?? description,
            Metric = metric,
            Threshold = catalogued?.Threshold ?? threshold,
            EvaluationPeriods = catalogued?.EvaluationPeriods ?? periods,
            DatapointsToAlarm = catalogued?.DatapointsToAlarm ?? datapoints,
            ComparisonOperator = catalogued is null ? comparison : Comparison(catalogued.ComparisonOperator),
            TreatMissingData = catalogued is null ? TreatMissingData.NOT_BREACHING : MissingData(catalogued.TreatMissingData),
        });
    }

    private static ComparisonOperator Comparison(string name) => name switch
    {
        "GreaterThanOrEqualToThreshold" => ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        "GreaterThanThreshold" => ComparisonOperator.GREATER_THAN_THRESHOLD,
        "LessThanThreshold" => ComparisonOperator.LESS_THAN_THRESHOLD,
        "LessThanOrEqualToThreshold" => ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a CloudWatch comparison operator."),
    };

    private static TreatMissingData MissingData(string name) => name switch
    {
        "notBreaching" => TreatMissingData.NOT_BREACHING,
        "breaching" => TreatMissingData.BREACHING,
        "ignore" => TreatMissingData.IGNORE,
        "missing" => TreatMissingData.MISSING,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a CloudWatch TreatMissingData value."),
    };
}
