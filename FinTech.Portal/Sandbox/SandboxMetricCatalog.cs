using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>How a metric's one-minute samples aggregate over a longer period.</summary>
internal enum SampleKind
{
    /// <summary>A level sampled each minute (CPU, connections): mean, min, max, percentiles over the samples.</summary>
    Gauge,

    /// <summary>Events counted per minute (requests, evictions): Sum adds them up.</summary>
    Counter,

    /// <summary>A latency distribution per minute: percentiles are request-weighted means of the minutes' percentiles.</summary>
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

    /// <summary>The entity the dimension values name (instance, node, operation), or -1 when they name nothing.</summary>
    public required Func<IReadOnlyList<MetricDimension>, int> Resolve { get; init; }

    public Func<SandboxMinute, int, double>? Value { get; init; }
    public Func<SandboxMinute, int, LogNormal>? Distribution { get; init; }
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

        int LoadBalancer(IReadOnlyList<MetricDimension> d) =>
            Is(d, "LoadBalancer", names.LoadBalancer) && (!Has(d, "TargetGroup") || Is(d, "TargetGroup", names.TargetGroup)) ? 0 : -1;
        int EcsService(IReadOnlyList<MetricDimension> d) =>
            Is(d, "ClusterName", names.EcsCluster) && Is(d, "ServiceName", names.EcsService) ? 0 : -1;
        int Instance(IReadOnlyList<MetricDimension> d) => Array.IndexOf(resources.AuroraInstances, Value(d, "DBInstanceIdentifier"));
        int Cluster(IReadOnlyList<MetricDimension> d) => Is(d, "DBClusterIdentifier", names.AuroraCluster) ? 0 : -1;
        int ClusterRole(IReadOnlyList<MetricDimension> d) => Cluster(d) < 0 ? -1 : Value(d, "Role") switch
        {
            "WRITER" => 0,
            "READER" => 1,
            _ => -1,
        };
        int Node(IReadOnlyList<MetricDimension> d) => Array.IndexOf(resources.RedisNodes, Value(d, "CacheClusterId"));
        int Table(IReadOnlyList<MetricDimension> d) => Is(d, "TableName", names.SessionTable) ? 0 : -1;
        int TableOperation(IReadOnlyList<MetricDimension> d) =>
            Table(d) < 0 ? -1 : Array.IndexOf(SandboxModel.DynamoOperationNames, Value(d, "Operation"));
        int Business(IReadOnlyList<MetricDimension> d) => Is(d, "Service", names.BusinessService) ? 0 : -1;

        // ALB: the whole load balancer and its one target group see the same traffic.
        foreach (var dims in new[] { lb, lbTg })
        {
            AddDistribution(Alb, "TargetResponseTime", MetricUnit.Seconds, dims, LoadBalancer, (m, _) => model.ApiLatency(m));
            Add(Alb, "RequestCount", MetricUnit.Count, SampleKind.Counter, dims, LoadBalancer, (m, _) => model.Responses(m).Requests);
            Add(Alb, "HTTPCode_Target_2XX_Count", MetricUnit.Count, SampleKind.Counter, dims, LoadBalancer, (m, _) => model.Responses(m).Target2xx);
            Add(Alb, "HTTPCode_Target_4XX_Count", MetricUnit.Count, SampleKind.Counter, dims, LoadBalancer, (m, _) => model.Responses(m).Target4xx);
            Add(Alb, "HTTPCode_Target_5XX_Count", MetricUnit.Count, SampleKind.Counter, dims, LoadBalancer, (m, _) => model.Responses(m).Target5xx);
        }
        Add(Alb, "HTTPCode_ELB_5XX_Count", MetricUnit.Count, SampleKind.Counter, lb, LoadBalancer, (m, _) => model.Responses(m).Elb5xx);
        Add(Alb, "HealthyHostCount", MetricUnit.Count, SampleKind.Gauge, lbTg, LoadBalancer, (m, _) => model.Tasks(m).Healthy);
        Add(Alb, "UnHealthyHostCount", MetricUnit.Count, SampleKind.Gauge, lbTg, LoadBalancer, (m, _) => model.Tasks(m).Unhealthy);

        Add(Ecs, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, ecs, EcsService, (m, _) => model.ServiceCpu(m));
        Add(Ecs, "MemoryUtilization", MetricUnit.Percent, SampleKind.Gauge, ecs, EcsService, (m, _) => model.ServiceMemory(m));
        Add(ContainerInsights, "RunningTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, _) => model.Tasks(m).Running);
        Add(ContainerInsights, "DesiredTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, _) => model.Tasks(m).Desired);
        Add(ContainerInsights, "PendingTaskCount", MetricUnit.Count, SampleKind.Gauge, ecs, EcsService, (m, _) => model.Tasks(m).Pending);

        Add(Rds, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, instance, Instance, model.AuroraCpu);
        Add(Rds, "DatabaseConnections", MetricUnit.Count, SampleKind.Gauge, instance, Instance, model.AuroraConnections);
        Add(Rds, "FreeableMemory", MetricUnit.Bytes, SampleKind.Gauge, instance, Instance, model.AuroraFreeableMemory);
        Add(Rds, "AuroraReplicaLag", MetricUnit.Milliseconds, SampleKind.Gauge, instance, Instance, model.AuroraReplicaLag);
        Add(Rds, "CommitLatency", MetricUnit.Milliseconds, SampleKind.Gauge, instance, Instance, model.AuroraCommitLatency);
        Add(Rds, "Deadlocks", MetricUnit.CountPerSecond, SampleKind.Gauge, instance, Instance, model.AuroraDeadlocks);
        Add(Rds, "AuroraReplicaLagMaximum", MetricUnit.Milliseconds, SampleKind.Gauge, cluster, Cluster, (m, _) => model.AuroraReplicaLagMaximum(m));
        Add(Rds, "CommitLatency", MetricUnit.Milliseconds, SampleKind.Gauge, cluster, Cluster, (m, _) => model.AuroraCommitLatency(m, m.Writer));
        // Role dimensions follow whichever instance holds the role in that minute.
        Add(Rds, "CPUUtilization", MetricUnit.Percent, SampleKind.Gauge, clusterRole, ClusterRole,
            (m, role) => role == 0 ? model.AuroraCpu(m, m.Writer) : model.ReaderMean(m, model.AuroraCpu));
        Add(Rds, "DatabaseConnections", MetricUnit.Count, SampleKind.Gauge, clusterRole, ClusterRole,
            (m, role) => role == 0 ? model.AuroraConnections(m, m.Writer) : model.ReaderMean(m, model.AuroraConnections));

        Add(ElastiCache, "CacheHitRate", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisHitRate);
        Add(ElastiCache, "Evictions", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisEvictions);
        Add(ElastiCache, "EngineCPUUtilization", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisEngineCpu);
        Add(ElastiCache, "DatabaseMemoryUsagePercentage", MetricUnit.Percent, SampleKind.Gauge, node, Node, model.RedisMemoryPercent);
        Add(ElastiCache, "ReplicationLag", MetricUnit.Seconds, SampleKind.Gauge, node, Node, model.RedisReplicationLag);
        Add(ElastiCache, "CurrConnections", MetricUnit.Count, SampleKind.Gauge, node, Node, model.RedisConnections);
        Add(ElastiCache, "CacheHits", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisHits);
        Add(ElastiCache, "CacheMisses", MetricUnit.Count, SampleKind.Counter, node, Node, model.RedisMisses);

        Add(DynamoDb, "ConsumedReadCapacityUnits", MetricUnit.Count, SampleKind.Counter, table, Table, (m, _) => model.DynamoConsumedRead(m));
        Add(DynamoDb, "ConsumedWriteCapacityUnits", MetricUnit.Count, SampleKind.Counter, table, Table, (m, _) => model.DynamoConsumedWrite(m));
        Add(DynamoDb, "ReadThrottleEvents", MetricUnit.Count, SampleKind.Counter, table, Table, (m, _) => model.DynamoReadThrottles(m));
        Add(DynamoDb, "WriteThrottleEvents", MetricUnit.Count, SampleKind.Counter, table, Table, (_, _) => 0);
        Add(DynamoDb, "ThrottledRequests", MetricUnit.Count, SampleKind.Counter, tableOperation, TableOperation, model.DynamoThrottledRequests);
        AddDistribution(DynamoDb, "SuccessfulRequestLatency", MetricUnit.Milliseconds, tableOperation, TableOperation, model.DynamoLatency);

        var business = names.BusinessNamespace;
        Add(business, "TransactionsProcessed", MetricUnit.Count, SampleKind.Counter, service, Business, (m, _) => model.TransactionsProcessed(m));
        Add(business, "TransactionsFailed", MetricUnit.Count, SampleKind.Counter, service, Business, (m, _) => model.TransactionsFailed(m));
        AddDistribution(business, "TransactionLatency", MetricUnit.Milliseconds, service, Business, (m, _) => model.TransactionLatency(m));
    }

    public IEnumerable<SandboxMetricDefinition> All => _definitions.Values;

    public bool TryResolve(MetricQuery query, out SandboxMetricDefinition definition, out int target)
    {
        target = -1;
        var names = query.Dimensions.Select(d => d.Name).ToList();
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count
            || !_definitions.TryGetValue((query.Namespace, query.MetricName, Key(names)), out definition!))
        {
            definition = null!;
            return false;
        }
        target = definition.Resolve(query.Dimensions);
        return target >= 0;
    }

    private void Add(string ns, string name, MetricUnit unit, SampleKind kind, string[] dimensions,
        Func<IReadOnlyList<MetricDimension>, int> resolve, Func<SandboxMinute, int, double> value) =>
        _definitions.Add((ns, name, Key(dimensions)), new SandboxMetricDefinition
        {
            Namespace = ns, Name = name, DimensionNames = dimensions, Unit = unit, Kind = kind, Resolve = resolve, Value = value,
        });

    private void AddDistribution(string ns, string name, MetricUnit unit, string[] dimensions,
        Func<IReadOnlyList<MetricDimension>, int> resolve, Func<SandboxMinute, int, LogNormal> distribution) =>
        _definitions.Add((ns, name, Key(dimensions)), new SandboxMetricDefinition
        {
            Namespace = ns, Name = name, DimensionNames = dimensions, Unit = unit, Kind = SampleKind.Distribution, Resolve = resolve, Distribution = distribution,
        });

    private static string Key(IEnumerable<string> dimensionNames) =>
        string.Join('|', dimensionNames.Order(StringComparer.Ordinal));

    private static string? Value(IReadOnlyList<MetricDimension> dimensions, string name) =>
        dimensions.FirstOrDefault(d => d.Name == name)?.Value;

    private static bool Has(IReadOnlyList<MetricDimension> dimensions, string name) => dimensions.Any(d => d.Name == name);

    private static bool Is(IReadOnlyList<MetricDimension> dimensions, string name, string expected) =>
        string.Equals(Value(dimensions, name), expected, StringComparison.Ordinal);
}

/// <summary>The environment's resource names with the Sandbox's member names filled in.</summary>
internal sealed class SandboxResources
{
    public SandboxResources(PlatformResources names)
    {
        Names = names;
        AuroraInstances = names.AuroraInstances.Count > 0
            ? [.. names.AuroraInstances]
            : [$"{names.AuroraCluster}-1", $"{names.AuroraCluster}-2"];
        RedisNodes = names.RedisNodes.Count > 0
            ? [.. names.RedisNodes]
            : [$"{names.RedisReplicationGroup}-001", $"{names.RedisReplicationGroup}-002"];
    }

    public PlatformResources Names { get; }
    public string[] AuroraInstances { get; }
    public string[] RedisNodes { get; }
}
