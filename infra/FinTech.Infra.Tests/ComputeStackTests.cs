using Amazon.CDK;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class ComputeStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Compute);

    [Theory]
    [InlineData("fintech/portal")]
    [InlineData("fintech/api")]
    public void Repositories_have_immutable_tags_scan_on_push_KMS_and_a_lifecycle_policy(string name)
    {
        platform.Template(platform.Env("prod").Registry).HasResourceProperties("AWS::ECR::Repository", Like.Object(
            ("RepositoryName", name),
            ("ImageTagMutability", "IMMUTABLE"),
            ("ImageScanningConfiguration", Like.Object(("ScanOnPush", true))),
            ("EncryptionConfiguration", Like.Object(("EncryptionType", "KMS"), ("KmsKey", Match.AnyValue()))),
            ("LifecyclePolicy", Like.Object(("LifecyclePolicyText", Match.StringLikeRegexp("untagged"))))));
    }

    [Fact]
    public void Services_pull_their_image_from_their_own_repository_by_the_configured_tag()
    {
        var portal = PortalContainer();

        var image = portal["Image"]!.ToJsonString();
        Assert.Contains("PortalRepository", image, StringComparison.Ordinal);
        Assert.EndsWith(":1.0.0\"]]}", image, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cluster_has_Container_Insights()
    {
        Template.HasResourceProperties("AWS::ECS::Cluster", Like.Object(
            ("ClusterName", "fintech-prod"),
            ("ClusterSettings", Like.ArrayWith(Like.Object(("Name", "containerInsights"), ("Value", "enabled"))))));
    }

    [Theory]
    [InlineData("fintech-prod-portal")]
    [InlineData("fintech-prod-api")]
    public void Services_run_in_private_subnets_without_public_ips_and_roll_back_failed_deployments(string name)
    {
        Template.HasResourceProperties("AWS::ECS::Service", Like.Object(
            ("ServiceName", name),
            ("LaunchType", "FARGATE"),
            ("NetworkConfiguration", Like.Object(("AwsvpcConfiguration", Like.Object(
                ("AssignPublicIp", "DISABLED"),
                ("Subnets", Like.ArrayWith(Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("appSubnet"))))))))),
            ("DeploymentConfiguration", Like.Object(
                ("DeploymentCircuitBreaker", Like.Object(("Enable", true), ("Rollback", true))),
                ("Alarms", Like.Object(("Enable", true), ("Rollback", true), ("AlarmNames", Match.AnyValue())))))));
        Template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(("AlarmName", $"{name}-deploy-5xx"), ("ThresholdMetricId", Match.Absent())));
        Template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(("AlarmName", $"{name}-deploy-unhealthy"), ("MetricName", "UnHealthyHostCount")));
    }

    [Fact]
    public void Target_groups_check_healthz_and_keep_Blazor_circuits_sticky()
    {
        Template.ResourcePropertiesCountIs("AWS::ElasticLoadBalancingV2::TargetGroup", Like.Object(
            ("HealthCheckPath", "/healthz"),
            ("Port", 8080),
            ("TargetType", "ip"),
            ("TargetGroupAttributes", Like.ArrayWith(
                Like.Object(("Key", "stickiness.enabled"), ("Value", "true")),
                Like.Object(("Key", "stickiness.type"), ("Value", "lb_cookie"))))), 2);
    }

    [Fact]
    public void Services_scale_on_CPU_and_on_requests_per_target()
    {
        Template.ResourcePropertiesCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", Like.Object(
            ("TargetTrackingScalingPolicyConfiguration", Like.Object(("PredefinedMetricSpecification", Like.Object(
                ("PredefinedMetricType", "ECSServiceAverageCPUUtilization")))))), 2);
        Template.ResourcePropertiesCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", Like.Object(
            ("TargetTrackingScalingPolicyConfiguration", Like.Object(("PredefinedMetricSpecification", Like.Object(
                ("PredefinedMetricType", "ALBRequestCountPerTarget")))))), 2);
        Template.HasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Like.Object(("MinCapacity", 3), ("MaxCapacity", 12)));
    }

    [Fact]
    public void The_listener_forwards_only_requests_carrying_the_origin_secret()
    {
        Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Like.Object(
            ("Port", 443),
            ("Protocol", "HTTPS"),
            ("DefaultActions", new object[] { Like.Object(("Type", "fixed-response"), ("FixedResponseConfig", Like.Object(("StatusCode", "403")))) })));
        Template.ResourcePropertiesCountIs("AWS::ElasticLoadBalancingV2::ListenerRule", Like.Object(
            ("Conditions", Like.ArrayWith(Like.Object(
                ("Field", "http-header"),
                ("HttpHeaderConfig", Like.Object(("HttpHeaderName", "X-Origin-Verify"), ("Values", Match.AnyValue()))))))), 2);
    }

    [Fact]
    public void The_ALB_drops_invalid_headers_and_sits_in_the_public_subnets_behind_its_security_group()
    {
        Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Like.Object(
            ("Scheme", "internet-facing"),
            ("SecurityGroups", new object[] { Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AlbSecurityGroup"))) }),
            ("Subnets", Like.ArrayWith(Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("edgeSubnet"))))),
            ("LoadBalancerAttributes", Like.ArrayWith(Like.Object(("Key", "routing.http.drop_invalid_header_fields.enabled"), ("Value", "true"))))));
    }

    [Fact]
    public void With_a_viewer_domain_the_portal_is_told_its_public_origin()
    {
        var dev = platform.Settings.Platform.Environments["dev"] with
        {
            ViewerDomainName = "portal.dev.example.com",
            ViewerCertificateArn = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-00000000000e",
        };
        var config = new PlatformConfig { Organization = platform.Settings.Platform.Organization, Environments = new Dictionary<string, EnvironmentConfig> { ["dev"] = dev } };
        var stacks = PlatformStacks.Build(new App(new AppProps { Context = platform.Settings.Context }), config, platform.Actions);

        var withDomain = PortalEnvironmentOf(Amazon.CDK.Assertions.Template.FromStack(stacks.Environments["dev"].Compute));

        Assert.Equal("\"https://portal.dev.example.com\"", withDomain["Hosting__PublicOrigin"]);
        Assert.False(PortalEnvironmentOf(Template).ContainsKey("Hosting__PublicOrigin"));
    }

    private static Dictionary<string, string> PortalEnvironmentOf(Template template)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(template.ToJSON());
        var task = TemplateJson.Resources(json, "AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["Family"]!.GetValue<string>().EndsWith("-portal", StringComparison.Ordinal)).Properties;
        var portal = task["ContainerDefinitions"]!.AsArray().Single()!;
        return portal["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());
    }

    [Fact]
    public void The_portal_container_gets_its_configuration_keys_and_secrets()
    {
        var portal = PortalContainer();
        var environment = portal["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());
        var secrets = portal["Secrets"]!.AsArray().Select(s => s!["Name"]!.GetValue<string>()).ToList();

        Assert.Equal("\"Production\"", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("\"prod\"", environment["Platform__DefaultEnvironment"]);
        Assert.Equal("\"Aws\"", environment["Platform__Environments__prod__Backend"]);
        Assert.Equal("\"true\"", environment["Platform__Environments__prod__IsProduction"]);
        Assert.Equal("\"arn:aws:iam::333333333333:role/fintech-prod-portal-access\"", environment["Platform__Environments__prod__Aws__RoleArn"]);
        foreach (var key in new[] { "LoadBalancer", "TargetGroup", "EcsCluster", "EcsService", "AuroraCluster", "AuroraInstances__0",
                     "AuroraInstances__1", "RedisReplicationGroup", "RedisNodes__0", "RedisNodes__1", "SessionTable" })
        {
            Assert.True(environment.ContainsKey($"Platform__Environments__prod__Resources__{key}"), key);
        }

        Assert.Equal("\"fintech-prod-redis-002\"", environment["Platform__Environments__prod__Resources__RedisNodes__1"]);
        Assert.Contains("LoadBalancerFullName", environment["Platform__Environments__prod__Resources__LoadBalancer"], StringComparison.Ordinal);
        Assert.Equal("\"PostgreSql\"", environment["Database__Provider"]);
        Assert.Equal("\"EntraId\"", environment["Identity__Mode"]);
        Assert.Equal("\"/signin-oidc\"", environment["AzureAd__CallbackPath"]);
        // Two trusted hops (CloudFront, ALB) so the audit trail records the viewer; see ComputeStack.
        Assert.Equal("\"0.0.0.0/0\"", environment["Hosting__TrustedProxyNetworks__0"]);
        Assert.Equal("\"2\"", environment["Hosting__ForwardLimit"]);
        Assert.Equal("\"CloudWatchLogs\"", environment["Audit__AnchorSink"]);
        Assert.Equal("\"/fintech/prod/audit-anchors\"", environment["Audit__AnchorLogGroup"]);
        Assert.Equal("\"json\"", environment["Logging__Console__FormatterName"]);
        Assert.Equal(["AzureAd__ClientSecret", "Database__ConnectionString"], secrets.Order());
    }

    [Fact]
    public void The_portal_logs_to_CloudWatch_and_probes_healthz()
    {
        var portal = PortalContainer();

        Assert.Equal("awslogs", portal["LogConfiguration"]!["LogDriver"]!.GetValue<string>());
        Assert.Equal("non-blocking", portal["LogConfiguration"]!["Options"]!["mode"]!.GetValue<string>());
        Assert.Contains("/healthz", portal["HealthCheck"]!["Command"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(8080, portal["PortMappings"]![0]!["ContainerPort"]!.GetValue<int>());
    }

    [Fact]
    public void The_audit_anchor_log_group_is_encrypted_and_kept_for_ten_years()
    {
        Template.HasResourceProperties("AWS::Logs::LogGroup", Like.Object(
            ("LogGroupName", "/fintech/prod/audit-anchors"),
            ("RetentionInDays", 3653),
            ("KmsKeyId", Match.AnyValue())));
    }

    [Fact]
    public void Injected_secrets_are_readable_only_by_the_execution_role_of_the_service_that_needs_them()
    {
        var json = platform.TemplateJson(platform.Env("prod").Compute);

        var readers = TemplateJson.Resources(json, "AWS::IAM::Policy")
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()
                .Where(s => TemplateJson.Strings(s!["Action"]).Contains("secretsmanager:GetSecretValue"))
                .Select(s => (Policy: p.Id, Resources: s!["Resource"]!.ToJsonString())))
            .ToList();

        Assert.Equal(2, readers.Count);
        var portal = Assert.Single(readers, r => r.Policy.StartsWith("PortalExecutionRole", StringComparison.Ordinal));
        Assert.Contains("PortalDatabase", portal.Resources, StringComparison.Ordinal);
        Assert.Contains("EntraClientSecret", portal.Resources, StringComparison.Ordinal);
        Assert.DoesNotContain("RedisAuthToken", portal.Resources, StringComparison.Ordinal);
        var api = Assert.Single(readers, r => r.Policy.StartsWith("ApiExecutionRole", StringComparison.Ordinal));
        Assert.Contains("RedisAuthToken", api.Resources, StringComparison.Ordinal);
        Assert.DoesNotContain("PortalDatabase", api.Resources, StringComparison.Ordinal);
    }

    private JsonNode PortalContainer()
    {
        var json = platform.TemplateJson(platform.Env("prod").Compute);
        var task = TemplateJson.Resources(json, "AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["Family"]!.GetValue<string>() == "fintech-prod-portal").Properties;
        return task["ContainerDefinitions"]!.AsArray().Single()!;
    }
}
