using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class ObservabilityStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Observability);

    [Theory]
    [InlineData("fintech-prod-p99-latency", "TargetResponseTime")]
    [InlineData("fintech-prod-aurora-cpu", "CPUUtilization")]
    [InlineData("fintech-prod-aurora-replica-lag", "AuroraReplicaLagMaximum")]
    [InlineData("fintech-prod-aurora-connections", "DatabaseConnections")]
    public void Alarms_watch_the_platform_and_notify_the_alarm_topic(string name, string metric)
    {
        Template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(
            ("AlarmName", name),
            ("AlarmActions", new object[] { Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AlarmTopic"))) })));
        Assert.Contains($"\"MetricName\":\"{metric}\"", Alarm(name).ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fintech-prod-5xx-rate", "HTTPCode_Target_5XX_Count")]
    [InlineData("fintech-prod-dynamodb-throttles", "ReadThrottleEvents")]
    public void Rate_alarms_use_metric_math(string name, string metric)
    {
        var alarm = Alarm(name);

        Assert.Contains(alarm["Metrics"]!.AsArray(), m => m!["Expression"] is not null);
        Assert.Contains(metric, alarm["Metrics"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(alarm["AlarmActions"]);
    }

    [Theory]
    [InlineData("fintech-prod-redis-cpu", "EngineCPUUtilization")]
    [InlineData("fintech-prod-redis-memory", "DatabaseMemoryUsagePercentage")]
    [InlineData("fintech-prod-redis-evictions", "Evictions")]
    [InlineData("fintech-prod-redis-replication-lag", "ReplicationLag")]
    public void Redis_alarms_watch_every_node_of_the_replication_group_so_they_follow_a_failover(string name, string metric)
    {
        var metrics = Alarm(name)["Metrics"]!.AsArray();

        var nodes = metrics.Where(m => m!["MetricStat"] is not null)
            .Select(m => m!["MetricStat"]!["Metric"]!)
            .Select(m => (Name: m["MetricName"]!.GetValue<string>(), Node: m["Dimensions"]![0]!["Value"]!.GetValue<string>()))
            .ToList();

        Assert.Equal([(metric, "fintech-prod-redis-001"), (metric, "fintech-prod-redis-002")], nodes.Order());
        var expression = Assert.Single(metrics, m => m!["Expression"] is not null)!["Expression"]!.GetValue<string>();
        Assert.Matches(@"^(MAX|SUM)\(\[\w+0, \w+1\]\)$", expression);
    }

    [Theory]
    [InlineData("fintech-prod-aurora-freeable-memory", "FreeableMemory", "LessThanOrEqualToThreshold")]
    [InlineData("fintech-prod-aurora-free-local-storage", "FreeLocalStorage", "LessThanOrEqualToThreshold")]
    [InlineData("fintech-prod-redis-memory", "DatabaseMemoryUsagePercentage", "GreaterThanOrEqualToThreshold")]
    public void Saturation_alarms_cover_Aurora_memory_and_storage_and_Redis_memory(string name, string metric, string comparison)
    {
        var alarm = Alarm(name);

        Assert.Equal(comparison, alarm["ComparisonOperator"]!.GetValue<string>());
        Assert.Contains(metric, alarm["Metrics"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(alarm["AlarmActions"]);
    }

    [Theory]
    [InlineData("Compute", "fintech-prod-api")]
    [InlineData("Portal", "fintech-prod-portal")]
    public void Each_service_alarms_on_ECS_CPU_and_memory_saturation_and_unhealthy_targets(string stack, string service)
    {
        var template = platform.Template(stack == "Portal" ? platform.Env("prod").Portal : platform.Env("prod").Compute);

        template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(
            ("AlarmName", $"{service}-cpu"), ("Namespace", "AWS/ECS"), ("MetricName", "CPUUtilization"), ("AlarmActions", Match.AnyValue())));
        template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(
            ("AlarmName", $"{service}-memory"), ("Namespace", "AWS/ECS"), ("MetricName", "MemoryUtilization"), ("AlarmActions", Match.AnyValue())));
        template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(
            ("AlarmName", $"{service}-unhealthy-hosts"), ("MetricName", "UnHealthyHostCount"), ("AlarmActions", Match.AnyValue())));
    }

    [Fact]
    public void The_dashboard_shows_throughput_latency_errors_database_cache_sessions_and_alarms()
    {
        var json = platform.TemplateJson(platform.Env("prod").Observability);

        var dashboard = Assert.Single(TemplateJson.Resources(json, "AWS::CloudWatch::Dashboard")).Properties;

        Assert.Equal("FinTech-prod", dashboard["DashboardName"]!.GetValue<string>());
        var body = string.Concat(dashboard["DashboardBody"]!["Fn::Join"]![1]!.AsArray()
            .Select(part => part is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : "<token>"));
        foreach (var title in new[] { "API throughput", "API p99 latency", "API errors", "Database (Aurora)", "Cache (Redis)", "Sessions (DynamoDB)", "Alarms" })
        {
            Assert.Contains($"\"title\":\"{title}\"", body, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The API's graphs draw its target group (LoadBalancer + TargetGroup, the target group of the fintech-prod-api
    /// service), as the alarms and the portal's dashboards do, not the whole load balancer with the portal's traffic in
    /// it; only the ALB's own 5xx, which AWS publishes per load balancer alone, is whole-ALB.
    /// </summary>
    [Fact]
    public void The_dashboards_API_graphs_are_scoped_to_the_APIs_target_group()
    {
        var env = platform.Env("prod");
        var dashboard = Assert.Single(TemplateJson.Resources(platform.TemplateJson(env.Observability), "AWS::CloudWatch::Dashboard")).Properties;
        var exports = env.All.SelectMany(s => System.Text.Json.Nodes.JsonNode.Parse(platform.TemplateJson(s))!["Outputs"]?.AsObject() ?? [])
            .Where(o => o.Value?["Export"]?["Name"] is not null)
            .ToDictionary(o => o.Value!["Export"]!["Name"]!.GetValue<string>(), o => o.Value!["Value"]!);
        // A token in the body becomes what it refers to: the Compute stack's resource and attribute behind the export.
        string Text(System.Text.Json.Nodes.JsonNode? part) =>
            part is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s
            : part?["Fn::ImportValue"] is { } import && exports[import.GetValue<string>()]["Fn::GetAtt"] is System.Text.Json.Nodes.JsonArray getAtt
                ? $"{getAtt[0]!.GetValue<string>()}.{getAtt[1]!.GetValue<string>()}"
            : part?["Ref"] is { } reference ? reference.GetValue<string>()
            : throw new InvalidOperationException($"An unexpected token in the dashboard: {part?.ToJsonString()}");
        var body = System.Text.Json.Nodes.JsonNode.Parse(string.Concat(dashboard["DashboardBody"]!["Fn::Join"]![1]!.AsArray().Select(Text)))!;
        var compute = System.Text.Json.Nodes.JsonNode.Parse(platform.TemplateJson(env.Compute))!["Resources"]!.AsObject();
        var apiTargetGroup = compute.Single(r => r.Value!["Type"]!.GetValue<string>() == "AWS::ECS::Service"
                && r.Value["Properties"]!["ServiceName"]?.GetValue<string>() == "fintech-prod-api")
            .Value!["Properties"]!["LoadBalancers"]![0]!["TargetGroupArn"]!["Ref"]!.GetValue<string>();

        var albMetrics = body["widgets"]!.AsArray()
            .Where(w => w!["properties"]!["metrics"] is not null)
            .SelectMany(w => w!["properties"]!["metrics"]!.AsArray().Select(m => (Title: w["properties"]!["title"]!.GetValue<string>(), Metric: m!.AsArray())))
            .Where(m => m.Metric[0] is System.Text.Json.Nodes.JsonValue ns && ns.GetValue<string>() == "AWS/ApplicationELB")
            .Select(m => (m.Title, Name: m.Metric[1]!.GetValue<string>(),
                Dimensions: m.Metric.Skip(2).TakeWhile(x => x is System.Text.Json.Nodes.JsonValue).Select(x => x!.GetValue<string>()).Chunk(2).ToDictionary(d => d[0], d => d[1])))
            .ToList();

        Assert.Equal(
            // The errors graph's RequestCount is the rate's denominator (not drawn itself).
            ["API errors HTTPCode_ELB_5XX_Count", "API errors HTTPCode_Target_4XX_Count", "API errors HTTPCode_Target_5XX_Count", "API errors RequestCount",
             "API p99 latency TargetResponseTime", "API throughput RequestCount"],
            albMetrics.Select(m => $"{m.Title} {m.Name}").Order(StringComparer.Ordinal));
        Assert.All(albMetrics.Where(m => m.Name != "HTTPCode_ELB_5XX_Count"), m =>
            Assert.Equal(["LoadBalancer", "TargetGroup"], m.Dimensions.Keys.Order(StringComparer.Ordinal)));
        Assert.All(albMetrics.Where(m => m.Name != "HTTPCode_ELB_5XX_Count"), m =>
            Assert.Equal($"{apiTargetGroup}.TargetGroupFullName", m.Dimensions["TargetGroup"]));
        Assert.Equal(["LoadBalancer"], albMetrics.Single(m => m.Name == "HTTPCode_ELB_5XX_Count").Dimensions.Keys);
    }

    private System.Text.Json.Nodes.JsonNode Alarm(string name) =>
        TemplateJson.Resources(platform.TemplateJson(platform.Env("prod").Observability), "AWS::CloudWatch::Alarm")
            .Single(a => a.Properties["AlarmName"]!.GetValue<string>() == name).Properties;
}
