// The one platform catalogue: compiled into the portal (FinTech.Portal) and into infra/FinTech.Infra,
// so the Sandbox, the dashboards and the CDK stacks read the same resource names, alarm names,
// thresholds and datapoints. Plain C# data with no dependencies: both projects compile this file.
using System.Globalization;

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
/// One metric an alarm reads. Dimension values are placeholders resolved per environment (see
/// <see cref="PlatformCatalogue.Placeholders"/>): <c>{LoadBalancer}</c>, <c>{ApiTargetGroup}</c>,
/// <c>{PortalTargetGroup}</c>, <c>{EcsCluster}</c>, <c>{ApiService}</c>, <c>{PortalService}</c>,
/// <c>{AuroraCluster}</c>, <c>{AuroraInstance:N}</c> and <c>{RedisNode:N}</c> (0-based members),
/// <c>{SessionTable}</c>, <c>{BusinessService}</c>; anything else is literal.
/// </summary>
public sealed record CatalogueMetric(string Id, string Namespace, string MetricName, IReadOnlyList<(string Name, string Value)> Dimensions, string Stat);

/// <summary>
/// A CloudWatch alarm as infra creates it and the Sandbox evaluates it: on one metric, or on
/// metric math (<see cref="Expression"/> over the metrics' ids, with <c>FILL(m, 0)</c> for counts
/// CloudWatch does not publish when they are zero, and <c>MAX</c>/<c>MIN</c>/<c>SUM</c> over an
/// array of members to follow whichever node or instance holds a role). Expressions stay within
/// what both CloudWatch and the Sandbox evaluate: numbers, ids, <c>+ - * /</c>, parentheses,
/// <c>FILL</c>, and <c>MAX</c>, <c>MIN</c>, <c>SUM</c>, <c>AVG</c> of an array.
/// </summary>
/// <param name="Service">
/// The ECS service (<see cref="PlatformCatalogue.ApiServiceKey"/>, <see cref="PlatformCatalogue.PortalServiceKey"/>)
/// whose stack creates the alarm, next to the service; null for the platform's alarms (the Observability stack).
/// </param>
/// <param name="RollsBackDeployments">ECS rolls a deployment of <paramref name="Service"/> back when this alarm fires while it runs.</param>
/// <remarks>
/// An alarm whose threshold depends on the environment's size sets <see cref="ShareOfAuroraMaxConnections"/> and has a
/// NaN <see cref="Threshold"/> until <see cref="PlatformCatalogue.SizedFor"/> fills it in for an instance class.
/// </remarks>
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
    int PeriodSeconds = 60,
    string? Service = null,
    bool RollsBackDeployments = false)
{
    /// <summary>The threshold is this share of the Aurora instance class's <c>max_connections</c> (null: a fixed threshold).</summary>
    public double? ShareOfAuroraMaxConnections { get; init; }

    /// <summary>Whether <see cref="Threshold"/> is a number already (false: it waits for <see cref="PlatformCatalogue.SizedFor"/>).</summary>
    public bool IsSized => ShareOfAuroraMaxConnections is null;
}

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

    /// <summary>The dimension the canary publishes its metrics with, and its values (<c>WriteProbeTarget</c>'s names).</summary>
    public const string WriteProbeDimension = "Target";
    public static readonly IReadOnlyList<string> WriteProbeTargets = ["AuroraWriter", "RedisPrimary"];

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
    private const string Ecs = "AWS/ECS";
    private const string Rds = "AWS/RDS";
    private const string ElastiCache = "AWS/ElastiCache";
    private const string DynamoDb = "AWS/DynamoDB";

    /// <summary>The members infra creates: two Aurora instances (writer and reader) and two Redis nodes (primary and replica).</summary>
    public const int AuroraInstanceCount = 2;
    public const int RedisNodeCount = 2;

    /// <summary>The placeholders a catalogue metric's dimension may name (<c>{Name}</c>, or <c>{Name:N}</c> for a member).</summary>
    public static readonly IReadOnlyList<string> Placeholders =
        ["LoadBalancer", "ApiTargetGroup", "PortalTargetGroup", "EcsCluster", "ApiService", "PortalService", "AuroraCluster", "AuroraInstance", "RedisNode", "SessionTable", "BusinessService"];

    private static readonly (string, string)[] Writer = [("DBClusterIdentifier", "{AuroraCluster}"), ("Role", "WRITER")];
    private static readonly (string, string)[] Cluster = [("DBClusterIdentifier", "{AuroraCluster}")];
    private static readonly (string, string)[] Table = [("TableName", "{SessionTable}")];
    private static readonly (string, string)[] Business = [("Service", "{BusinessService}")];
    private static readonly (string, string)[] ProbeOfAurora = [(WriteProbeDimension, "AuroraWriter")];

    private static (string, string)[] Targets(string service) =>
        [("LoadBalancer", "{LoadBalancer}"), ("TargetGroup", service == ApiServiceKey ? "{ApiTargetGroup}" : "{PortalTargetGroup}")];

    private static (string, string)[] EcsService(string service) =>
        [("ClusterName", "{EcsCluster}"), ("ServiceName", service == ApiServiceKey ? "{ApiService}" : "{PortalService}")];

    private static (string, string)[] Node(int index) => [("CacheClusterId", $"{{RedisNode:{index}}}")];

    private static (string, string)[] Instance(int index) => [("DBInstanceIdentifier", $"{{AuroraInstance:{index}}}")];

    private static CatalogueMetric M(string ns, string metric, (string, string)[] dimensions, string stat, string id = "m1") =>
        new(id, ns, metric, dimensions, stat);

    /// <summary>One metric per member (ids <c>{prefix}0</c>, <c>{prefix}1</c>, ...), for MAX/MIN/SUM over the members.</summary>
    private static CatalogueMetric[] EachMember(int count, Func<int, (string, string)[]> member, string ns, string metric, string stat, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => M(ns, metric, member(i), stat, $"{prefix}{i}"))];

    private static string Over(string function, int count, string prefix) =>
        $"{function}([{string.Join(", ", Enumerable.Range(0, count).Select(i => $"{prefix}{i}"))}])";

    /// <summary>
    /// The platform's alarms (names: <see cref="CatalogueNames.Alarm"/> of the key), created by the Observability stack.
    /// ElastiCache publishes per node (<c>CacheClusterId</c>), and the primary moves in a failover: the Redis alarms read
    /// every node and take the MAX (or SUM) per minute, so the alarm that watches the primary's evictions or the replica's
    /// lag still watches it after a failover. Aurora's saturation alarms read every instance and take the lowest.
    /// </summary>
    public static readonly IReadOnlyList<CatalogueAlarm> Alarms =
    [
        new("p99-latency", "p99 of the API's response time (its target group) has been at or above 1.5 s in 3 of 5 minutes: checkout feels slow to customers.",
            [M(Alb, "TargetResponseTime", Targets(ApiServiceKey), "p99")], null,
            "GreaterThanOrEqualToThreshold", 1.5, 5, 3, "notBreaching"),
        new("5xx-rate", "2 % or more of the API's requests failed with a target 5XX in 3 of 5 minutes (a minute without 5XX publishes no count: FILL makes it 0).",
            [M(Alb, "HTTPCode_Target_5XX_Count", Targets(ApiServiceKey), "Sum", "t5xx"), M(Alb, "RequestCount", Targets(ApiServiceKey), "Sum", "requests")],
            "100 * FILL(t5xx, 0) / requests",
            "GreaterThanOrEqualToThreshold", 2, 5, 3, "notBreaching"),
        new("aurora-cpu", "The Aurora writer's CPU has been at or above 80 % in 3 of 5 minutes.",
            [M(Rds, "CPUUtilization", Writer, "Average")], null,
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("aurora-replica-lag", "An Aurora reader has been 1 s or more behind the writer in 3 of 5 minutes: reads may return stale balances.",
            [M(Rds, "AuroraReplicaLagMaximum", Cluster, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", 1000, 5, 3, "notBreaching"),
        // Aurora PostgreSQL derives max_connections from the instance's memory: a flat number would never fire on a small
        // class and fire too early on a large one, so the threshold is a share of the environment's class (SizedFor).
        new("aurora-connections", "The Aurora writer has held 80 % or more of its instance class's max_connections in 3 of 5 minutes: pools are leaking or the API is scaling past the instance class.",
            [M(Rds, "DatabaseConnections", Writer, "Maximum")], null,
            "GreaterThanOrEqualToThreshold", double.NaN, 5, 3, "notBreaching") { ShareOfAuroraMaxConnections = AuroraConnectionsShare },
        new("aurora-freeable-memory", "An Aurora instance has had 256 MiB or less of freeable memory in 3 of 5 minutes: it is about to swap or kill backends.",
            EachMember(AuroraInstanceCount, Instance, Rds, "FreeableMemory", "Minimum", "mem"), Over("MIN", AuroraInstanceCount, "mem"),
            "LessThanOrEqualToThreshold", 256.0 * 1024 * 1024, 5, 3, "notBreaching"),
        new("aurora-free-local-storage", "An Aurora instance has had 2 GiB or less of local storage (temporary tables and files, logs) in 3 of 5 minutes.",
            EachMember(AuroraInstanceCount, Instance, Rds, "FreeLocalStorage", "Minimum", "disk"), Over("MIN", AuroraInstanceCount, "disk"),
            "LessThanOrEqualToThreshold", 2.0 * 1024 * 1024 * 1024, 5, 3, "notBreaching"),
        new("redis-hit-rate", "The Redis hit rate (hits over lookups, all nodes) has been below 80 % in 3 of 5 minutes: misses fall through to Aurora and DynamoDB.",
            [.. EachMember(RedisNodeCount, Node, ElastiCache, "CacheHits", "Sum", "hits"), .. EachMember(RedisNodeCount, Node, ElastiCache, "CacheMisses", "Sum", "misses")],
            $"100 * {Over("SUM", RedisNodeCount, "hits")} / ({Over("SUM", RedisNodeCount, "hits")} + {Over("SUM", RedisNodeCount, "misses")})",
            "LessThanThreshold", 80, 5, 3, "notBreaching"),
        new("redis-evictions", "Redis evicted keys in 3 of 5 minutes: the data set no longer fits the node type.",
            EachMember(RedisNodeCount, Node, ElastiCache, "Evictions", "Sum", "evictions"), Over("SUM", RedisNodeCount, "evictions"),
            "GreaterThanOrEqualToThreshold", 1, 5, 3, "notBreaching"),
        new("redis-replication-lag", "The Redis replica has been 5 s or more behind the primary in 3 of 5 minutes.",
            EachMember(RedisNodeCount, Node, ElastiCache, "ReplicationLag", "Maximum", "lag"), Over("MAX", RedisNodeCount, "lag"),
            "GreaterThanOrEqualToThreshold", 5, 5, 3, "notBreaching"),
        new("redis-cpu", "The Redis engine thread of a node has been at or above 80 % CPU in 3 of 5 minutes: commands queue up.",
            EachMember(RedisNodeCount, Node, ElastiCache, "EngineCPUUtilization", "Maximum", "cpu"), Over("MAX", RedisNodeCount, "cpu"),
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("redis-memory", "A Redis node has used 80 % or more of its memory in 3 of 5 minutes: evictions are next.",
            EachMember(RedisNodeCount, Node, ElastiCache, "DatabaseMemoryUsagePercentage", "Maximum", "memory"), Over("MAX", RedisNodeCount, "memory"),
            "GreaterThanOrEqualToThreshold", 80, 5, 3, "notBreaching"),
        new("dynamodb-throttles", "The session table throttled 10 or more requests a minute in 3 of 5 minutes. Throttle counts are not published when zero (FILL makes them 0); with no data at all the alarm keeps its state.",
            [M(DynamoDb, "ReadThrottleEvents", Table, "Sum", "r"), M(DynamoDb, "WriteThrottleEvents", Table, "Sum", "w")],
            "FILL(r, 0) + FILL(w, 0)",
            "GreaterThanOrEqualToThreshold", 10, 5, 3, "ignore"),
        new("transactions-failure-rate", "2 % or more of payment transactions failed in 3 of 5 minutes (FinTech/Transactions, emitted by the payments API).",
            [M(BusinessNamespace, "TransactionsFailed", Business, "Sum", "failed"), M(BusinessNamespace, "TransactionsProcessed", Business, "Sum", "processed")],
            "100 * FILL(failed, 0) / processed",
            "GreaterThanOrEqualToThreshold", 2, 5, 3, "notBreaching"),
        // The canary publishes one ProbeWrites a second per target, failed writes included, in one PutMetricData: a minute
        // with fewer than half of its seconds, or none (missing counts as breaching), means it is down, stuck or cut off.
        new("write-probe-silent", $"The write-probe canary (the write-probe ECS service) published fewer than 30 seconds of {WriteProbeNamespace} {WriteProbeAttempts} a minute, or none, for 3 minutes: failover tests have no write evidence until it is back.",
            [M(WriteProbeNamespace, WriteProbeAttempts, ProbeOfAurora, "Sum")], null,
            "LessThanThreshold", 30, 3, 3, "breaching"),
    ];

    /// <summary>
    /// The alarms of one ECS service, created with the service (<c>{service}-...</c>): unhealthy targets, CPU and memory
    /// saturation, and the deployment alarms (<c>-deploy-5xx</c>, <c>-deploy-unhealthy</c>) with which ECS rolls a
    /// deployment back when one fires while it runs. The deployment's 5xx is a rate, so that a busy hour and a quiet one
    /// judge a release alike.
    /// </summary>
    public static IReadOnlyList<CatalogueAlarm> ServiceAlarms(string service)
    {
        if (service is not (ApiServiceKey or PortalServiceKey))
        {
            throw new ArgumentOutOfRangeException(nameof(service), service, $"Services are {ApiServiceKey} and {PortalServiceKey}.");
        }
        var targets = Targets(service);
        var ecs = EcsService(service);
        return
        [
            new($"{service}-unhealthy-hosts", $"At least one {service} task failed the ALB health check in 2 of 3 minutes.",
                [M(Alb, "UnHealthyHostCount", targets, "Maximum")], null,
                "GreaterThanOrEqualToThreshold", 1, 3, 2, "notBreaching", Service: service),
            new($"{service}-cpu", $"The {service} tasks' average CPU has been at or above 85 % in 3 of 5 minutes: scaling is at its maximum or too slow.",
                [M(Ecs, "CPUUtilization", ecs, "Average")], null,
                "GreaterThanOrEqualToThreshold", 85, 5, 3, "notBreaching", Service: service),
            new($"{service}-memory", $"The {service} tasks' average memory has been at or above 85 % in 3 of 5 minutes: tasks are close to being killed out of memory.",
                [M(Ecs, "MemoryUtilization", ecs, "Average")], null,
                "GreaterThanOrEqualToThreshold", 85, 5, 3, "notBreaching", Service: service),
            new($"{service}-deploy-5xx", $"{service}: 5 % or more of the requests failed with a target 5XX in 2 of 3 minutes (rolls a deployment back).",
                [M(Alb, "HTTPCode_Target_5XX_Count", targets, "Sum", "t5xx"), M(Alb, "RequestCount", targets, "Sum", "requests")],
                "100 * FILL(t5xx, 0) / requests",
                "GreaterThanOrEqualToThreshold", 5, 3, 2, "notBreaching", Service: service, RollsBackDeployments: true),
            new($"{service}-deploy-unhealthy", $"{service}: unhealthy targets in 2 of 3 minutes during a deployment (rolls a deployment back).",
                [M(Alb, "UnHealthyHostCount", targets, "Maximum")], null,
                "GreaterThanOrEqualToThreshold", 1, 3, 2, "notBreaching", Service: service, RollsBackDeployments: true),
        ];
    }

    /// <summary>
    /// Every alarm of an environment: the platform's and both services'. Infra creates exactly these; the Sandbox evaluates
    /// exactly these, each sized for the environment's Aurora instance class first (<see cref="SizedFor"/>).
    /// </summary>
    public static IEnumerable<CatalogueAlarm> AllAlarms =>
        Alarms.Concat(ServiceAlarms(PortalServiceKey)).Concat(ServiceAlarms(ApiServiceKey));

    /// <summary>The share of the writer's <c>max_connections</c> at which <c>aurora-connections</c> fires.</summary>
    public const double AuroraConnectionsShare = 0.8;

    /// <summary>The instance class of <paramref name="name"/>; throws, naming the classes the catalogue knows, for any other.</summary>
    public static InstanceClass InstanceClassOf(string name) =>
        InstanceClasses.TryGetValue(name ?? "", out var instanceClass)
            ? instanceClass
            : throw new ArgumentOutOfRangeException(nameof(name), name,
                $"The platform catalogue does not know the instance class '{name}' (it knows {string.Join(", ", InstanceClasses.Keys)}): add it to PlatformCatalogue.InstanceClasses with its memory and max_connections.");

    /// <summary>
    /// The alarms with every size-dependent threshold filled in for an environment whose Aurora instances are of class
    /// <paramref name="auroraInstanceClass"/> (<c>aurora-connections</c>: 80 % of its <c>max_connections</c>, rounded down).
    /// </summary>
    public static IReadOnlyList<CatalogueAlarm> SizedFor(IEnumerable<CatalogueAlarm> alarms, string auroraInstanceClass)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var aurora = InstanceClassOf(auroraInstanceClass);
        return [.. alarms.Select(alarm => alarm.ShareOfAuroraMaxConnections is { } share
            ? alarm with
            {
                Threshold = Math.Floor(share * aurora.MaxConnections),
                Description = alarm.Description + string.Create(CultureInfo.InvariantCulture,
                    $" {aurora.Name}: {Math.Floor(share * aurora.MaxConnections)} of {aurora.MaxConnections} connections."),
                ShareOfAuroraMaxConnections = null,
            }
            : alarm)];
    }

    /// <summary>The id of a metric-math alarm's expression among its queries (infra writes it, DescribeAlarms returns it).</summary>
    public const string ExpressionId = "e1";

    /// <summary>The alarm of <paramref name="key"/>; throws when the catalogue has none.</summary>
    public static CatalogueAlarm Alarm(string key) =>
        AllAlarms.FirstOrDefault(a => a.Key == key) ?? throw new ArgumentOutOfRangeException(nameof(key), key, "The platform catalogue has no alarm of this key.");

    /// <summary>Fills a dimension placeholder from <paramref name="resources"/> (placeholder name → value).</summary>
    public static string Resolve(string value, Func<string, string> resources)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(resources);
        return value.Length > 2 && value[0] == '{' && value[^1] == '}' ? resources(value[1..^1]) : value;
    }
}
