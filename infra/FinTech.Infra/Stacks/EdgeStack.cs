using Amazon.CDK;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Amazon.CDK.CustomResources;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// CloudFront: the platform's only public entry. It reaches the internal ALB through a VPC origin
/// (<c>AWS::CloudFront::VpcOrigin</c>, raw: CDK 2.160 has no construct for it) over HTTPS; the web ACL of
/// <see cref="GlobalStack"/> filters every request; viewers get HTTPS only (TLS 1.2 or newer with the viewer domain,
/// which production requires); no caching (Blazor Server and the API are dynamic; WebSockets pass through); security
/// headers on every response; standard logs to the edge-log bucket.
/// </summary>
public sealed class EdgeStack : Stack
{
    public Distribution Distribution { get; }
    public ResponseHeadersPolicy SecurityHeaders { get; }
    public CfnResource VpcOrigin { get; }

    public EdgeStack(Construct scope, string id, EnvironmentContext env, ComputeStack compute, StorageStack storage, IStackProps props)
        : base(scope, id, props)
    {
        var config = env.Config;

        SecurityHeaders = new ResponseHeadersPolicy(this, "SecurityHeaders", new ResponseHeadersPolicyProps
        {
            ResponseHeadersPolicyName = $"{env.Names.Prefix}-security-headers",
            Comment = "HSTS, nosniff, frame DENY, strict referrer, XSS protection",
            SecurityHeadersBehavior = new ResponseSecurityHeadersBehavior
            {
                StrictTransportSecurity = new ResponseHeadersStrictTransportSecurity
                {
                    AccessControlMaxAge = Duration.Days(365),
                    IncludeSubdomains = true,
                    Preload = true,
                    Override = true,
                },
                ContentTypeOptions = new ResponseHeadersContentTypeOptions { Override = true },
                FrameOptions = new ResponseHeadersFrameOptions { FrameOption = HeadersFrameOption.DENY, Override = true },
                ReferrerPolicy = new ResponseHeadersReferrerPolicy
                {
                    ReferrerPolicy = HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    Override = true,
                },
                XssProtection = new ResponseHeadersXSSProtection { Protection = true, ModeBlock = true, Override = true },
            },
        });

        VpcOrigin = new CfnResource(this, "VpcOrigin", new CfnResourceProps
        {
            Type = "AWS::CloudFront::VpcOrigin",
            Properties = new Dictionary<string, object>
            {
                ["VpcOriginEndpointConfig"] = new Dictionary<string, object>
                {
                    ["Name"] = $"{env.Names.Prefix}-alb",
                    ["Arn"] = compute.LoadBalancer.LoadBalancerArn,
                    ["HTTPPort"] = 80,
                    ["HTTPSPort"] = 443,
                    ["OriginProtocolPolicy"] = "https-only",
                    ["OriginSSLProtocols"] = new[] { "TLSv1.2" },
                },
            },
        });

        // CDK 2.160's origins know no VPC origin: the origin is declared as an HTTP origin on the ALB's name (the name
        // its certificate covers) and turned into a VPC origin on the distribution below.
        var origin = new HttpOrigin(config.OriginDomainName, new HttpOriginProps { ProtocolPolicy = OriginProtocolPolicy.HTTPS_ONLY });

        // The web ACL lives in us-east-1 (GlobalStack); its ARN comes from there through an SSM parameter.
        var webAclParameter = GlobalStack.WebAclParameterName(env.Names);
        var webAclArn = new AwsCustomResource(this, "WebAclArn", new AwsCustomResourceProps
        {
            OnUpdate = new AwsSdkCall
            {
                Service = "SSM",
                Action = "getParameter",
                Parameters = new Dictionary<string, object> { ["Name"] = webAclParameter },
                Region = GlobalStack.UsEast1,
                PhysicalResourceId = PhysicalResourceId.Of(webAclParameter),
            },
            Policy = AwsCustomResourcePolicy.FromSdkCalls(new SdkCallsPolicyOptions
            {
                Resources = [$"arn:{Partition}:ssm:{GlobalStack.UsEast1}:{config.Account}:parameter{webAclParameter}"],
            }),
            InstallLatestAwsSdk = false,
        }).GetResponseField("Parameter.Value");

        var customDomain = config.HasViewerDomain;
        Distribution = new Distribution(this, "Distribution", new DistributionProps
        {
            DomainNames = customDomain ? [config.ViewerDomainName!] : null,
            Certificate = customDomain ? Certificate.FromCertificateArn(this, "ViewerCertificate", config.ViewerCertificateArn!) : null,
            Comment = $"FinTech {config.DisplayName}",
            DefaultBehavior = new BehaviorOptions
            {
                Origin = origin,
                ViewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                AllowedMethods = AllowedMethods.ALLOW_ALL,
                CachePolicy = CachePolicy.CACHING_DISABLED,
                // Cookies (ALB stickiness, auth), query strings and headers reach the origin; the Host header
                // stays the origin's name so that the ALB certificate matches.
                OriginRequestPolicy = OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                ResponseHeadersPolicy = SecurityHeaders,
                Compress = true,
            },
            HttpVersion = HttpVersion.HTTP2_AND_3,
            MinimumProtocolVersion = SecurityPolicyProtocol.TLS_V1_2_2021,
            PriceClass = PriceClass.PRICE_CLASS_100,
            WebAclId = webAclArn,
            EnableLogging = true,
            LogBucket = storage.EdgeLogs,
            LogFilePrefix = "cloudfront/",
        });
        var distribution = (CfnDistribution)Distribution.Node.DefaultChild!;
        distribution.AddPropertyDeletionOverride("DistributionConfig.Origins.0.CustomOriginConfig");
        distribution.AddPropertyOverride("DistributionConfig.Origins.0.VpcOriginConfig", new Dictionary<string, object>
        {
            ["VpcOriginId"] = VpcOrigin.GetAtt("Id"),
        });

        _ = new CfnOutput(this, "DistributionDomainName", new CfnOutputProps { Value = Distribution.DistributionDomainName });
    }
}
