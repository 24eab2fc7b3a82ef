using System.Text.Json.Nodes;
using FinTech.Infra.Stacks;

namespace FinTech.Infra.Tests;

/// <summary>
/// The write-probe canary's service: one task of the portal's image in canary-only mode, outside the ALB, allowed to
/// put metrics into FinTech/WriteProbe only, reaching Aurora and Redis and nothing reaching it.
/// </summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class WriteProbeServiceTests(SynthesizedPlatform platform)
{
    private string Json => platform.TemplateJson(platform.Env("prod").Portal);

    [Fact]
    public void One_task_of_the_portal_image_runs_the_canary_alone_and_is_not_behind_the_load_balancer()
    {
        var service = TemplateJson.Resources(Json, "AWS::ECS::Service").Single(s => s.Properties["ServiceName"]?.GetValue<string>() == "fintech-prod-write-probe").Properties;
        var container = Container();
        var environment = container["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());

        Assert.Equal(1, service["DesiredCount"]!.GetValue<int>());
        Assert.Null(service["LoadBalancers"]);
        Assert.Null(container["PortMappings"]);
        Assert.Contains("PortalRepository", container["Image"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(("\"true\"", "\"true\""), (environment["WriteProbe__CanaryOnly"], environment["WriteProbe__Enabled"]));
        Assert.Contains("AuroraEndpointAddress", environment["WriteProbe__AuroraConnectionString"], StringComparison.Ordinal);
        Assert.Contains("RedisPrimaryEndPointAddress", environment["WriteProbe__RedisHost"], StringComparison.Ordinal);
        Assert.Equal(["PGPASSWORD", "PGUSER", "WriteProbe__RedisPassword"],
            container["Secrets"]!.AsArray().Select(s => s!["Name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.True(container["ReadonlyRootFilesystem"]!.GetValue<bool>());
        Assert.Equal(WebService.ContainerUser, container["User"]!.GetValue<string>());
    }

    /// <summary>
    /// ECS runs the portal's own binary in the canary's container to judge the heartbeat the canary's loop writes to the
    /// task's writable /tmp after each published second (the portal tests run that very command against real files).
    /// </summary>
    [Fact]
    public void The_canary_container_is_health_checked_by_the_age_of_the_heartbeat_its_loop_writes()
    {
        var container = Container();
        var check = container["HealthCheck"]!;
        var environment = container["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());
        var tmp = container["MountPoints"]!.AsArray().Single(m => m!["ContainerPath"]!.GetValue<string>() == "/tmp");

        Assert.Equal(["CMD", "dotnet", "/app/FinTech.Portal.dll", "--write-probe-health-check", "--WriteProbe:HeartbeatFile=/tmp/write-probe.heartbeat"],
            check["Command"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal((30, 10, 3, 60), (check["Interval"]!.GetValue<int>(), check["Timeout"]!.GetValue<int>(), check["Retries"]!.GetValue<int>(), check["StartPeriod"]!.GetValue<int>()));
        Assert.Equal("\"/tmp/write-probe.heartbeat\"", environment["WriteProbe__HeartbeatFile"]);
        Assert.False(tmp!["ReadOnly"]!.GetValue<bool>());
    }

    [Fact]
    public void The_task_role_may_only_put_metrics_into_the_write_probe_namespace()
    {
        var statements = RoleStatements("fintech-prod-write-probe-task");

        var statement = Assert.Single(statements);
        Assert.Equal("Allow", statement["Effect"]!.GetValue<string>());
        Assert.Equal(["cloudwatch:PutMetricData"], TemplateJson.Strings(statement["Action"]));
        Assert.Equal(["*"], TemplateJson.Strings(statement["Resource"]));
        Assert.Equal("FinTech/WriteProbe", statement["Condition"]!["StringEquals"]!["cloudwatch:namespace"]!.GetValue<string>());
        Assert.Single(statement["Condition"]!.AsObject());
    }

    [Fact]
    public void The_canary_reaches_Aurora_and_Redis_and_nothing_reaches_it()
    {
        var network = platform.TemplateJson(platform.Env("prod").Network);
        var group = TemplateJson.Resources(network, "AWS::EC2::SecurityGroup")
            .Single(g => g.Properties["GroupDescription"]!.GetValue<string>().StartsWith("Write probe canary", StringComparison.Ordinal));
        var ingress = TemplateJson.Resources(network, "AWS::EC2::SecurityGroupIngress").Select(i => i.Properties).ToList();

        Assert.Null(group.Properties["SecurityGroupIngress"]);
        Assert.DoesNotContain(ingress, i => i["GroupId"]?.ToJsonString().Contains(group.Id, StringComparison.Ordinal) == true);
        Assert.Equal([5432, 6379], ingress
            .Where(i => i["SourceSecurityGroupId"]?.ToJsonString().Contains(group.Id, StringComparison.Ordinal) == true)
            .Select(i => i["FromPort"]!.GetValue<int>()).Order());
    }

    [Fact]
    public void The_canary_s_execution_role_may_read_the_database_and_Redis_secrets()
    {
        var data = platform.TemplateJson(platform.Env("prod").Data);
        var security = platform.TemplateJson(platform.Env("prod").Security);

        Assert.Contains("arn:aws:iam::333333333333:role/fintech-prod-write-probe-execution", data, StringComparison.Ordinal);
        var redisPolicy = TemplateJson.Resources(security, "AWS::SecretsManager::ResourcePolicy")
            .Single(p => p.Properties["SecretId"]!.ToJsonString().Contains("RedisAuthToken", StringComparison.Ordinal)).Properties;
        Assert.Contains("fintech-prod-write-probe-execution", redisPolicy.ToJsonString(), StringComparison.Ordinal);
    }

    private JsonNode Container() =>
        TemplateJson.Resources(Json, "AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["Family"]?.GetValue<string>() == "fintech-prod-write-probe")
            .Properties["ContainerDefinitions"]!.AsArray().Single()!;

    private List<JsonNode> RoleStatements(string roleName)
    {
        var roleId = TemplateJson.Resources(Json, "AWS::IAM::Role").Single(r => r.Properties["RoleName"]?.GetValue<string>() == roleName).Id;
        return [.. TemplateJson.Resources(Json, "AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r?["Ref"]?.GetValue<string>() == roleId))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()).OfType<JsonNode>()];
    }
}
