using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class EdgeStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Edge);

    [Fact]
    public void Production_viewers_reach_the_viewer_domain_over_HTTPS_with_TLS_1_2_or_newer()
    {
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("Enabled", true),
            ("Aliases", new[] { "portal.example.com" }),
            ("DefaultCacheBehavior", Like.Object(
                ("ViewerProtocolPolicy", "redirect-to-https"),
                ("ResponseHeadersPolicyId", Match.AnyValue()))),
            ("ViewerCertificate", Like.Object(
                ("AcmCertificateArn", "arn:aws:acm:us-east-1:333333333333:certificate/00000000-0000-0000-0000-000000000004"),
                ("MinimumProtocolVersion", "TLSv1.2_2021"),
                ("SslSupportMethod", "sni-only")))))));
    }

    [Fact]
    public void CloudFront_reaches_the_internal_ALB_through_a_VPC_origin_over_HTTPS()
    {
        Template.HasResourceProperties("AWS::CloudFront::VpcOrigin", Like.Object(("VpcOriginEndpointConfig", Like.Object(
            ("Name", "fintech-prod-alb"),
            ("Arn", Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("Alb")))),
            ("HTTPSPort", 443),
            ("OriginProtocolPolicy", "https-only"),
            ("OriginSSLProtocols", new[] { "TLSv1.2" })))));
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("Origins", new object[]
            {
                Match.ObjectEquals(new Dictionary<string, object>
                {
                    ["DomainName"] = "origin.portal.example.com",
                    ["Id"] = Match.AnyValue(),
                    ["VpcOriginConfig"] = Like.Object(("VpcOriginId", Like.Object(("Fn::GetAtt", new[] { "VpcOrigin", "Id" })))),
                }),
            })))));
    }

    [Fact]
    public void The_distribution_is_filtered_by_the_us_east_1_web_ACL_read_from_its_SSM_parameter()
    {
        Template.HasResourceProperties("Custom::AWS", Like.Object(
            ("Create", Match.SerializedJson(Like.Object(
                ("service", "SSM"),
                ("action", "getParameter"),
                ("region", "us-east-1"),
                ("parameters", Like.Object(("Name", "/fintech/prod/edge/web-acl-arn")))))),
            ("InstallLatestAwsSdk", false)));
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("WebACLId", Like.Object(("Fn::GetAtt", Match.ArrayWith(["Parameter.Value"]))))))));
    }

    [Fact]
    public void CloudFront_writes_standard_logs_to_the_edge_log_bucket()
    {
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("Logging", Like.Object(
                ("Bucket", Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("EdgeLogs")))),
                ("Prefix", "cloudfront/")))))));
    }

    [Fact]
    public void Outside_production_the_distribution_may_serve_its_own_name()
    {
        platform.Template(platform.Env("dev").Edge).HasResourceProperties("AWS::CloudFront::Distribution",
            Like.Object(("DistributionConfig", Like.Object(("Aliases", Match.Absent()), ("ViewerCertificate", Match.Absent())))));
    }

    [Fact]
    public void Responses_carry_security_headers()
    {
        Template.HasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Like.Object(("ResponseHeadersPolicyConfig", Like.Object(
            ("SecurityHeadersConfig", Like.Object(
                ("StrictTransportSecurity", Like.Object(("AccessControlMaxAgeSec", 31536000), ("IncludeSubdomains", true), ("Override", true))),
                ("ContentTypeOptions", Like.Object(("Override", true))),
                ("FrameOptions", Like.Object(("FrameOption", "DENY"))),
                ("ReferrerPolicy", Like.Object(("ReferrerPolicy", "strict-origin-when-cross-origin")))))))));
    }

    [Fact]
    public void The_web_ACL_blocks_with_AWS_managed_rule_groups_and_a_rate_limit_per_IP()
    {
        var global = platform.Template(platform.Env("prod").Global);

        global.HasResourceProperties("AWS::WAFv2::WebACL", Like.Object(
            ("Scope", "CLOUDFRONT"),
            ("DefaultAction", Like.Object(("Allow", Match.AnyValue()))),
            ("Rules", Match.ArrayWith(
            [
                Like.Object(("Name", "rate-limit-per-ip"), ("Action", Like.Object(("Block", Match.AnyValue()))),
                    ("Statement", Like.Object(("RateBasedStatement", Like.Object(("Limit", 2000), ("AggregateKeyType", "IP")))))),
                Managed("AWSManagedRulesAmazonIpReputationList"),
                Managed("AWSManagedRulesCommonRuleSet"),
                Managed("AWSManagedRulesKnownBadInputsRuleSet"),
            ]))));
        global.HasResourceProperties("AWS::SSM::Parameter", Like.Object(
            ("Name", "/fintech/prod/edge/web-acl-arn"),
            ("Value", Like.Object(("Fn::GetAtt", Match.ArrayWith(["Arn"]))))));
        Assert.Equal("us-east-1", platform.Env("prod").Global.Region);
    }

    private static Matcher Managed(string name) => Like.Object(
        ("Name", name),
        ("OverrideAction", Like.Object(("None", Match.AnyValue()))),
        ("Statement", Like.Object(("ManagedRuleGroupStatement", Like.Object(("VendorName", "AWS"), ("Name", name))))));
}
