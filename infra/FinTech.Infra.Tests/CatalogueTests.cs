extern alias portal;

using System.Text.Json.Nodes;
using DashboardCatalog = portal::FinTech.Portal.Dashboards.DashboardCatalog;
using PlatformBackend = portal::FinTech.Portal.Platform.PlatformBackend;
using PlatformResources = portal::FinTech.Portal.Platform.PlatformResources;
using PortalEnvironment = portal::FinTech.Portal.Platform.PortalEnvironment;

namespace FinTech.Infra.Tests;

/// <summary>
/// One platform: every metric a dashboard asks for is one a resource of the synthesized stacks
/// emits, and the portal lists the alarms IAM lets it describe.
/// </summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class CatalogueTests(SynthesizedPlatform platform)
{
    [Fact]
    public void Every_metric_of_every_dashboard_is_emitted_by_a_resource_of_the_synthesized_stacks()
    {
        const string env = "prod";
        var names = new Names(env);
        var resources = new PlatformResources
        {
            LoadBalancer = "app/fintech-prod-alb/0", TargetGroup = "targetgroup/fintech-prod-api/0",
            EcsCluster = names.Cluster, EcsService = names.Service("api"), AuroraCluster = names.AuroraCluster,
            AuroraInstances = [names.AuroraInstance(0), names.AuroraInstance(1)], RedisReplicationGroup = names.RedisReplicationGroup,
            RedisNodes = [names.RedisNode(0), names.RedisNode(1)], SessionTable = names.SessionTable, AlarmNamePrefix = names.Alarm(""),
        };
        var environment = new PortalEnvironment(env, "Production", PlatformBackend.Aws, true, resources, 0, null);
        var metrics = DashboardCatalog.Ids.SelectMany(id => DashboardCatalog.Find(environment, id)!.Panels)
            .SelectMany(p => p.Series).SelectMany(s => s.Metrics).DistinctBy(m => m.Key).ToList();

        Assert.All(metrics, metric =>
        {
            foreach (var dimension in metric.Dimensions)
            {
                Assert.True(Emits(env, metric.Namespace, dimension.Name, dimension.Value, names),
                    $"{metric.Namespace} {metric.MetricName}: nothing in the {env} stacks emits {dimension.Name}={dimension.Value}");
            }
        });
    }

    [Fact]
    public void The_portal_task_is_told_the_alarm_prefix_IAM_scopes_DescribeAlarms_to()
    {
        var task = Resources("prod", "AWS::ECS::TaskDefinition").Single(t => t["Family"]?.ToJsonString().Contains("fintech-prod-portal", StringComparison.Ordinal) == true);
        var environment = task["ContainerDefinitions"]![0]!["Environment"]!.AsArray()
            .ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());
        var describeAlarms = platform.Actions.PortalActions.Single(a => a.Action == "cloudwatch:DescribeAlarms").Resources.Single();

        Assert.Equal("\"fintech-prod-\"", environment["Platform__Environments__prod__Resources__AlarmNamePrefix"]);
        Assert.EndsWith(":alarm:fintech-{env}-*", describeAlarms, StringComparison.Ordinal);
    }

    /// <summary>
    /// The alarms the Sandbox evaluates (the portal's catalogue) against the alarms the stacks synthesize: where
    /// both have an alarm, the threshold, comparison, periods, datapoints and missing-data rule are the same.
    /// What is not shared yet is listed here, so that new drift fails this test instead of creeping in.
    /// </summary>
    [Fact]
    public void The_synthesized_alarms_carry_the_catalogues_thresholds_and_datapoints_and_the_remaining_drift_is_listed()
    {
        var synthesized = Resources("prod", "AWS::CloudWatch::Alarm")
            .ToDictionary(a => a["AlarmName"]!.GetValue<string>(), StringComparer.Ordinal);
        var catalogue = portal::FinTech.Portal.Platform.Catalogue.PlatformCatalogue.AllAlarms.ToDictionary(a => $"fintech-prod-{a.Key}", StringComparer.Ordinal);
        // Same name, different metric: infra's deployment alarm counts target 5xx (>= 10), the catalogue's is a rate (>= 5 %).
        string[] differentMetric = ["fintech-prod-api-deploy-5xx", "fintech-prod-portal-deploy-5xx"];
        // In the catalogue (the Sandbox evaluates them), not synthesized yet.
        string[] catalogueOnly = ["fintech-prod-redis-cpu-1", "fintech-prod-redis-cpu-2", "fintech-prod-redis-hit-rate", "fintech-prod-transactions-failure-rate"];
        // Synthesized (saturation, and Redis alarms over every node of the group), not in the catalogue yet.
        string[] infraOnly =
        [
            "fintech-prod-api-cpu", "fintech-prod-api-memory", "fintech-prod-aurora-free-local-storage", "fintech-prod-aurora-freeable-memory",
            "fintech-prod-portal-cpu", "fintech-prod-portal-memory", "fintech-prod-redis-cpu", "fintech-prod-redis-memory",
        ];

        Assert.Equal(catalogueOnly, catalogue.Keys.Except(synthesized.Keys).Order(StringComparer.Ordinal));
        Assert.Equal(infraOnly, synthesized.Keys.Except(catalogue.Keys).Order(StringComparer.Ordinal));
        Assert.All(catalogue.Where(c => synthesized.ContainsKey(c.Key) && !differentMetric.Contains(c.Key)), pair =>
        {
            var (name, alarm) = (pair.Key, pair.Value);
            var cfn = synthesized[name];
            Assert.Equal((name, alarm.Threshold, alarm.ComparisonOperator, alarm.EvaluationPeriods, alarm.DatapointsToAlarm, alarm.TreatMissingData),
                (name, cfn["Threshold"]!.GetValue<double>(), cfn["ComparisonOperator"]!.GetValue<string>(), cfn["EvaluationPeriods"]!.GetValue<int>(),
                    cfn["DatapointsToAlarm"]!.GetValue<int>(), cfn["TreatMissingData"]!.GetValue<string>()));
        });
    }

    /// <summary>Whether a resource of the environment's stacks publishes metrics with this dimension value.</summary>
    private bool Emits(string env, string ns, string dimension, string value, Names names) => (ns, dimension) switch
    {
        // ALB dimension values are the load balancer's and target group's full names, known at deploy time.
        ("AWS/ApplicationELB", "LoadBalancer") => Resources(env, "AWS::ElasticLoadBalancingV2::LoadBalancer").Any(),
        ("AWS/ApplicationELB", "TargetGroup") => Resources(env, "AWS::ElasticLoadBalancingV2::TargetGroup").Any(),
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
        ("FinTech/Transactions", "Service") => value == "payments-api" && Resources(env, "AWS::ECS::Service").Any(s => Is(s["ServiceName"], names.Service("api"))),
        _ => false,
    };

    private static bool Is(JsonNode? node, string value) => node is JsonValue v && v.TryGetValue<string>(out var s) && s == value;

    private IEnumerable<JsonNode> Resources(string env, string type) =>
        platform.Stacks.Environments[env].All
            .SelectMany(stack => TemplateJson.Resources(platform.TemplateJson(stack), type))
            .Select(r => r.Properties);
}
