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

    /// <summary>0 keeps the public subnets for the ALB only; outbound internet (Entra ID) then goes through the
    /// organization's central egress. More than 0 places NAT gateways in the public subnets.</summary>
    public int NatGateways { get; init; }

    /// <summary>The DNS name CloudFront uses for the ALB (a record pointing at the ALB, covered by the ALB certificate).</summary>
    public required string OriginDomainName { get; init; }
    public required string AlbCertificateArn { get; init; }

    /// <summary>The region's <c>com.amazonaws.global.cloudfront.origin-facing</c> managed prefix list.</summary>
    public required string CloudFrontPrefixListId { get; init; }

    /// <summary>Optional WAF web ACL (scope CLOUDFRONT, created in us-east-1). Empty: Shield Standard only.</summary>
    public string? WebAclArn { get; init; }

    /// <summary>Optional viewer domain (e.g. portal.example.com) and its ACM certificate in us-east-1. Without them
    /// the distribution serves its *.cloudfront.net name with CloudFront's certificate.</summary>
    public string? ViewerDomainName { get; init; }
    public string? ViewerCertificateArn { get; init; }

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
}

public sealed class ServiceSizing
{
    public int Cpu { get; init; } = 512;
    public int MemoryMiB { get; init; } = 1024;
    public int DesiredCount { get; init; } = 2;
    public int MinCount { get; init; } = 2;
    public int MaxCount { get; init; } = 4;
}
