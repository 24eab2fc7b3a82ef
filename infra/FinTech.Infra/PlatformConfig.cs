using System.Text.Json;

namespace FinTech.Infra;

/// <summary>The <c>fintech</c> entry of the CDK context (cdk.json): the organization and every environment.</summary>
public sealed class PlatformConfig
{
    public required OrganizationConfig Organization { get; init; }

    public required IReadOnlyDictionary<string, EnvironmentConfig> Environments { get; init; }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    public static PlatformConfig FromJson(JsonElement fintech) =>
        fintech.Deserialize<PlatformConfig>(JsonOptions)
        ?? throw new InvalidOperationException("The CDK context entry 'fintech' is empty.");
}

public sealed class OrganizationConfig
{
    /// <summary>The management account the Organizations stack deploys to.</summary>
    public required string ManagementAccount { get; init; }

    public required string Region { get; init; }

    /// <summary>The organization root id (<c>r-xxxx</c>) the OUs hang under.</summary>
    public required string RootId { get; init; }

    /// <summary>Regions member accounts may create resources in (the region SCP).</summary>
    public required IReadOnlyList<string> AllowedRegions { get; init; }

    /// <summary>The organization id (<c>o-xxxx</c>): the <c>aws:PrincipalOrgID</c> of bucket policies and the org trail's log prefix.</summary>
    public required string OrganizationId { get; init; }

    /// <summary>The Security OU's log-archive account: the org trail's Object Lock bucket, its KMS key, Config delivery,
    /// and the delegated administrator of GuardDuty and Security Hub.</summary>
    public required string SecurityAccount { get; init; }

    /// <summary>Compliance-mode Object Lock on CloudTrail log files (PCI DSS 10.5: a year of history, three months at hand).</summary>
    public int CloudTrailObjectLockDays { get; init; } = 365;
}

/// <summary>Who the alarm topic notifies: an SNS subscription (<c>email</c> or <c>https</c>).</summary>
public sealed record AlarmSubscription
{
    public required string Protocol { get; init; }
    public required string Endpoint { get; init; }
}

public sealed record EnvironmentConfig
{
    public required string DisplayName { get; init; }
    public required string Account { get; init; }
    public required string Region { get; init; }
    public bool IsProduction { get; init; }

    /// <summary>Explicit AZs: synth never needs an AWS lookup. Two or more; three in production.</summary>
    public required IReadOnlyList<string> AvailabilityZones { get; init; }
    public required string VpcCidr { get; init; }

    /// <summary>NAT gateways in the public subnets, the app subnets' way to the identity provider (Entra ID): 1 is the
    /// cheap choice (one AZ's NAT for all), one per AZ survives an AZ outage. 0: no internet route at all (the
    /// portal then cannot sign anyone in, unless the organization provides central egress).</summary>
    public int NatGateways { get; init; }

    /// <summary>Route 53 Resolver DNS Firewall on the VPC: only <see cref="EgressAllowedDomains"/> resolve.</summary>
    public bool DnsFirewall { get; init; } = true;

    /// <summary>The names the VPC may resolve when the DNS Firewall is on: AWS endpoints and the identity provider.</summary>
    public IReadOnlyList<string> EgressAllowedDomains { get; init; } =
        ["amazonaws.com", "*.amazonaws.com", "*.compute.internal", "login.microsoftonline.com", "*.login.microsoftonline.com"];

    /// <summary>The DNS name CloudFront uses for the ALB (a record pointing at the ALB, covered by the ALB certificate).</summary>
    public required string OriginDomainName { get; init; }
    public required string AlbCertificateArn { get; init; }

    /// <summary>The region's <c>com.amazonaws.global.cloudfront.origin-facing</c> managed prefix list: the CloudFront VPC
    /// origin's traffic comes from it, so the internal ALB admits only it.</summary>
    public required string CloudFrontPrefixListId { get; init; }

    /// <summary>Requests per client IP per five minutes before the web ACL blocks it.</summary>
    public int WafRateLimit { get; init; } = 2000;

    /// <summary>The viewer domain (e.g. portal.example.com) and its ACM certificate in us-east-1. Required in production;
    /// elsewhere, without them, the distribution serves its *.cloudfront.net name with CloudFront's certificate.</summary>
    public string? ViewerDomainName { get; init; }
    public string? ViewerCertificateArn { get; init; }

    /// <summary>Who the alarm and security topics notify. Never empty in production (synthesis fails).</summary>
    public IReadOnlyList<AlarmSubscription> AlarmSubscriptions { get; init; } = [];

    public bool HasViewerDomain => !string.IsNullOrWhiteSpace(ViewerDomainName) && !string.IsNullOrWhiteSpace(ViewerCertificateArn);

    public required string EntraTenantId { get; init; }
    public required string EntraClientId { get; init; }
    public required string PortalImageTag { get; init; }
    public required string ApiImageTag { get; init; }
    public required ServiceSizing Portal { get; init; }
    public required ServiceSizing Api { get; init; }
    public required string AuroraEngineVersion { get; init; }
    public required string AuroraInstanceClass { get; init; }
    public required string RedisEngineVersion { get; init; }
    public required string RedisNodeType { get; init; }
    public int BackupRetentionDays { get; init; } = 7;
    public int LogRetentionDays { get; init; } = 30;
    public int AuditLogRetentionDays { get; init; } = 3653;
    public int AuditObjectLockDays { get; init; } = 365;

    /// <summary>
    /// Where the portal writes its audit anchors (<c>Audit:AnchorSink</c>): <c>S3</c> (the Object Lock bucket, COMPLIANCE
    /// retention of <see cref="AuditObjectLockDays"/>: nobody, root included, deletes an anchor sooner) or
    /// <c>CloudWatchLogs</c> (the anchor log group: cannot be edited, but an administrator can delete the group).
    /// Infra creates both, so switching is a configuration change.
    /// </summary>
    public string AuditAnchorSink { get; init; } = "S3";
}

public sealed class ServiceSizing
{
    public int Cpu { get; init; } = 512;
    public int MemoryMiB { get; init; } = 1024;
    public int DesiredCount { get; init; } = 2;
    public int MinCount { get; init; } = 2;
    public int MaxCount { get; init; } = 4;
}
