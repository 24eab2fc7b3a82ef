using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Constructs;
using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The environment's CloudWatch dashboard (throughput, p99 latency, errors, database, cache, sessions, alarms)
/// and the platform's alarms of the catalogue (<see cref="PlatformCatalogue.Alarms"/>, built by <see cref="CatalogueAlarms"/>),
/// all notifying the KMS-encrypted SNS topic. Metric names and dimensions are the ones the portal's dashboards query.
/// The alarms of each ECS service (unhealthy targets, CPU and memory, deployments) are with the service, <see cref="WebService"/>.
/// </summary>
public sealed class ObservabilityStack : Stack
{
    public Dashboard Dashboard { get; }
    /// <summary>The platform's alarms of the catalogue (the services' are with each service).</summary>
    public IReadOnlyList<CfnAlarm> Alarms { get; }

    public ObservabilityStack(Construct scope, string id, EnvironmentContext env, SecurityStack security,
        ComputeStack compute, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        var alb = new Dictionary<string, string> { ["LoadBalancer"] = compute.LoadBalancer.LoadBalancerFullName };
        // The API's own traffic: the load balancer also carries the portal's (SignalR included), which would blur the
        // API's latency and error rate. Scoped as the catalogue's alarms and the portal's dashboards are.
        var api = new Dictionary<string, string>
        {
            ["LoadBalancer"] = compute.LoadBalancer.LoadBalancerFullName,
            ["TargetGroup"] = compute.Api.TargetGroup.TargetGroupFullName,
        };
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

        var requests = M("AWS/ApplicationELB", "RequestCount", api, "Sum", "API requests");
        var p99 = M("AWS/ApplicationELB", "TargetResponseTime", api, "p99", "API p99 latency (s)");
        var target5xx = M("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", api, "Sum", "API 5xx");
        var target4xx = M("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", api, "Sum", "API 4xx");
        // Errors the load balancer itself answers belong to no target group: AWS publishes them per load balancer only.
        var elb5xx = M("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, "Sum", "ALB 5xx (whole load balancer)");
        var errorRate = new MathExpression(new MathExpressionProps
        {
            // As the 5xx-rate alarm computes it. CloudWatch publishes no 5xx count for a minute without one: FILL makes it 0.
            Expression = "IF(requests > 0, 100 * FILL(t5xx, 0) / requests, 0)",
            UsingMetrics = new Dictionary<string, IMetric> { ["requests"] = requests, ["t5xx"] = target5xx },
            Label = "API 5xx rate (%)",
            Period = Duration.Minutes(1),
        });
        var auroraCpu = M("AWS/RDS", "CPUUtilization", cluster, "Maximum", "Aurora CPU (%)");
        var auroraConnections = M("AWS/RDS", "DatabaseConnections", cluster, "Maximum", "Aurora connections");
        var auroraLag = M("AWS/RDS", "AuroraReplicaLagMaximum", cluster, "Maximum", "Aurora replica lag (ms)");
        var redisCpu = Enumerable.Range(0, 2).Select(i => M("AWS/ElastiCache", "EngineCPUUtilization", Node(i), "Maximum", $"{names.RedisNode(i)} engine CPU (%)")).ToArray();
        var redisHitRate = M("AWS/ElastiCache", "CacheHitRate", Node(0), "Average", "Cache hit rate (%)");
        // Whichever node is primary now: the replica reports the lag, the primary the evictions, both their memory.
        var redisMemory = AcrossNodes("MAX", "DatabaseMemoryUsagePercentage", "Maximum", "Redis memory used, fullest node (%)");
        var redisEvictions = AcrossNodes("SUM", "Evictions", "Sum", "Evictions (all nodes)");
        var redisLag = AcrossNodes("MAX", "ReplicationLag", "Maximum", "Replication lag (s)");
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
        var readThrottles = M("AWS/DynamoDB", "ReadThrottleEvents", table, "Sum", "Read throttles");
        var writeThrottles = M("AWS/DynamoDB", "WriteThrottleEvents", table, "Sum", "Write throttles");

        // Every alarm of the platform catalogue but the services' (those are created with each service, WebService).
        // Sized for the environment's Aurora instance class (cdk.json auroraInstanceClass, the class the Data stack deploys).
        Alarms = CatalogueAlarms.Create(this, PlatformCatalogue.SizedFor(PlatformCatalogue.Alarms, env.Config.AuroraInstanceClass), names, security.AlarmTopic, placeholder => placeholder switch
        {
            "LoadBalancer" => compute.LoadBalancer.LoadBalancerFullName,
            "ApiTargetGroup" => compute.Api.TargetGroup.TargetGroupFullName,
            "AuroraCluster" => names.AuroraCluster,
            "SessionTable" => names.SessionTable,
            "BusinessService" => PlatformCatalogue.BusinessService,
            _ when placeholder.StartsWith("AuroraInstance:", StringComparison.Ordinal) => names.AuroraInstance(Member(placeholder)),
            _ when placeholder.StartsWith("RedisNode:", StringComparison.Ordinal) => names.RedisNode(Member(placeholder)),
            _ => throw new InvalidOperationException($"The Observability stack has no value for the catalogue placeholder {{{placeholder}}}."),
        });

        Dashboard = new Dashboard(this, "Dashboard", new DashboardProps
        {
            DashboardName = $"FinTech-{env.Key}",
            DefaultInterval = Duration.Hours(3),
        });
        Dashboard.AddWidgets(
            Graph("API throughput", [requests]),
            Graph("API p99 latency", [p99]));
        Dashboard.AddWidgets(
            Graph("API errors", [target5xx, target4xx, elb5xx], [errorRate]),
            Graph("Database (Aurora)", [auroraCpu, auroraConnections], [auroraLag]));
        Dashboard.AddWidgets(
            Graph("Cache (Redis)", [.. redisCpu, redisHitRate, redisMemory], [redisEvictions, redisLag]),
            Graph("Sessions (DynamoDB)",
                [M("AWS/DynamoDB", "ConsumedReadCapacityUnits", table, "Sum", "Read units"), M("AWS/DynamoDB", "ConsumedWriteCapacityUnits", table, "Sum", "Write units")],
                [readThrottles, writeThrottles]));
        Dashboard.AddWidgets(new AlarmStatusWidget(new AlarmStatusWidgetProps
        {
            Title = "Alarms",
            // Every alarm of the catalogue by name: the portal's stack may fail on its own, and this one must not wait for it.
            Alarms = PlatformCatalogue.AllAlarms
                .Select(alarm => Alarm.FromAlarmArn(this, alarm.Key, $"arn:{Partition}:cloudwatch:{env.Config.Region}:{env.Config.Account}:alarm:{names.Alarm(alarm.Key)}"))
                .ToArray(),
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

    /// <summary>The member index of <c>{RedisNode:N}</c> or <c>{AuroraInstance:N}</c>.</summary>
    private static int Member(string placeholder) =>
        int.Parse(placeholder[(placeholder.IndexOf(':', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
}
