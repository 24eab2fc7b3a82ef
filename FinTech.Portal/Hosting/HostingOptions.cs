using System.ComponentModel.DataAnnotations;
using System.Net;

namespace FinTech.Portal.Hosting;

/// <summary>How the portal sits behind CloudFront and the ALB (configuration section <c>Hosting</c>).</summary>
public sealed class HostingOptions : IValidatableObject
{
    public const string SectionName = "Hosting";

    /// <summary>
    /// Networks (CIDR) whose X-Forwarded-* headers are trusted: the VPC's range where the ALB's
    /// nodes live. Anything else could forge the client address that the audit trail records,
    /// so only loopback is trusted by default.
    /// </summary>
    public List<string> TrustedProxyNetworks { get; set; } = [];

    /// <summary>How many proxy hops of the forwarded headers to believe.</summary>
    [Range(1, 5)]
    public int ForwardLimit { get; set; } = 2;

    /// <summary>
    /// The header that carries the client address. Behind CloudFront → ALB the X-Forwarded-For
    /// chain ends in CloudFront's edge address, which is not in any range the portal can trust;
    /// CloudFront's own <c>CloudFront-Viewer-Address</c> header (forwarded by the origin request
    /// policy, one trusted hop behind the ALB) names the real client for the audit trail.
    /// </summary>
    [Required]
    public string ForwardedForHeader { get; set; } = "X-Forwarded-For";

    /// <summary>
    /// The address people use, e.g. <c>https://ops.fintech.example</c>. CloudFront does not send
    /// X-Forwarded-Host, so behind it the request's own host is the ALB's; when this is set every
    /// request takes its scheme and host from here, and so do the sign-in redirect URIs.
    /// </summary>
    public Uri? PublicOrigin { get; set; }

    /// <summary>Identifies this portal task in logs and audit events; defaults to the host name.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// Maps <c>GET /_diagnostics/process</c> (managed heap after a full collection, CPU time) for the
    /// <c>circuits</c> benchmark. Off by default; when on it answers loopback callers only.
    /// </summary>
    public bool DiagnosticsEndpoint { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicOrigin is { } origin && (!origin.IsAbsoluteUri || origin.AbsolutePath != "/" || origin.Query.Length > 0
            || (origin.Scheme != Uri.UriSchemeHttps && origin.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult(
                $"Hosting:PublicOrigin must be a scheme and host only, such as https://ops.fintech.example, got '{origin}'.",
                [nameof(PublicOrigin)]);
        }
        foreach (var cidr in TrustedProxyNetworks)
        {
            if (!IPNetwork.TryParse(cidr, out _))
            {
                yield return new ValidationResult(
                    $"Hosting:TrustedProxyNetworks contains '{cidr}', which is not a CIDR range such as 10.0.0.0/16.",
                    [nameof(TrustedProxyNetworks)]);
            }
        }
    }
}
