using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using FinTech.Portal.Platform.Catalogue;
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
        // The API's own traffic (its target group): the load balancer as a whole also carries the portal's.
        var alb = new Dictionary<string, string>
        {
            ["LoadBalancer"] = compute.LoadBalancer.LoadBalancerFullName,
            ["TargetGroup"] = compute.Api.TargetGroup.TargetGroupFullName,
        };
        var cluster = new Dictionary<string, string> { ["DBClusterIdentifier"] = names.AuroraCluster };
        var writer = new Dictionary<string, string> { ["DBClusterIdentifier"] = names.AuroraCluster, ["Role"] = "WRITER" };
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
        var target4xx = M("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", alb, "Sum", "Target 4xx");
        var errorRate = new MathExpression(new MathExpressionProps
        {
            // CloudWatch publishes no 5xx count for a minute without errors: FILL makes it 0.
            Expression = "100 * FILL(t5xx, 0) / requests",
            UsingMetrics = new Dictionary<string, IMetric> { ["requests"] = requests, ["t5xx"] = target5xx },
            Label = "5xx rate (%)",
            Period = Duration.Minutes(1),
        });
        var auroraCpu = M("AWS/RDS", "CPUUtilization", writer, "Maximum", "Aurora writer CPU (%)");
        var auroraConnections = M("AWS/RDS", "DatabaseConnections", writer, "Maximum", "Aurora writer connections");
        var auroraLag = M("AWS/RDS", "AuroraReplicaLagMaximum", cluster, "Maximum", "Aurora replica lag (ms)");
        var redisCpu = Enumerable.Range(0, 2).Select(i => M("AWS/ElastiCache", "EngineCPUUtilization", Node(i), "Maximum", $"{names.RedisNode(i)} engine CPU (%)")).ToArray();
        var redisEvictions = M("AWS/ElastiCache", "Evictions", Node(0), "Sum", "Evictions (primary)");
        var redisLag = M("AWS/ElastiCache", "ReplicationLag", Node(1), "Maximum", "Replication lag (s)");
        var redisHitRate = M("AWS/ElastiCache", "CacheHitRate", Node(0), "Average", "Cache hit rate (%)");
        var readThrottles = M("AWS/DynamoDB", "ReadThrottleEvents", table, "Sum", "Read throttles");
        var writeThrottles = M("AWS/DynamoDB", "WriteThrottleEvents", table, "Sum", "Write throttles");

        // The alarms are the catalogue's, the same list the portal's Sandbox evaluates.
        var alarms = CatalogueAlarms.Create(this, names, PlatformCatalogue.Alarms, placeholder => placeholder switch
        {
            "LoadBalancer" => compute.LoadBalancer.LoadBalancerFullName,
            "ApiTargetGroup" => compute.Api.TargetGroup.TargetGroupFullName,
            "PortalTargetGroup" => compute.Portal.TargetGroup.TargetGroupFullName,
            "AuroraCluster" => names.AuroraCluster,
            "SessionTable" => names.SessionTable,
            "BusinessService" => PlatformCatalogue.BusinessService,
            _ when placeholder.StartsWith("RedisNode:", StringComparison.Ordinal) => names.RedisNode(int.Parse(placeholder[10..], System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new InvalidOperationException($"The catalogue names a resource infra does not know: {{{placeholder}}}."),
        }, security.AlarmTopic);

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
            Graph("Errors", [target5xx, target4xx], [errorRate]),
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
}
