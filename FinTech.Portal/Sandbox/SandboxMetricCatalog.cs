using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Sandbox;

/// <summary>The units the Sandbox publishes its metrics in (CloudWatch stores one per datapoint; GetMetricData does not return it).</summary>
public enum MetricUnit { None, Milliseconds, Seconds, Percent, Count, CountPerSecond, Bytes }

/// <summary>How a metric's one-minute samples aggregate over a longer period.</summary>
internal enum SampleKind
{
    /// <summary>A level sampled each minute (CPU, connections): mean, min, max, percentiles over the samples.</summary>
    Gauge,

    /// <summary>Events counted per minute (requests, evictions): Sum adds them up.</summary>
    Counter,

    /// <summary>A latency distribution per minute: a period's percentiles are those of all its samples (the mixture).</summary>
    Distribution,
}

/// <summary>One metric with one set of dimension names, as CloudWatch keys it.</summary>
internal sealed class SandboxMetricDefinition
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> DimensionNames { get; init; }
    public required MetricUnit Unit { get; init; }
    public required SampleKind Kind { get; init; }

    /// <summary>
    /// CloudWatch publishes nothing for a minute in which this count is zero (ALB <c>HTTPCode_*</c>,
    /// DynamoDB throttles): the minute has no datapoint rather than a 0.
    /// </summary>
    public bool OmitZero { get; init; }

    /// <summary>The entity the dimension values name (instance, node, operation), or -1 when they name nothing.</summary>
    public required Func<IReadOnlyList<Dimension>, int> Resolve { get; init; }

    public Func<SandboxMinute, int, double>? Value { get; init; }
    /// <summary>The latency distributions of a minute; more than one when the metric mixes several populations (the whole load balancer).</summary>
    public IReadOnlyList<Func<SandboxMinute, int, LogNormal>>? Distributions { get; init; }
}

/// <summary>
/// The metrics the Sandbox answers, by (namespace, metric name, dimension names). The dimension
/// values come from the environment's <see cref="PlatformResources"/>: a query for another load
/// balancer or instance finds nothing, as it would in CloudWatch.
/// </summary>
internal sealed class SandboxMetricCatalog
{
    public const string Alb = "AWS/ApplicationELB";
    public const string Ecs = "AWS/ECS";
    public const string ContainerInsights = "ECS/ContainerInsights";
    public const string Rds = "AWS/RDS";
    public const string ElastiCache = "AWS/ElastiCache";
    public const string DynamoDb = "AWS/DynamoDB";

    private readonly Dictionary<(string Namespace, string Name, string Dimensions), SandboxMetricDefinition> _definitions = [];

    public SandboxMetricCatalog(SandboxModel model, SandboxResources resources)
    {
        var names = resources.Names;
        string[] lb = ["LoadBalancer"];
        string[] lbTg = ["LoadBalancer", "TargetGroup"];
        string[] ecs = ["ClusterName", "ServiceName"];
        string[] instance = ["DBInstanceIdentifier"];
        string[] cluster = ["DBClusterIdentifier"];
        string[] clusterRole = ["DBClusterIdentifier", "Role"];
        string[] node = ["CacheClusterId"];
        string[] table = ["TableName"];
        string[] tableOperation = ["TableName", "Operation"];
        string[] service = ["Service"];

        // Targets: 0 the API's target group, 1 the portal's; -1 the load balancer as a whole.
        int Targets(IReadOnlyList<Dimension> d)
        {
            if (!Is(d, "LoadBalancer", names.LoadBalancer))
            {
                return -2;
            }
            if (!Has(d, "TargetGroup"))
            {
                return SandboxModel.WholeLoadBalancer;
            }
            return Is(d, "TargetGroup", names.TargetGroup) ? 0 : Is(d, "TargetGroup", resources.PortalTargetGroup) ? 1 : -2;
        }
        int LoadBalancer(IReadOnlyList<Dimension> d) => Targets(d) == SandboxModel.WholeLoadBalancer ? 0 : -1;
        int TargetGroup(IReadOnlyList<Dimension> d) => Targets(d) is var t && t >= 0 ? t : -1;
        // Services: 0 the API, 1 the portal.
        int EcsService(IReadOnlyList<Dimension> d) => !Is(d, "ClusterName", names.EcsCluster) ? -1
            : Is(d, "ServiceName", names.EcsService) ? 0
            : Is(d, "ServiceName", resources.PortalService) ? 1
            : -1;
        int Instance(IReadOnlyList<Dimension> d) => Array.IndexOf(resources.AuroraInstances, Value(d, "DBInstanceIdentifier"));
        int Cluster(IReadOnlyList<Dimension> d) => Is(d, "DBClusterIdentifier", names.AuroraCluster) ? 0 : -1;
        int ClusterRole(IReadOnlyList<Dimension> d) => Cluster(d) < 0 ? -1 : Value(d, "Role") switch
        {
            "WRITER" => 0,
            "READER" => 1,
            _ => -1,
        };
        int Node(IReadOnlyList<Dimension> d) => Array.IndexOf(resources.RedisNodes, Value(d, "CacheClusterId"));
        int Table(IReadOnlyList<Dimension> d) => Is(d, "TableName", names.SessionTable) ? 0 : -1;
        int TableOperation(IReadOnlyList<Dimension> d) =>
            Table(d) < 0 ? -1 : Array.IndexOf(SandboxModel.DynamoOperationNames, Value(d, "Operation"));
        int Business(IReadOnlyList<Dimension> d) => Is(d, "Service", names.BusinessService) ? 0 : -1;

        // ALB: each target group sees its own service's traffic; the load balancer as a whole sees
        // both (the portal's SignalR traffic included), which is why the API's panels and alarms
        // are scoped to its target group.
        foreach (var (dims, resolve, whole) in new[] { (lbTg, (Func<IReadOnlyList<Dimension>, int>)TargetGroup, false), (lb, LoadBalancer, true) })
        {
            int T(int target) => whole ? SandboxModel.WholeLoadBalancer : target;
            if (whole)
            {
                AddDistribution(Alb, "TargetResponseTime", MetricUnit.Seconds, dims, resolve, (m, _) => model.ApiLatency(m), (m, _) => model.PortalLatency(m));
            }
            else
            {
                AddDistribution(Alb, "TargetResponseTime", MetricUnit.Seconds, dims, resolve, (m, t) => t == 0 ? model.ApiLatency(m) : model.PortalLatency(m));
            }
            AddCount(Alb, "RequestCount", dims, resolve, (m, t) => model.Responses(m, T(t)).Requests);
            AddCount(Alb, "HTTPCode_Target_2XX_Count", dims, resolve, (m, t) => model.Responses(m, T(t)).Target2xx);
            AddCount(Alb, "HTTPCode_Target_4XX_Count", dims, resolve, (m, t) => model.Responses(m, T(t)).Target4xx);
            AddCount(Alb, "HTTPCode_Target_5XX_Count", dims, resolve, (m, t) => model.Responses(m, T(t)).Target5xx);
        }
        AddCount(Alb, "HTTPCode_ELB_5XX_Count", lb, LoadBalancer, (m, _) => model.Responses(m, SandboxModel.WholeLoadBalancer).Elb5xx);
        Add(Alb, "HealthyHostCount", MetricUnit.Count, SampleKind.Gauge, lbTg, TargetGroup, (m, t) => model.Targets(m, t).Healthy);
        Add(Alb, "UnHealthyHostCount", MetricUnit.Count, SampleKind.Gauge, lbTg, TargetGroup, (m, t) => model.Targets(m, t).Unhealthy);

        Add(Ecs, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, ecs, EcsService, (m, s) => s == 0 ? model.ServiceCpu(m) : model.PortalCpu(m));
        Add(Ecs, "MemoryUtilization", MetricUnit.Percent, SampleKind.Gauge, ecs, EcsService, (m, s) => s == 0 ? model.ServiceMemory(m) : model.PortalMemory(m));
        Add(ContainerInsights, "RunningTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, s) => model.Targets(m, s).Running);
        Add(ContainerInsights, "DesiredTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, s) => model.Targets(m, s).Desired);
        Add(ContainerInsights, "PendingTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, s) => model.Targets(m, s).Pending);

        Add(Rds, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, instance, Instance, model.AuroraCpu);
        Add(Rds, "DatabaseConnections", MetricUnit.Count, SampleKind.Gauge, instance, Instance, model.AuroraConnections);
        Add(Rds, "FreeableMemory", MetricUnit.Bytes, SampleKind.Gauge, instance, Instance, model.AuroraFreeableMemory);
        Add(Rds, "FreeLocalStorage", MetricUnit.Bytes, SampleKind.Gauge, instance, Instance, model.AuroraFreeLocalStorage);
        Add(Rds, "AuroraReplicaLag", MetricUnit.Milliseconds, SampleKind.Gauge, instance, Instance, model.AuroraReplicaLag);
        Add(Rds, "CommitLatency", MetricUnit.Milliseconds, SampleKind.Gauge, instance, Instance, model.AuroraCommitLatency);
        Add(Rds, "Deadlocks", MetricUnit.CountPerSecond, SampleKind.Gauge, instance, Instance, model.AuroraDeadlocks);
        Add(Rds, "AuroraReplicaLagMaximum", MetricUnit.Milliseconds, SampleKind.Gauge, cluster, Cluster, (m, _) => model.AuroraReplicaLagMaximum(m));
        // Role dimensions follow whichever instance holds the role in that minute.
        Add(Rds, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, clusterRole, ClusterRole,
            (m, role) => role == 0 ? model.AuroraCpu(m, m.Writer) : model.ReaderMean(m, model.AuroraCpu));
        Add(Rds, "DatabaseConnections", MetricUnit.Count, SampleKind.Gauge, clusterRole, ClusterRole,
            (m, role) => role == 0 ? model.AuroraConnections(m, m.Writer) : model.ReaderMean(m, model.AuroraConnections));
        // Commits happen on the writer only: Role=READER has no datapoints, as on AWS.
        Add(Rds, "CommitLatency", MetricUnit.Milliseconds, SampleKind.Gauge, clusterRole, ClusterRole,
            (m, role) => role == 0 ? model.AuroraCommitLatency(m, m.Writer) : double.NaN);

        Add(ElastiCache, "CacheHitRate", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisNodeHitRate);
        Add(ElastiCache, "Evictions", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisEvictions);
        Add(ElastiCache, "EngineCPUUtilization", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisEngineCpu);
        Add(ElastiCache, "DatabaseMemoryUsagePercentage", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisMemoryPercent);
        Add(ElastiCache, "ReplicationLag", MetricUnit.Seconds, SampleKind.Gauge, node, Node, model.RedisReplicationLag);
        Add(ElastiCache, "CurrConnections", MetricUnit.Count, SampleKind.Gauge, node, Node, model.RedisConnections);
        Add(ElastiCache, "CacheHits", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisHits);
        Add(ElastiCache, "CacheMisses", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisMisses);

        Add(DynamoDb, "ConsumedReadCapacityUnits", MetricUnit.Count, SampleKind.Counter, table, Table, (m, _) => model.DynamoConsumedRead(m));
        Add(DynamoDb, "ConsumedWriteCapacityUnits", MetricUnit.Count, SampleKind.Counter, table, Table, (m, _) => model.DynamoConsumedWrite(m));
        AddCount(DynamoDb, "ReadThrottleEvents", table, Table, (m, _) => model.DynamoReadThrottles(m));
        AddCount(DynamoDb, "WriteThrottleEvents", table, Table, (_, _) => 0);
        AddCount(DynamoDb, "ThrottledRequests", tableOperation, TableOperation, model.DynamoThrottledRequests);
        AddDistribution(DynamoDb, "SuccessfulRequestLatency", MetricUnit.Milliseconds, tableOperation, TableOperation, model.DynamoLatency);

        var business = names.BusinessNamespace;
        Add(business, "TransactionsProcessed", MetricUnit.Count, SampleKind.Counter, service, Business, (m, _) => model.TransactionsProcessed(m));
        Add(business, "TransactionsFailed", MetricUnit.Count, SampleKind.Counter, service, Business, (m, _) => model.TransactionsFailed(m));
        AddDistribution(business, "TransactionLatency", MetricUnit.Milliseconds, service, Business, (m, _) => model.TransactionLatency(m));

        // The write-probe canary attempts one write a second per target whatever happens to it (a failed write is a
        // ProbeWriteFailures, still a ProbeWrites): the Sandbox's canary never goes silent, so its alarm stays OK.
        // The per-second samples themselves are SandboxWriteProbe's.
        string[] probeTargets = [.. PlatformCatalogue.WriteProbeTargets];
        int ProbeTarget(IReadOnlyList<Dimension> d) => Array.IndexOf(probeTargets, Value(d, PlatformCatalogue.WriteProbeDimension));
        Add(PlatformCatalogue.WriteProbeNamespace, PlatformCatalogue.WriteProbeAttempts, MetricUnit.Count, SampleKind.Counter,
            [PlatformCatalogue.WriteProbeDimension], ProbeTarget, (_, _) => 60);
    }

    public IEnumerable<SandboxMetricDefinition> All => _definitions.Values;

    public bool TryResolve(Metric metric, out SandboxMetricDefinition definition, out int target)
    {
        target = -1;
        var names = metric.Dimensions.Select(d => d.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count
            || !_definitions.TryGetValue((metric.Namespace, metric.MetricName, Key(names)), out definition!))
        {
            definition = null!;
            return false;
        }
        target = definition.Resolve(metric.Dimensions);
        return target >= 0;
    }

    private void Add(string ns, string name, MetricUnit unit, SampleKind kind, string[] dimensions,
        Func<IReadOnlyList<Dimension>, int> resolve, Func<SandboxMinute, int, double> value) =>
        _definitions.Add((ns, name, Key(dimensions)), new SandboxMetricDefinition
        {
            Namespace = ns, Name = name, DimensionNames = dimensions, Unit = unit, Kind = kind, Resolve = resolve, Value = value,
        });

    /// <summary>A count CloudWatch does not publish for a minute in which it is zero.</summary>
    private void AddCount(string ns, string name, string[] dimensions,
        Func<IReadOnlyList<Dimension>, int> resolve, Func<SandboxMinute, int, double> value) =>
        _definitions.Add((ns, name, Key(dimensions)), new SandboxMetricDefinition
        {
            Namespace = ns, Name = name, DimensionNames = dimensions, Unit = MetricUnit.Count, Kind = SampleKind.Counter, OmitZero = true, Resolve = resolve, Value = value,
        });

    private void AddDistribution(string ns, string name, MetricUnit unit, string[] dimensions,
        Func<IReadOnlyList<Dimension>, int> resolve, params Func<SandboxMinute, int, LogNormal>[] distributions) =>
        _definitions.Add((ns, name, Key(dimensions)), new SandboxMetricDefinition
        {
            Namespace = ns, Name = name, DimensionNames = dimensions, Unit = unit, Kind = SampleKind.Distribution, Resolve = resolve, Distributions = distributions,
        });

    private static string Key(IEnumerable<string> dimensionNames) =>
        string.Join('|', dimensionNames.Order(StringComparer.Ordinal));

    private static string? Value(IReadOnlyList<Dimension> dimensions, string name) =>
        dimensions.FirstOrDefault(d => d.Name == name)?.Value;

    private static bool Has(IReadOnlyList<Dimension> dimensions, string name) => dimensions.Any(d => d.Name == name);

    private static bool Is(IReadOnlyList<Dimension> dimensions, string name, string expected) =>
        string.Equals(Value(dimensions, name), expected, StringComparison.Ordinal);
}

/// <summary>The environment's resource names with the Sandbox's member names filled in.</summary>
internal sealed class SandboxResources
{
    public SandboxResources(PlatformResources names)
    {
        // A Sandbox environment's options already carry the defaults; a platform built by hand may not.
        Names = names.WithSandboxDefaults();
        PortalTargetGroup = Names.PortalTargetGroup!;
        PortalService = Names.PortalService!;
        AuroraInstances = [.. Names.AuroraInstances];
        RedisNodes = [.. Names.RedisNodes];
    }

    public PlatformResources Names { get; }
    public string PortalTargetGroup { get; }
    public string PortalService { get; }
    public string[] AuroraInstances { get; }
    public string[] RedisNodes { get; }
}
