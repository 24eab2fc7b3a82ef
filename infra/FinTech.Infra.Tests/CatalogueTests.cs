extern alias portal;

using System.Globalization;
using System.Text.Json.Nodes;
using FinTech.Infra.Stacks;
using CloudWatch = portal::FinTech.Portal.Platform.CloudWatch;
using DashboardCatalog = portal::FinTech.Portal.Dashboards.DashboardCatalog;
using PlatformBackend = portal::FinTech.Portal.Platform.PlatformBackend;
using PlatformCatalogue = portal::FinTech.Portal.Platform.Catalogue.PlatformCatalogue;
using PlatformResources = portal::FinTech.Portal.Platform.PlatformResources;
using PortalEnvironment = portal::FinTech.Portal.Platform.PortalEnvironment;
using SandboxPlatform = portal::FinTech.Portal.Sandbox.SandboxPlatform;

namespace FinTech.Infra.Tests;

/// <summary>
/// One platform: the alarms infra deploys are the alarms the Sandbox evaluates (both built from the platform
/// catalogue), every metric an alarm or a dashboard reads is one AWS publishes for a resource of the synthesized
/// stacks, and IAM lets the portal describe every alarm.
/// </summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class CatalogueTests(SynthesizedPlatform platform)
{
    public static TheoryData<string> Environments => new("prod", "dev");

    /// <summary>
    /// Every AWS::CloudWatch::Alarm of the environment's templates against every alarm the Sandbox's DescribeAlarms
    /// answers for the same names: name, description, metric or queries (namespace, metric, dimensions, statistic,
    /// period, ids, expression), comparison, threshold, periods, datapoints, missing data and actions. A dimension
    /// that is a CloudFormation token (the ALB's and target groups' full names) is compared by what it refers to.
    /// </summary>
    [Theory]
    [MemberData(nameof(Environments))]
    public async Task The_Sandboxs_alarms_are_exactly_the_synthesized_alarms(string env)
    {
        var resources = Resources(env);
        var sandbox = new SandboxPlatform(20261124, resources, new FixedTime(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero)), env);
        var described = await CloudWatch.CloudWatchPaginators.DescribeAllAlarmsAsync(sandbox.CloudWatch, new CloudWatch.DescribeAlarmsRequest());
        string SandboxMeaning(string value) =>
            value == resources.LoadBalancer ? "{LoadBalancer}"
            : value == resources.TargetGroup ? "{ApiTargetGroup}"
            : value == resources.PortalTargetGroup ? "{PortalTargetGroup}"
            : value.StartsWith("arn:aws:sns:", StringComparison.Ordinal) ? "sns:" + value[(value.LastIndexOf(':') + 1)..]
            : value;

        var fromSandbox = described.MetricAlarms.Select(a => Describe(a, SandboxMeaning)).Order(StringComparer.Ordinal).ToList();
        var synthesized = SynthesizedAlarms(env).Select(a => Describe(a.Properties, value => Meaning(env, a.Stack, value)))
            .Order(StringComparer.Ordinal).ToList();

        Assert.Equal(PlatformCatalogue.AllAlarms.Count(), synthesized.Count);
        Assert.Equal(synthesized, fromSandbox);
    }

    /// <summary>
    /// Aurora PostgreSQL's max_connections is LEAST(DBInstanceClassMemory/9531392, 5000): dev's db.t4g.medium allows
    /// about 405, prod's db.r6g.xlarge 3,351. The connections alarm fires at 80 % of the class the Data stack deploys.
    /// </summary>
    [Theory]
    [InlineData("dev", "db.t4g.medium", 324)]
    [InlineData("staging", "db.r6g.large", 1328)]
    [InlineData("prod", "db.r6g.xlarge", 2680)]
    public void The_connections_alarm_fires_at_80_percent_of_the_max_connections_of_the_class_the_Data_stack_deploys(string env, string instanceClass, double threshold)
    {
        var instances = TemplateJson.Resources(platform.TemplateJson(platform.Env(env).Data), "AWS::RDS::DBInstance").Select(r => r.Properties).ToList();
        var alarm = SynthesizedAlarms(env).Select(a => a.Properties).Single(a => a["AlarmName"]!.GetValue<string>() == $"fintech-{env}-aurora-connections");
        var portalTask = Resources(env, "AWS::ECS::TaskDefinition").Single(t => t["Family"]?.GetValue<string>() == $"fintech-{env}-portal");
        var told = portalTask["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .Single(e => e!["Name"]!.GetValue<string>() == $"Platform__Environments__{env}__Resources__AuroraInstanceClass")!["Value"]!.GetValue<string>();

        Assert.Equal(2, instances.Count);
        Assert.All(instances, i => Assert.Equal(instanceClass, i["DBInstanceClass"]!.GetValue<string>()));
        // The portal is told the same class: its dashboards draw the line and its Sandbox sizes the alarm from it.
        Assert.Equal(instanceClass, told);
        Assert.Equal(threshold, alarm["Threshold"]!.GetValue<double>());
        Assert.Equal(Math.Floor(0.8 * PlatformCatalogue.InstanceClasses[instanceClass].MaxConnections), threshold);
        Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Every_metric_of_every_alarm_is_emitted_by_a_resource_of_the_synthesized_stacks(string env)
    {
        var metrics = SynthesizedAlarms(env).SelectMany(a =>
        {
            var properties = a.Properties;
            IEnumerable<JsonNode> stats = properties["Metrics"] is JsonArray queries
                ? queries.Where(q => q!["MetricStat"] is not null).Select(q => q!["MetricStat"]!["Metric"]!)
                : [properties];
            return stats.Select(metric => (
                Alarm: properties["AlarmName"]!.GetValue<string>(),
                Namespace: metric["Namespace"]!.GetValue<string>(),
                MetricName: metric["MetricName"]!.GetValue<string>(),
                Dimensions: metric["Dimensions"]!.AsArray()
                    .Select(d => (Name: d!["Name"]!.GetValue<string>(), Value: Meaning(env, a.Stack, d["Value"]!)))
                    .ToList()));
        }).ToList();

        Assert.Contains(metrics, m => m.Namespace == "AWS/ECS");
        Assert.Contains(metrics, m => m.MetricName == "FreeLocalStorage");
        Assert.All(metrics, metric => Assert.True(Emits(env, metric.Namespace, metric.MetricName, metric.Dimensions),
            $"{metric.Alarm}: nothing in the {env} stacks emits {metric.Namespace} {metric.MetricName} {string.Join(", ", metric.Dimensions)}"));
    }

    [Fact]
    public void Every_metric_of_every_dashboard_is_emitted_by_a_resource_of_the_synthesized_stacks()
    {
        const string env = "prod";
        var environment = new PortalEnvironment(env, "Production", PlatformBackend.Aws, true, Resources(env), 0, null);
        var metrics = DashboardCatalog.Ids.SelectMany(id => DashboardCatalog.Find(environment, id)!.Panels)
            .SelectMany(p => p.Series).SelectMany(s => s.Metrics).DistinctBy(m => m.Key).ToList();

        Assert.All(metrics, metric =>
            Assert.True(Emits(env, metric.Namespace, metric.MetricName, [.. metric.Dimensions.Select(d => (d.Name, d.Value))]),
                $"nothing in the {env} stacks emits {metric.Namespace} {metric.MetricName} {string.Join(", ", metric.Dimensions)}"));
    }

    [Fact]
    public void The_portal_task_is_told_the_alarm_prefix_IAM_scopes_DescribeAlarms_to_and_every_alarm_has_it()
    {
        var task = Resources("prod", "AWS::ECS::TaskDefinition").Single(t => t["Family"]?.ToJsonString().Contains("fintech-prod-portal", StringComparison.Ordinal) == true);
        var environment = task["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());
        var describeAlarms = platform.Actions.PortalActions.Single(a => a.Action == "cloudwatch:DescribeAlarms").Resources.Single();
        var alarmNames = SynthesizedAlarms("prod").Select(a => a.Properties["AlarmName"]!.GetValue<string>()).ToList();

        Assert.Equal("\"fintech-prod-\"", environment["Platform__Environments__prod__Resources__AlarmNamePrefix"]);
        Assert.EndsWith(":alarm:fintech-{env}-*", describeAlarms, StringComparison.Ordinal);
        Assert.All(alarmNames, name => Assert.StartsWith("fintech-prod-", name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Compute", "api")]
    [InlineData("Portal", "portal")]
    public void ECS_rolls_back_a_deployment_on_the_catalogues_deployment_alarms_of_its_service(string stack, string service)
    {
        var env = platform.Env("prod");
        var json = JsonNode.Parse(platform.TemplateJson(stack == "Portal" ? env.Portal : env.Compute))!["Resources"]!.AsObject();
        // The Portal stack also runs the write-probe canary: pick the service by its name.
        var ecsService = json.Select(r => r.Value!).Single(r => r["Type"]!.GetValue<string>() == "AWS::ECS::Service"
            && r["Properties"]!["ServiceName"]?.GetValue<string>() == $"fintech-prod-{service}")["Properties"]!;

        var rollbackAlarms = ecsService["DeploymentConfiguration"]!["Alarms"]!["AlarmNames"]!.AsArray()
            .Select(reference => json[reference!["Ref"]!.GetValue<string>()]!["Properties"]!["AlarmName"]!.GetValue<string>());

        Assert.Equal(
            PlatformCatalogue.ServiceAlarms(service).Where(a => a.RollsBackDeployments).Select(a => $"fintech-prod-{a.Key}"),
            rollbackAlarms);
    }

    /// <summary>An alarm as one line per part, the placeholders' meaning in place of token or resource values.</summary>
    private static string Describe(CloudWatch.MetricAlarm alarm, Func<string, string> meaning)
    {
        string Dimensions(IEnumerable<CloudWatch.Dimension> dimensions) => string.Join(", ", dimensions.Select(d => $"{d.Name}={meaning(d.Value)}"));
        var lines = new List<string>
        {
            $"name {alarm.AlarmName}",
            $"description {alarm.AlarmDescription}",
            $"condition {alarm.ComparisonOperator} {Number(alarm.Threshold!.Value)}, {alarm.DatapointsToAlarm} of {alarm.EvaluationPeriods}, missing {CloudWatch.CloudWatchWire.ToWire(alarm.TreatMissingData!.Value)}",
            $"actions alarm [{string.Join(", ", alarm.AlarmActions.Select(meaning))}] ok [{string.Join(", ", alarm.OKActions.Select(meaning))}]",
        };
        if (alarm.MetricName is not null)
        {
            lines.Add($"metric {alarm.Namespace} {alarm.MetricName} [{Dimensions(alarm.Dimensions)}] {alarm.Statistic ?? alarm.ExtendedStatistic} {alarm.Period}");
        }
        lines.AddRange(alarm.Metrics.Select(q => q.MetricStat is { } stat
            ? $"query {q.Id} {stat.Metric.Namespace} {stat.Metric.MetricName} [{Dimensions(stat.Metric.Dimensions)}] {stat.Stat.Name} {stat.Period} returns {q.ReturnData}"
            : $"query {q.Id} = {q.Expression} label {q.Label} {q.Period} returns {q.ReturnData}"));
        return string.Join('\n', lines);
    }

    /// <summary>The same lines from an AWS::CloudWatch::Alarm's properties.</summary>
    private static string Describe(JsonNode alarm, Func<JsonNode, string> meaning)
    {
        string? S(JsonNode? node, string key) => node?[key]?.GetValue<string>();
        string Dimensions(JsonNode? dimensions) => string.Join(", ", (dimensions?.AsArray() ?? []).Select(d => $"{S(d, "Name")}={meaning(d!["Value"]!)}"));
        string Actions(string key) => string.Join(", ", (alarm[key]?.AsArray() ?? []).Select(a => meaning(a!)));
        var lines = new List<string>
        {
            $"name {S(alarm, "AlarmName")}",
            $"description {S(alarm, "AlarmDescription")}",
            $"condition {S(alarm, "ComparisonOperator")} {Number(alarm["Threshold"]!.GetValue<double>())}, {alarm["DatapointsToAlarm"]} of {alarm["EvaluationPeriods"]}, missing {S(alarm, "TreatMissingData")}",
            $"actions alarm [{Actions("AlarmActions")}] ok [{Actions("OKActions")}]",
        };
        if (alarm["MetricName"] is not null)
        {
            lines.Add($"metric {S(alarm, "Namespace")} {S(alarm, "MetricName")} [{Dimensions(alarm["Dimensions"])}] {S(alarm, "Statistic") ?? S(alarm, "ExtendedStatistic")} {alarm["Period"]}");
        }
        lines.AddRange((alarm["Metrics"]?.AsArray() ?? []).Select(q => q!["MetricStat"] is { } stat
            ? $"query {S(q, "Id")} {S(stat["Metric"], "Namespace")} {S(stat["Metric"], "MetricName")} [{Dimensions(stat["Metric"]!["Dimensions"])}] {S(stat, "Stat")} {stat["Period"]} returns {q["ReturnData"]?.GetValue<bool>() ?? true}"
            : $"query {S(q, "Id")} = {S(q, "Expression")} label {S(q, "Label")} {q["Period"]} returns {q["ReturnData"]?.GetValue<bool>() ?? true}"));
        return string.Join('\n', lines);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// What a template value refers to: a literal as it is; the ALB's or a target group's full name, or the alarm
    /// topic, by the placeholder or name it stands for, followed through exports to the resource that defines it.
    /// </summary>
    private string Meaning(string env, string stack, JsonNode value)
    {
        if (value is JsonValue literal && literal.TryGetValue<string>(out var text))
        {
            return text;
        }
        if (value["Fn::ImportValue"] is JsonValue export)
        {
            var name = export.GetValue<string>();
            var (exportingStack, output) = Stacks(env)
                .SelectMany(s => (s.Template["Outputs"]?.AsObject() ?? []).Select(o => (s.Name, Output: o.Value!)))
                .Single(o => o.Output["Export"]?["Name"]?.GetValue<string>() == name);
            return Meaning(env, exportingStack, output["Value"]!);
        }
        var (id, attribute) = value["Fn::GetAtt"] is JsonArray getAtt
            ? (getAtt[0]!.GetValue<string>(), getAtt[1]!.GetValue<string>())
            : value["Ref"] is JsonValue reference ? (reference.GetValue<string>(), "Ref") : throw new InvalidOperationException($"Not a reference: {value.ToJsonString()}");
        var template = Stacks(env).Single(s => s.Name == stack).Template;
        var resource = template["Resources"]![id]!;
        var properties = resource["Properties"]!;
        var names = new Names(env);
        return (resource["Type"]!.GetValue<string>(), attribute) switch
        {
            ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerFullName") when properties["Name"]?.GetValue<string>() == $"{names.Prefix}-alb" => "{LoadBalancer}",
            ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupFullName") => template["Resources"]!.AsObject()
                .Where(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::Service"
                    && (r.Value["Properties"]!["LoadBalancers"]?.AsArray() ?? []).Any(lb => lb!["TargetGroupArn"]?["Ref"]?.GetValue<string>() == id))
                .Select(r => r.Value!["Properties"]!["ServiceName"]!.GetValue<string>())
                .Single() switch
            {
                var service when service == names.Service("api") => "{ApiTargetGroup}",
                var service when service == names.Service("portal") => "{PortalTargetGroup}",
                var service => $"the target group of {service}",
            },
            ("AWS::SNS::Topic", "Ref") => "sns:" + properties["TopicName"]!.GetValue<string>(),
            var (type, _) => $"{type} {id}.{attribute}",
        };
    }

    /// <summary>
    /// Whether AWS publishes this metric with this set of dimensions (per its documentation of each namespace) and
    /// every dimension value names a resource of the environment's stacks.
    /// </summary>
    private bool Emits(string env, string ns, string metricName, IReadOnlyList<(string Name, string Value)> dimensions)
    {
        var set = string.Join('+', dimensions.Select(d => d.Name).Order(StringComparer.Ordinal));
        var published = Published.TryGetValue((ns, metricName), out var sets) && sets.Contains(set);
        return published && dimensions.All(d => NamesAResource(env, ns, d.Name, d.Value, new Names(env)));
    }

    private bool NamesAResource(string env, string ns, string dimension, string value, Names names) => (ns, dimension) switch
    {
        // ALB dimension values are the load balancer's and target groups' full names, known at deploy time.
        ("AWS/ApplicationELB", "LoadBalancer") => value is "{LoadBalancer}" || Resources(env, "AWS::ElasticLoadBalancingV2::LoadBalancer").Any(),
        ("AWS/ApplicationELB", "TargetGroup") => value is "{ApiTargetGroup}" or "{PortalTargetGroup}" || Resources(env, "AWS::ElasticLoadBalancingV2::TargetGroup").Any(),
        (_, "ClusterName") => Resources(env, "AWS::ECS::Cluster").Any(c => Is(c["ClusterName"], value)
            && (ns != "ECS/ContainerInsights" || c["ClusterSettings"]!.ToJsonString().Contains("\"Value\":\"enabled\"", StringComparison.Ordinal))),
        (_, "ServiceName") => Resources(env, "AWS::ECS::Service").Any(s => Is(s["ServiceName"], value)),
        ("AWS/RDS", "DBClusterIdentifier") => Resources(env, "AWS::RDS::DBCluster").Any(c => Is(c["DBClusterIdentifier"], value)),
        ("AWS/RDS", "DBInstanceIdentifier") => Resources(env, "AWS::RDS::DBInstance").Any(i => Is(i["DBInstanceIdentifier"], value)),
        ("AWS/RDS", "Role") => value is "WRITER" or "READER",
        ("AWS/ElastiCache", "CacheClusterId") => Resources(env, "AWS::ElastiCache::ReplicationGroup").Any(g =>
            Enumerable.Range(0, g["NumCacheClusters"]!.GetValue<int>()).Any(i => $"{g["ReplicationGroupId"]!.GetValue<string>()}-{i + 1:000}" == value)),
        ("AWS/DynamoDB", "TableName") => Resources(env, "AWS::DynamoDB::Table").Any(t => Is(t["TableName"], value)),
        ("AWS/DynamoDB", "Operation") => value is "GetItem" or "PutItem" or "UpdateItem" or "DeleteItem",
        // FinTech/Transactions is published by the payments API itself (see the README): its service must exist.
        ("FinTech/Transactions", "Service") => value == PlatformCatalogue.BusinessService && Resources(env, "AWS::ECS::Service").Any(s => Is(s["ServiceName"], names.Service("api"))),
        // FinTech/WriteProbe is published by the write-probe canary (WriteProbeService), one Target per probed endpoint.
        ("FinTech/WriteProbe", "Target") => PlatformCatalogue.WriteProbeTargets.Contains(value)
            && Resources(env, "AWS::ECS::Service").Any(s => Is(s["ServiceName"], names.Service(WriteProbeService.ServiceKey))),
        _ => false,
    };

    /// <summary>The dimension sets AWS publishes each metric with (the ones the portal and infra read; AWS documents more).</summary>
    private static readonly (string Namespace, string[] Metrics, string[] Sets)[] PublishedSets =
    [
        ("AWS/ApplicationELB", ["RequestCount", "TargetResponseTime", "HTTPCode_Target_2XX_Count", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count"],
            ["LoadBalancer", "LoadBalancer+TargetGroup"]),
        ("AWS/ApplicationELB", ["HTTPCode_ELB_5XX_Count"], ["LoadBalancer"]),
        ("AWS/ApplicationELB", ["HealthyHostCount", "UnHealthyHostCount"], ["LoadBalancer+TargetGroup"]),
        ("AWS/ECS", ["CPUUtilization", "MemoryUtilization"], ["ClusterName", "ClusterName+ServiceName"]),
        ("ECS/ContainerInsights", ["RunningTaskCount", "DesiredTaskCount", "PendingTaskCount"], ["ClusterName+ServiceName"]),
        ("AWS/RDS", ["CPUUtilization", "DatabaseConnections", "FreeableMemory", "FreeLocalStorage", "CommitLatency", "Deadlocks", "AuroraReplicaLag"],
            ["DBInstanceIdentifier", "DBClusterIdentifier+Role"]),
        ("AWS/RDS", ["AuroraReplicaLagMaximum"], ["DBClusterIdentifier", "DBClusterIdentifier+Role"]),
        ("AWS/ElastiCache", ["CacheHitRate", "CacheHits", "CacheMisses", "Evictions", "EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "ReplicationLag", "CurrConnections"],
            ["CacheClusterId", "CacheClusterId+CacheNodeId"]),
        ("AWS/DynamoDB", ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits", "ReadThrottleEvents", "WriteThrottleEvents"], ["TableName"]),
        ("AWS/DynamoDB", ["ThrottledRequests", "SuccessfulRequestLatency"], ["Operation+TableName"]),
        (PlatformCatalogue.BusinessNamespace, [.. PlatformCatalogue.BusinessMetrics], ["Service"]),
        (PlatformCatalogue.WriteProbeNamespace, [PlatformCatalogue.WriteProbeAttempts, PlatformCatalogue.WriteProbeFailures, PlatformCatalogue.WriteProbeLatency],
            [PlatformCatalogue.WriteProbeDimension]),
    ];

    private static readonly Dictionary<(string Namespace, string Metric), string[]> Published =
        PublishedSets.SelectMany(e => e.Metrics.Select(m => (Key: (e.Namespace, m), e.Sets))).ToDictionary(e => e.Key, e => e.Sets);

    /// <summary>The environment's names and Aurora instance class as infra sets them on the portal's task; ALB and target group ids are deploy-time values.</summary>
    private PlatformResources Resources(string env)
    {
        var names = new Names(env);
        return new PlatformResources
        {
            AuroraInstanceClass = platform.Env(env).Context.Config.AuroraInstanceClass,
            LoadBalancer = $"app/{names.Prefix}-alb/50dc6c495c0c9188", TargetGroup = $"targetgroup/{names.Prefix}-api/943f017f100becff",
            PortalTargetGroup = $"targetgroup/{names.Prefix}-portal/6d0ecf831eec9f09",
            EcsCluster = names.Cluster, EcsService = names.Service("api"), PortalService = names.Service("portal"), AuroraCluster = names.AuroraCluster,
            AuroraInstances = [names.AuroraInstance(0), names.AuroraInstance(1)], RedisReplicationGroup = names.RedisReplicationGroup,
            RedisNodes = [names.RedisNode(0), names.RedisNode(1)], SessionTable = names.SessionTable, AlarmNamePrefix = names.Alarm(""),
        };
    }

    private static bool Is(JsonNode? node, string value) => node is JsonValue v && v.TryGetValue<string>(out var s) && s == value;

    private readonly Dictionary<string, List<(string Name, JsonNode Template)>> _stacks = [];

    /// <summary>The environment's templates, parsed once per test.</summary>
    private List<(string Name, JsonNode Template)> Stacks(string env)
    {
        if (!_stacks.TryGetValue(env, out var stacks))
        {
            stacks = [.. platform.Stacks.Environments[env].All.Select(stack => (stack.StackName, JsonNode.Parse(platform.TemplateJson(stack))!))];
            _stacks[env] = stacks;
        }
        return stacks;
    }

    private IEnumerable<(string Stack, JsonNode Properties)> SynthesizedAlarms(string env) =>
        platform.Stacks.Environments[env].All.SelectMany(stack =>
            TemplateJson.Resources(platform.TemplateJson(stack), "AWS::CloudWatch::Alarm").Select(r => (stack.StackName, r.Properties)));

    private IEnumerable<JsonNode> Resources(string env, string type) =>
        platform.Stacks.Environments[env].All
            .SelectMany(stack => TemplateJson.Resources(platform.TemplateJson(stack), type))
            .Select(r => r.Properties);

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
