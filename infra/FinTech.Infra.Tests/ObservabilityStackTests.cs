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
        foreach (var title in new[] { "Throughput", "p99 latency", "Errors", "Database (Aurora)", "Cache (Redis)", "Sessions (DynamoDB)", "Alarms" })
        {
            Assert.Contains($"\"title\":\"{title}\"", body, StringComparison.Ordinal);
        }
    }

    private System.Text.Json.Nodes.JsonNode Alarm(string name) =>
        TemplateJson.Resources(platform.TemplateJson(platform.Env("prod").Observability), "AWS::CloudWatch::Alarm")
            .Single(a => a.Properties["AlarmName"]!.GetValue<string>() == name).Properties;
}
