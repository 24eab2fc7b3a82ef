using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class ObservabilityStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Observability);

    [Theory]
    [InlineData("fintech-prod-p99-latency", "TargetResponseTime")]
    [InlineData("fintech-prod-portal-unhealthy-hosts", "UnHealthyHostCount")]
    [InlineData("fintech-prod-api-unhealthy-hosts", "UnHealthyHostCount")]
    [InlineData("fintech-prod-aurora-cpu", "CPUUtilization")]
    [InlineData("fintech-prod-aurora-replica-lag", "AuroraReplicaLagMaximum")]
    [InlineData("fintech-prod-aurora-connections", "DatabaseConnections")]
    [InlineData("fintech-prod-redis-cpu-1", "EngineCPUUtilization")]
    [InlineData("fintech-prod-redis-evictions", "Evictions")]
    [InlineData("fintech-prod-redis-replication-lag", "ReplicationLag")]
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
