using Amazon.CDK;
using Amazon.CDK.Assertions;
using FinTech.Infra.Stacks;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class EdgeStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Edge);

    [Fact]
    public void CloudFront_redirects_viewers_to_HTTPS_and_requires_modern_TLS()
    {
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("Enabled", true),
            ("DefaultCacheBehavior", Like.Object(
                ("ViewerProtocolPolicy", "redirect-to-https"),
                ("ResponseHeadersPolicyId", Match.AnyValue()))),
            ("ViewerCertificate", Match.Absent()))))); // the CloudFront certificate: TLS by default
    }

    [Fact]
    public void CloudFront_reaches_the_ALB_over_HTTPS_with_the_secret_origin_header()
    {
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(
            ("Origins", new object[]
            {
                Like.Object(
                    ("DomainName", "origin.portal.example.com"),
                    ("CustomOriginConfig", Like.Object(("OriginProtocolPolicy", "https-only"), ("OriginSSLProtocols", new[] { "TLSv1.2" }))),
                    ("OriginCustomHeaders", new object[]
                    {
                        Like.Object(("HeaderName", "X-Origin-Verify"), ("HeaderValue", Match.AnyValue())),
                    })),
            })))));
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
    public void Without_a_web_ACL_only_Shield_Standard_protects_the_distribution()
    {
        Template.HasResourceProperties("AWS::CloudFront::Distribution", Like.Object(("DistributionConfig", Like.Object(("WebACLId", Match.Absent())))));
    }

    [Fact]
    public void A_configured_WAF_web_ACL_and_viewer_domain_are_attached_with_TLS_1_2_or_newer()
    {
        const string webAcl = "arn:aws:wafv2:us-east-1:111111111111:global/webacl/fintech/00000000-0000-0000-0000-000000000000";
        const string certificate = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-00000000000e";
        var config = platform.Settings.Platform.Environments["dev"] with
        {
            WebAclArn = webAcl,
            ViewerDomainName = "portal.dev.example.com",
            ViewerCertificateArn = certificate,
        };
        var env = new EnvironmentContext("dev", config, new Names("dev"));
        var app = new App(new AppProps { Context = platform.Settings.Context });
        var props = new StackProps { Env = env.AwsEnvironment };
        var security = new SecurityStack(app, "Security", env, props);
        var edge = new EdgeStack(app, "Edge", env, security, props);

        Amazon.CDK.Assertions.Template.FromStack(edge).HasResourceProperties("AWS::CloudFront::Distribution",
            Like.Object(("DistributionConfig", Like.Object(
                ("WebACLId", webAcl),
                ("Aliases", new[] { "portal.dev.example.com" }),
                ("ViewerCertificate", Like.Object(
                    ("AcmCertificateArn", certificate),
                    ("MinimumProtocolVersion", "TLSv1.2_2021"),
                    ("SslSupportMethod", "sni-only")))))));
    }
}
