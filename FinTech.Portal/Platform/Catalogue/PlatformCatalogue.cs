// The one platform catalogue: compiled into the portal (FinTech.Portal) and into infra/FinTech.Infra,
// so the Sandbox, the dashboards and the CDK stacks read the same resource names, alarm names,
// thresholds and datapoints. Plain C# data with no dependencies: both projects compile this file.
namespace FinTech.Portal.Platform.Catalogue;

/// <summary>The physical names of one environment's resources (<c>fintech-{env}-...</c>).</summary>
public sealed record CatalogueNames(string Env)
{
    public string Prefix => $"fintech-{Env}";
    public string EcsCluster => Prefix;
    public string Service(string service) => $"{Prefix}-{service}";
    public string ApiService => Service(PlatformCatalogue.ApiServiceKey);
    public string PortalService => Service(PlatformCatalogue.PortalServiceKey);
    public string LoadBalancerName => $"{Prefix}-alb";
    public string TargetGroupName(string service) => $"{Prefix}-{service}";
    public string AuroraCluster => $"{Prefix}-aurora";
    public string AuroraInstance(int index) => $"{Prefix}-aurora-{index + 1}";
    public string RedisReplicationGroup => $"{Prefix}-redis";

    /// <summary>ElastiCache names a replication group's member clusters <c>GROUP-001</c>, <c>GROUP-002</c>, ...</summary>
    public string RedisNode(int index) => $"{RedisReplicationGroup}-{index + 1:000}";
    public string SessionTable => $"{Prefix}-sessions";

    /// <summary>A Secrets Manager secret infra creates, <c>fintech/ENV/KEY</c> (keys: <see cref="PlatformCatalogue.SecretKeys"/>).</summary>
    public string Secret(string key) => $"fintech/{Env}/{key}";

    /// <summary>Every alarm of the environment starts with this, which is what IAM scopes DescribeAlarms to.</summary>
    public string AlarmPrefix => $"{Prefix}-";
    public string Alarm(string key) => $"{AlarmPrefix}{key}";
}

/// <summary>Memory and vCPUs of an instance class, for the Sandbox's engine sizes.</summary>
public sealed record InstanceClass(string Name, double MemoryGiB, int VCpus, int MaxConnections);

/// <summary>
/// One metric an alarm reads. Dimension values are placeholders resolved per environment:
/// <c>{LoadBalancer}</c>, <c>{ApiTargetGroup}</c>, <c>{PortalTargetGroup}</c>, <c>{AuroraCluster}</c>,
/// <c>{RedisNode:N}</c> (0-based), <c>{SessionTable}</c>, <c>{BusinessService}</c>; anything else is literal.
/// </summary>
public sealed record CatalogueMetric(string Id, string Namespace, string MetricName, IReadOnlyList<(string Name, string Value)> Dimensions, string Stat);

/// <summary>
/// A CloudWatch alarm as infra creates it and the Sandbox evaluates it: on one metric, or on
/// metric math (<see cref="Expression"/> over the metrics' ids, with <c>FILL(m, 0)</c> for counts
/// CloudWatch does not publish when they are zero).
/// </summary>
public sealed record CatalogueAlarm(
    string Key,
    string Description,
    IReadOnlyList<CatalogueMetric> Metrics,
    string? Expression,
    string ComparisonOperator,
    double Threshold,
    int EvaluationPeriods,
    int DatapointsToAlarm,
    string TreatMissingData,
    int PeriodSeconds = 60);

public static class PlatformCatalogue
{
    public const string ApiServiceKey = "api";
    public const string PortalServiceKey = "portal";

    /// <summary>The keys of the secrets infra creates (<see cref="CatalogueNames.Secret"/> names them per environment).</summary>
    public static class SecretKeys
    {
        public const string RedisAuthToken = "redis/auth-token";
        public const string ExternalApiKeys = "api/external-api-keys";
        public const string OriginVerify = "edge/origin-verify";
        public const string PortalDatabaseConnection = "portal/database-connection-string";
        public const string EntraClientSecret = "portal/entra-client-secret";

        /// <summary>Every key but the Redis token's (which has its own resource setting), in listing order.</summary>
        public static readonly IReadOnlyList<string> Others = [ExternalApiKeys, OriginVerify, PortalDatabaseConnection, EntraClientSecret];
    }

    /// <summary>
    /// The platform's custom business metrics. Nothing AWS publishes: the payments API must emit
    /// them (PutMetricData or EMF log lines) with the dimension <c>Service</c> = <see cref="BusinessService"/>.
    /// </summary>
    public const string BusinessNamespace = "FinTech/Transactions";
    public const string BusinessService = "payments-api";

    /// <summary>The metrics of <see cref="BusinessNamespace"/> that the dashboards and alarms read.</summary>
    public static readonly IReadOnlyList<string> BusinessMetrics = ["TransactionsProcessed", "TransactionsFailed", "TransactionLatency"];

    /// <summary>
    /// The write-probe canary's high-resolution custom metrics (StorageResolution 1, published every
    /// second with the dimension <c>Target</c> = <c>AuroraWriter</c> or <c>RedisPrimary</c>): what the
    /// Aws write probe reads. Nothing AWS publishes them: the write-probe canary (FinTech.Portal/WriteProbe,
    /// deployed by infra as fintech-{env}-write-probe) writes once a second through the cluster and primary
    /// endpoints and emits them, 0 included.
    /// </summary>
    public const string WriteProbeNamespace = "FinTech/WriteProbe";

    /// <summary>Writes attempted in the second (Count).</summary>
    public const string WriteProbeAttempts = "ProbeWrites";

    /// <summary>Writes that failed in the second (Count; 0 when all committed).</summary>
    public const string WriteProbeFailures = "ProbeWriteFailures";

    /// <summary>How long a write took to commit or fail (Milliseconds).</summary>
    public const string WriteProbeLatency = "ProbeWriteLatency";

    /// <summary>The Sandbox environment's sizes (an environment of infra sizes itself in cdk.json).</summary>
    public const string SandboxAuroraInstanceClass = "db.r6g.large";
    public const string SandboxRedisNodeType = "cache.r6g.large";

    /// <summary>The instance classes infra may choose, with what the engines have to work with.</summary>
    public static readonly IReadOnlyDictionary<string, InstanceClass> InstanceClasses = new[]
    {
        // Aurora PostgreSQL: max_connections = LEAST(DBInstanceClassMemory/9531392, 5000).
        new InstanceClass("db.t4g.medium", 4, 2, 405),
        new InstanceClass("db.r6g.large", 16, 2, 1_660),
        new InstanceClass("db.r6g.xlarge", 32, 4, 3_351),
        new InstanceClass("db.r6g.2xlarge", 64, 8, 5_000),
        // ElastiCache: the node's memory for data (maxmemory before the reserved share).
        new InstanceClass("cache.t4g.small", 1.37, 2, 65_000),
        new InstanceClass("cache.t4g.medium", 3.09, 2, 65_000),
        new InstanceClass("cache.r6g.large", 13.07, 2, 65_000),
        new InstanceClass("cache.r6g.xlarge", 26.32, 4, 65_000),
    }.ToDictionary(c => c.Name, StringComparer.Ordinal);

    private const string Alb = "AWS/ApplicationELB";
    private const string Rds = "AWS/RDS";
    private const string ElastiCache = "AWS/ElastiCache";
    private const string DynamoDb = "AWS/DynamoDB";

    private static readonly (string, string)[] ApiTargets = [("LoadBalancer", "{LoadBalancer}"), ("TargetGroup", "{ApiTargetGroup}")];
    private static readonly (string, string)[] PortalTargets = [("LoadBalancer", "{LoadBalancer}"), ("TargetGroup", "{PortalTargetGroup}")];
    private static readonly (string, string)[] Writer = [("DBClusterIdentifier", "{AuroraCluster}"), ("Role", "WRITER")];
    private static readonly (string, string)[] Cluster = [("DBClusterIdentifier", "{AuroraCluster}")];
    private static readonly (string, string)[] Table = [("TableName", "{SessionTable}")];
    private static readonly (string, string)[] Business = [("Service", "{BusinessService}")];

    private static (string, string)[] Node(int index) => [("CacheClusterId", $"{{RedisNode:{index}}}")];

    private static CatalogueMetric M(string ns, string metric, (string, string)[] dimensions, string stat, string id = "m1") =>
        new(id, ns, metric, dimensions, stat);

    /// <summary>The alarms of every environment (names: <see cref="CatalogueNames.Alarm"/> of the key).</summary>
    public static readonly IReadOnlyList<CatalogueAlarm> Alarms =
    [
        new("p99-latency", "p99 of the API's response time (its target group) has been at or above 1.5 s in 3 of 5 minutes: checkout feels slow to customers.",
            [M(Alb, "TargetResponseTime", ApiTargets, "p99")], null,
            "GreaterThanOrEqualToThreshold", 1.5, 5, 3, "notBreaching"),
        new("5xx-rate", "2 % or more of the API's requests failed with a target 5XX in 3 of 5 minutes (a minute without 5XX publishes no count: FILL makes it 0).",
            [M(Alb, "HTTPCode_Target_5XX_Count", ApiTargets, "Sum", "t5xx"), M(Alb, "RequestCount", ApiTargets, "Sum", "requests")],
            "100 * FILL(t5xx, 0) / requests",
            "GreaterThanOrEqualToThreshold", 2, 5, 3, "notBreaching"),
        new("api-unhealthy-hosts", "At least one API task failed the ALB health check in 2 of 3 minutes.",
            [M(Alb, "UnHealthyHostCount", ApiTargets, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 1, 3, 2, "notBreaching"),
        new("portal-unhealthy-hosts", "At least one portal task failed the ALB health check in 2 of 3 minutes.",
            [M(Alb, "UnHealthyHostCount", PortalTargets, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 1, 3, 2, "notBreaching"),
        new("aurora-cpu", "The Aurora writer's CPU has been at or above 80 % in 3 of 5 minutes.",
            [M(Rds, "CPUUtilization", Writer, "Average")], null,
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("aurora-replica-lag", "An Aurora reader has been 1 s or more behind the writer in 3 of 5 minutes: reads may return stale balances.",
            [M(Rds, "AuroraReplicaLagMaximum", Cluster, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 1000, 5, 3, "notBreaching"),
        new("aurora-connections", "The Aurora writer has held 800 or more connections in 3 of 5 minutes: pools are leaking or the API is scaling past the instance class.",
            [M(Rds, "DatabaseConnections", Writer, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 800, 5, 3, "notBreaching"),
        new("redis-hit-rate", "The Redis primary's hit rate has been below 80 % in 3 of 5 minutes: misses fall through to Aurora and DynamoDB.",
            [M(ElastiCache, "CacheHitRate", Node(0), "Average")], null,
            "LessThanThreshold", 80, 5, 3, "notBreaching"),
        new("redis-evictions", "Redis evicted keys in 3 of 5 minutes: the data set no longer fits the node type.",
            [M(ElastiCache, "Evictions", Node(0), "Sum")], null,
            "GreaterThanOrEqualToThreshold", 1, 5, 3, "notBreaching"),
        new("redis-replication-lag", "The Redis replica has been 5 s or more behind the primary in 3 of 5 minutes.",
            [M(ElastiCache, "ReplicationLag", Node(1), "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 5, 5, 3, "notBreaching"),
        new("redis-cpu-1", "The Redis engine thread of node 001 has been at or above 80 % CPU in 3 of 5 minutes.",
            [M(ElastiCache, "EngineCPUUtilization", Node(0), "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("redis-cpu-2", "The Redis engine thread of node 002 has been at or above 80 % CPU in 3 of 5 minutes.",
            [M(ElastiCache, "EngineCPUUtilization", Node(1), "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("dynamodb-throttles", "The session table throttled 10 or more requests a minute in 3 of 5 minutes. Throttle counts are not published when zero (FILL makes them 0); with no data at all the alarm keeps its state.",
            [M(DynamoDb, "ReadThrottleEvents", Table, "Sum", "r"), M(DynamoDb, "WriteThrottleEvents", Table, "Sum", "w")],
            "FILL(r, 0) + FILL(w, 0)",
            "GreaterThanOrEqualToThreshold", 10, 5, 3, "ignore"),
        new("transactions-failure-rate", "2 % or more of payment transactions failed in 3 of 5 minutes (FinTech/Transactions, emitted by the payments API).",
            [M(BusinessNamespace, "TransactionsFailed", Business, "Sum", "failed"), M(BusinessNamespace, "TransactionsProcessed", Business, "Sum", "processed")],
            "100 * FILL(failed, 0) / processed",
            "GreaterThanOrEqualToThreshold", 2, 5, 3, "notBreaching"),
    ];

    /// <summary>
    /// The alarms of a service's deployment (<c>{service}-deploy-5xx</c>, <c>{service}-deploy-unhealthy</c>):
    /// ECS rolls a deployment back when one fires while it runs.
    /// </summary>
    public static IReadOnlyList<CatalogueAlarm> DeploymentAlarms(string service)
    {
        var targets = service == ApiServiceKey ? ApiTargets : PortalTargets;
        return
        [
            new($"{service}-deploy-5xx", $"{service}: 5 % or more of the requests failed with a target 5XX in 2 of 3 minutes (rolls a deployment back).",
                [M(Alb, "HTTPCode_Target_5XX_Count", targets, "Sum", "t5xx"), M(Alb, "RequestCount", targets, "Sum", "requests")],
                "100 * FILL(t5xx, 0) / requests",
                "GreaterThanOrEqualToThreshold", 5, 3, 2, "notBreaching"),
            new($"{service}-deploy-unhealthy", $"{service}: unhealthy targets in 2 of 3 minutes during a deployment.",
                [M(Alb, "UnHealthyHostCount", targets, "Maximum")], null,
                "GreaterThanOrEqualToThreshold", 1, 3, 2, "notBreaching"),
        ];
    }

    /// <summary>Every alarm of an environment: the platform's and both services' deployment alarms.</summary>
    public static IEnumerable<CatalogueAlarm> AllAlarms =>
        Alarms.Concat(DeploymentAlarms(PortalServiceKey)).Concat(DeploymentAlarms(ApiServiceKey));

    /// <summary>Fills a dimension placeholder from <paramref name="resources"/> (placeholder name → value).</summary>
    public static string Resolve(string value, Func<string, string> resources)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(resources);
        return value.Length > 2 && value[0] == '{' && value[^1] == '}' ? resources(value[1..^1]) : value;
    }
}
