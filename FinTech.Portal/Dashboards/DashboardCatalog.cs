using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// The portal's dashboards, defined once for every environment: the environment's resource
/// names fill in the metric dimensions, so the Sandbox and AWS answer the same queries.
/// </summary>
public static class DashboardCatalog
{
    /// <summary>Every dashboard, in menu order: the one list of their ids and titles.</summary>
    public static readonly IReadOnlyList<DashboardEntry> All =
    [
        new("overview", "Overview", Overview),
        new("database", "Database", Database),
        new("cache", "Cache", Cache),
        new("sessions", "Sessions", Sessions),
    ];

    public static IReadOnlyList<string> Ids { get; } = [.. All.Select(d => d.Id)];

    /// <summary>The dashboard a bare address (<c>/</c>) opens.</summary>
    public static string DefaultId => All[0].Id;

    public static DashboardDefinition? Find(PortalEnvironment environment, string id)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (All.FirstOrDefault(d => d.Id == id) is not { } entry)
        {
            return null;
        }
        // Built once per environment and shared by every page that shows it, not once per circuit.
        var built = Built.GetValue(environment.Resources, _ => new());
        return built.GetOrAdd(entry.Id, _ => entry.Build(entry, environment.Resources));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PlatformResources, System.Collections.Concurrent.ConcurrentDictionary<string, DashboardDefinition>> Built = [];

    private const string Alb = "AWS/ApplicationELB";
    private const string Ecs = "AWS/ECS";
    private const string ContainerInsights = "ECS/ContainerInsights";
    private const string Rds = "AWS/RDS";
    private const string ElastiCache = "AWS/ElastiCache";
    private const string DynamoDb = "AWS/DynamoDB";

    private static DashboardDefinition Overview(DashboardEntry entry, PlatformResources r)
    {
        // The API's own traffic: its target group. The load balancer as a whole also carries the
        // portal's SignalR traffic, which would blur p99, requests and 5xx.
        Dimension[] api = [new("LoadBalancer", r.LoadBalancer), new("TargetGroup", r.TargetGroup)];
        Dimension[] loadBalancer = [new("LoadBalancer", r.LoadBalancer)];
        Dimension[] service = [new("ClusterName", r.EcsCluster), new("ServiceName", r.EcsService)];
        Dimension[] business = [new("Service", r.BusinessService)];
        var requests = new MetricSpec(Alb, "RequestCount", api, Statistic.Sum);
        var target5xx = new MetricSpec(Alb, "HTTPCode_Target_5XX_Count", api, Statistic.Sum);

        return new DashboardDefinition(
            entry.Id,
            entry.Title,
            "API latency, traffic, errors and capacity of the platform, and what is alarming.",
            [
                // At a glance, the last whole minute: the same metrics as the charts below, so no extra queries.
                new PanelDefinition("now-p99", "p99 latency now", PanelKind.Stat, DisplayUnit.Milliseconds,
                    [Latency("p99", api, Statistic.P99)], Columns: 3),
                new PanelDefinition("now-requests", "Requests now", PanelKind.Stat, DisplayUnit.RequestsPerSecond,
                    [new MetricSeriesDefinition("requests/s", requests, SeriesScale.PerSecond, FillZero: true)], Columns: 3),
                new PanelDefinition("now-errors", "5xx rate now", PanelKind.Stat, DisplayUnit.Percent,
                    [new PercentSeriesDefinition("target 5xx", target5xx, requests)], Columns: 3),
                new PanelDefinition("now-healthy", "Healthy targets now", PanelKind.Stat, DisplayUnit.Count,
                    [new MetricSeriesDefinition("healthy targets", new MetricSpec(Alb, "HealthyHostCount", api, Statistic.Minimum))], Columns: 3),
                new PanelDefinition("latency", "API latency (TargetResponseTime)", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
                [
                    Latency("p50", api, Statistic.P50),
                    Latency("p90", api, Statistic.P90),
                    Latency("p99", api, Statistic.P99),
                ], WarningThreshold: 1000 * Threshold("p99-latency")),
                new PanelDefinition("requests", "Requests", PanelKind.TimeSeries, DisplayUnit.RequestsPerSecond,
                [
                    new MetricSeriesDefinition("requests/s", requests, SeriesScale.PerSecond, FillZero: true),
                ]),
                new PanelDefinition("errors", "Server errors (5xx)", PanelKind.TimeSeries, DisplayUnit.Percent,
                [
                    new PercentSeriesDefinition("target 5xx", target5xx, requests),
                    // The load balancer's own 5xx has no target group: it is a share of all its requests.
                    new PercentSeriesDefinition("ALB 5xx (whole load balancer)", new MetricSpec(Alb, "HTTPCode_ELB_5XX_Count", loadBalancer, Statistic.Sum),
                        new MetricSpec(Alb, "RequestCount", loadBalancer, Statistic.Sum)),
                ], WarningThreshold: Threshold("5xx-rate")),
                new PanelDefinition("transactions", "Transactions", PanelKind.TimeSeries, DisplayUnit.PerSecond,
                [
                    new MetricSeriesDefinition("processed/s", new MetricSpec(r.BusinessNamespace, "TransactionsProcessed", business, Statistic.Sum), SeriesScale.PerSecond, FillZero: true),
                    new MetricSeriesDefinition("failed/s", new MetricSpec(r.BusinessNamespace, "TransactionsFailed", business, Statistic.Sum), SeriesScale.PerSecond, FillZero: true),
                ]),
                new PanelDefinition("tasks", "ECS tasks and healthy targets", PanelKind.TimeSeries, DisplayUnit.Count,
                [
                    new MetricSeriesDefinition("running tasks", new MetricSpec(ContainerInsights, "RunningTaskCount", service, Statistic.Average)),
                    new MetricSeriesDefinition("desired tasks", new MetricSpec(ContainerInsights, "DesiredTaskCount", service, Statistic.Average)),
                    new MetricSeriesDefinition("healthy targets", new MetricSpec(Alb, "HealthyHostCount", api, Statistic.Minimum)),
                ]),
                new PanelDefinition("service-cpu", "ECS service CPU and memory", PanelKind.TimeSeries, DisplayUnit.Percent,
                [
                    new MetricSeriesDefinition("CPU", new MetricSpec(Ecs, "CPUUtilization", service, Statistic.Average)),
                    new MetricSeriesDefinition("memory", new MetricSpec(Ecs, "MemoryUtilization", service, Statistic.Average)),
                ], WarningThreshold: 80),
            ],
            AlarmFilter.All,
            [TopologyPart.Service, TopologyPart.Database, TopologyPart.Cache, TopologyPart.Sessions]);
    }

    /// <summary>The threshold of a catalogue alarm, so a panel's warning line is where the alarm fires.</summary>
    private static double Threshold(string alarmKey) => PlatformCatalogue.Alarm(alarmKey) is { IsSized: true } alarm
        ? alarm.Threshold
        : throw new InvalidOperationException($"The alarm {alarmKey}'s threshold follows the environment's instance class: size it (PlatformCatalogue.SizedFor) before drawing it.");

    /// <summary>Where aurora-connections fires for the environment's instance class; no line when the resources name no class the catalogue knows.</summary>
    private static double? ConnectionsThreshold(PlatformResources r) =>
        PlatformCatalogue.InstanceClasses.ContainsKey(r.AuroraInstanceClass)
            ? PlatformCatalogue.SizedFor([PlatformCatalogue.Alarm("aurora-connections")], r.AuroraInstanceClass)[0].Threshold
            : null;

    private static MetricSeriesDefinition Latency(string label, Dimension[] targets, Statistic statistic) =>
        new(label, new MetricSpec(Alb, "TargetResponseTime", targets, statistic), SeriesScale.SecondsToMilliseconds);

    private static DashboardDefinition Database(DashboardEntry entry, PlatformResources r)
    {
        Dimension[] cluster = [new("DBClusterIdentifier", r.AuroraCluster)];
        Dimension[] writer = [new("DBClusterIdentifier", r.AuroraCluster), new("Role", "WRITER")];
        Dimension[] reader = [new("DBClusterIdentifier", r.AuroraCluster), new("Role", "READER")];
        MetricSpec PerInstance(string metric, string instance, Statistic statistic) =>
            new(Rds, metric, [new Dimension("DBInstanceIdentifier", instance)], statistic);

        return new DashboardDefinition(
            entry.Id,
            entry.Title,
            $"Aurora PostgreSQL cluster {r.AuroraCluster}: writer and readers.",
            [
                new PanelDefinition("db-cpu", "CPU by role", PanelKind.TimeSeries, DisplayUnit.Percent,
                [
                    new MetricSeriesDefinition("writer", new MetricSpec(Rds, "CPUUtilization", writer, Statistic.Average)),
                    new MetricSeriesDefinition("reader", new MetricSpec(Rds, "CPUUtilization", reader, Statistic.Average)),
                ], WarningThreshold: Threshold("aurora-cpu")),
                new PanelDefinition("db-connections", "Connections by role", PanelKind.TimeSeries, DisplayUnit.Count,
                [
                    new MetricSeriesDefinition("writer", new MetricSpec(Rds, "DatabaseConnections", writer, Statistic.Average)),
                    new MetricSeriesDefinition("reader", new MetricSpec(Rds, "DatabaseConnections", reader, Statistic.Average)),
                ], WarningThreshold: ConnectionsThreshold(r)),
                new PanelDefinition("db-replica-lag", "Replica lag (max)", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
                [
                    new MetricSeriesDefinition("AuroraReplicaLagMaximum", new MetricSpec(Rds, "AuroraReplicaLagMaximum", cluster, Statistic.Maximum)),
                ], WarningThreshold: Threshold("aurora-replica-lag")),
                new PanelDefinition("db-commit-latency", "Commit latency (writer)", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
                [
                    // Commits happen on the writer; CommitLatency is published per instance and per role.
                    new MetricSeriesDefinition("commit latency", new MetricSpec(Rds, "CommitLatency", writer, Statistic.Average)),
                ]),
                new PanelDefinition("db-memory", "Freeable memory by instance", PanelKind.TimeSeries, DisplayUnit.Gibibytes,
                    r.AuroraInstances.Select(i => (SeriesDefinition)new MetricSeriesDefinition(i, PerInstance("FreeableMemory", i, Statistic.Minimum), SeriesScale.BytesToGibibytes)).ToList()),
                new PanelDefinition("db-deadlocks", "Deadlocks by instance", PanelKind.TimeSeries, DisplayUnit.PerSecond,
                    r.AuroraInstances.Select(i => (SeriesDefinition)new MetricSeriesDefinition(i, PerInstance("Deadlocks", i, Statistic.Average))).ToList()),
            ],
            AlarmFilter.Of(Rds),
            [TopologyPart.Database]);
    }

    private static DashboardDefinition Cache(DashboardEntry entry, PlatformResources r)
    {
        SeriesDefinition PerNode(string metric, string node, Statistic statistic) =>
            new MetricSeriesDefinition(node, new MetricSpec(ElastiCache, metric, [new Dimension("CacheClusterId", node)], statistic));
        List<SeriesDefinition> EachNode(string metric, Statistic statistic) => r.RedisNodes.Select(n => PerNode(metric, n, statistic)).ToList();

        return new DashboardDefinition(
            entry.Id,
            entry.Title,
            $"ElastiCache Redis replication group {r.RedisReplicationGroup}: primary and replica nodes.",
            [
                new PanelDefinition("cache-hit-rate", "Cache hit rate", PanelKind.TimeSeries, DisplayUnit.Percent, EachNode("CacheHitRate", Statistic.Average)),
                new PanelDefinition("cache-engine-cpu", "Engine CPU", PanelKind.TimeSeries, DisplayUnit.Percent, EachNode("EngineCPUUtilization", Statistic.Average), WarningThreshold: Threshold("redis-cpu")),
                new PanelDefinition("cache-evictions", "Evictions", PanelKind.TimeSeries, DisplayUnit.Count, EachNode("Evictions", Statistic.Sum)),
                new PanelDefinition("cache-memory", "Memory used", PanelKind.TimeSeries, DisplayUnit.Percent, EachNode("DatabaseMemoryUsagePercentage", Statistic.Average), WarningThreshold: Threshold("redis-memory")),
                new PanelDefinition("cache-replication-lag", "Replication lag", PanelKind.TimeSeries, DisplayUnit.Seconds, EachNode("ReplicationLag", Statistic.Maximum)),
                new PanelDefinition("cache-connections", "Client connections", PanelKind.TimeSeries, DisplayUnit.Count, EachNode("CurrConnections", Statistic.Average)),
            ],
            AlarmFilter.Of(ElastiCache),
            [TopologyPart.Cache]);
    }

    private static DashboardDefinition Sessions(DashboardEntry entry, PlatformResources r)
    {
        Dimension[] table = [new("TableName", r.SessionTable)];
        MetricSpec Operation(string metric, string operation, Statistic statistic) =>
            new(DynamoDb, metric, [new Dimension("TableName", r.SessionTable), new Dimension("Operation", operation)], statistic);

        return new DashboardDefinition(
            entry.Id,
            entry.Title,
            $"DynamoDB session table {r.SessionTable} (on-demand).",
            [
                new PanelDefinition("sessions-capacity", "Consumed capacity", PanelKind.TimeSeries, DisplayUnit.PerSecond,
                [
                    new MetricSeriesDefinition("read units/s", new MetricSpec(DynamoDb, "ConsumedReadCapacityUnits", table, Statistic.Sum), SeriesScale.PerSecond),
                    new MetricSeriesDefinition("write units/s", new MetricSpec(DynamoDb, "ConsumedWriteCapacityUnits", table, Statistic.Sum), SeriesScale.PerSecond),
                ]),
                new PanelDefinition("sessions-throttles", "Throttle events", PanelKind.TimeSeries, DisplayUnit.Count,
                [
                    new MetricSeriesDefinition("read throttles", new MetricSpec(DynamoDb, "ReadThrottleEvents", table, Statistic.Sum), FillZero: true),
                    new MetricSeriesDefinition("write throttles", new MetricSpec(DynamoDb, "WriteThrottleEvents", table, Statistic.Sum), FillZero: true),
                ], WarningThreshold: Threshold("dynamodb-throttles")),
                new PanelDefinition("sessions-latency", "Request latency (p99)", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
                [
                    new MetricSeriesDefinition("GetItem", Operation("SuccessfulRequestLatency", "GetItem", Statistic.P99)),
                    new MetricSeriesDefinition("PutItem", Operation("SuccessfulRequestLatency", "PutItem", Statistic.P99)),
                    new MetricSeriesDefinition("UpdateItem", Operation("SuccessfulRequestLatency", "UpdateItem", Statistic.P99)),
                ]),
                new PanelDefinition("sessions-latency-avg", "Request latency (average)", PanelKind.TimeSeries, DisplayUnit.Milliseconds,
                [
                    new MetricSeriesDefinition("GetItem", Operation("SuccessfulRequestLatency", "GetItem", Statistic.Average)),
                    new MetricSeriesDefinition("PutItem", Operation("SuccessfulRequestLatency", "PutItem", Statistic.Average)),
                ]),
            ],
            AlarmFilter.Of(DynamoDb),
            [TopologyPart.Sessions]);
    }
}

/// <summary>A dashboard's id (its address), its title, and how it is defined for an environment's resources.</summary>
public sealed record DashboardEntry(string Id, string Title, Func<DashboardEntry, PlatformResources, DashboardDefinition> Build);
