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

    /// <summary>Proxies in front of the portal: CloudFront and the ALB.</summary>
    [Range(1, 5)]
    public int ForwardLimit { get; set; } = 2;

    /// <summary>Identifies this portal task in logs and audit events; defaults to the host name.</summary>
    public string? InstanceId { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
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
