using Amazon.CDK;
using Amazon.CDK.AWS.CertificateManager;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// CloudFront: the platform's only public entry. HTTPS to viewers (HTTP redirects), HTTPS to the ALB with the
/// secret origin header, no caching (Blazor Server and the API are dynamic; WebSockets pass through), security
/// headers on every response. With a viewer domain and certificate, viewers need TLS 1.2 or newer. AWS Shield Standard protects every distribution by default; a WAF web ACL
/// (scope CLOUDFRONT, us-east-1) is attached when <c>webAclArn</c> is set.
/// </summary>
public sealed class EdgeStack : Stack
{
    public Distribution Distribution { get; }
    public ResponseHeadersPolicy SecurityHeaders { get; }

    public EdgeStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
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

        var origin = new HttpOrigin(config.OriginDomainName, new HttpOriginProps
        {
            ProtocolPolicy = OriginProtocolPolicy.HTTPS_ONLY,
            OriginSslProtocols = [OriginSslPolicy.TLS_V1_2],
            CustomHeaders = new Dictionary<string, string>
            {
                [SecurityStack.OriginVerifyHeader] = security.OriginVerify.SecretValue.UnsafeUnwrap(),
            },
        });

        var customDomain = !string.IsNullOrWhiteSpace(config.ViewerDomainName) && !string.IsNullOrWhiteSpace(config.ViewerCertificateArn);
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
                // stays the origin's name so the ALB certificate matches.
                OriginRequestPolicy = OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                ResponseHeadersPolicy = SecurityHeaders,
                Compress = true,
            },
            HttpVersion = HttpVersion.HTTP2_AND_3,
            MinimumProtocolVersion = SecurityPolicyProtocol.TLS_V1_2_2021,
            PriceClass = PriceClass.PRICE_CLASS_100,
            WebAclId = string.IsNullOrWhiteSpace(config.WebAclArn) ? null : config.WebAclArn,
        });

        _ = new CfnOutput(this, "DistributionDomainName", new CfnOutputProps { Value = Distribution.DistributionDomainName });
    }
}
