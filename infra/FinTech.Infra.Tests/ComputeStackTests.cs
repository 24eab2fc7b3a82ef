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
        var stack = name.EndsWith("portal", StringComparison.Ordinal) ? (Amazon.CDK.Stack)platform.Env("prod").Portal : platform.Env("prod").Compute;
        var template = platform.Template(stack);
        template.HasResourceProperties("AWS::ECS::Service", Like.Object(
            ("ServiceName", name),
            ("LaunchType", "FARGATE"),
            ("NetworkConfiguration", Like.Object(("AwsvpcConfiguration", Like.Object(
                ("AssignPublicIp", "DISABLED"),
                ("Subnets", Like.ArrayWith(Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("appSubnet"))))))))),
            ("DeploymentConfiguration", Like.Object(
                ("DeploymentCircuitBreaker", Like.Object(("Enable", true), ("Rollback", true))),
                ("Alarms", Like.Object(("Enable", true), ("Rollback", true), ("AlarmNames", Match.AnyValue())))))));
        // A rate, not a count: a release is judged alike in a busy hour and a quiet one.
        template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(("AlarmName", $"{name}-deploy-5xx"),
            ("Metrics", Like.ArrayWith(Like.Object(("Expression", "100 * FILL(t5xx, 0) / requests"))))));
        template.HasResourceProperties("AWS::CloudWatch::Alarm", Like.Object(("AlarmName", $"{name}-deploy-unhealthy"), ("MetricName", "UnHealthyHostCount")));
    }

    [Theory]
    [InlineData("Compute")]
    [InlineData("Portal")]
    public void Target_groups_check_healthz_and_keep_Blazor_circuits_sticky(string stack)
    {
        var template = platform.Template(stack == "Portal" ? platform.Env("prod").Portal : platform.Env("prod").Compute);
        template.ResourcePropertiesCountIs("AWS::ElasticLoadBalancingV2::TargetGroup", Like.Object(
            ("HealthCheckPath", "/healthz"),
            ("Port", 8080),
            ("TargetType", "ip"),
            ("TargetGroupAttributes", Like.ArrayWith(
                Like.Object(("Key", "stickiness.enabled"), ("Value", "true")),
                Like.Object(("Key", "stickiness.type"), ("Value", "lb_cookie"))))), 1);
    }

    [Theory]
    [InlineData("Compute", 3, 24)]
    [InlineData("Portal", 3, 12)]
    public void Services_scale_on_CPU_and_on_requests_per_target(string stack, int min, int max)
    {
        var template = platform.Template(stack == "Portal" ? platform.Env("prod").Portal : platform.Env("prod").Compute);
        template.ResourcePropertiesCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", Like.Object(
            ("TargetTrackingScalingPolicyConfiguration", Like.Object(("PredefinedMetricSpecification", Like.Object(
                ("PredefinedMetricType", "ECSServiceAverageCPUUtilization")))))), 1);
        template.ResourcePropertiesCountIs("AWS::ApplicationAutoScaling::ScalingPolicy", Like.Object(
            ("TargetTrackingScalingPolicyConfiguration", Like.Object(("PredefinedMetricSpecification", Like.Object(
                ("PredefinedMetricType", "ALBRequestCountPerTarget")))))), 1);
        template.HasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", Like.Object(("MinCapacity", min), ("MaxCapacity", max)));
    }

    [Fact]
    public void The_listener_answers_503_until_a_service_rule_matches_the_API_on_api_paths_the_portal_on_the_rest()
    {
        Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Like.Object(
            ("Port", 443),
            ("Protocol", "HTTPS"),
            ("DefaultActions", new object[] { Like.Object(("Type", "fixed-response"), ("FixedResponseConfig", Like.Object(("StatusCode", "503")))) })));
        Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", Like.Object(
            ("Priority", 10),
            ("Conditions", new object[] { Like.Object(("Field", "path-pattern"), ("PathPatternConfig", Like.Object(("Values", new[] { "/api/*" })))) })));
        platform.Template(platform.Env("prod").Portal).HasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", Like.Object(
            ("Priority", 20),
            ("ListenerArn", Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AlbHttps")))),
            ("Conditions", new object[] { Like.Object(("Field", "path-pattern"), ("PathPatternConfig", Like.Object(("Values", new[] { "/*" })))) })));
    }

    [Fact]
    public void The_ALB_is_internal_in_the_app_subnets_with_deletion_protection_and_access_logs()
    {
        Template.HasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Like.Object(
            ("Scheme", "internal"),
            ("SecurityGroups", new object[] { Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AlbSecurityGroup"))) }),
            ("Subnets", Like.ArrayWith(Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("appSubnet"))))),
            ("LoadBalancerAttributes", Like.ArrayWith(
                Like.Object(("Key", "deletion_protection.enabled"), ("Value", "true")),
                Like.Object(("Key", "routing.http.drop_invalid_header_fields.enabled"), ("Value", "true")),
                Like.Object(("Key", "access_logs.s3.enabled"), ("Value", "true")),
                Like.Object(("Key", "access_logs.s3.prefix"), ("Value", "alb"))))));
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
    public void The_API_s_execution_role_reads_only_the_API_s_secrets()
    {
        var json = platform.TemplateJson(platform.Env("prod").Compute);

        var readers = TemplateJson.Resources(json, "AWS::IAM::Policy")
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()
                .Where(s => TemplateJson.Strings(s!["Action"]).Contains("secretsmanager:GetSecretValue"))
                .Select(s => (Policy: p.Id, Resources: s!["Resource"]!.ToJsonString())))
            .ToList();

        var api = Assert.Single(readers);
        Assert.StartsWith("ApiExecutionRole", api.Policy, StringComparison.Ordinal);
        Assert.Contains("RedisAuthToken", api.Resources, StringComparison.Ordinal);
        Assert.Contains("ExternalApiKeys", api.Resources, StringComparison.Ordinal);
        Assert.DoesNotContain("EntraClientSecret", api.Resources, StringComparison.Ordinal);
    }
}
