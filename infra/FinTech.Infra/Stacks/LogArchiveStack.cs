using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The Security OU's log-archive account: where the organization trail delivers (an Object Lock bucket in compliance
/// mode, encrypted with a key of this account, PCI DSS 10.3), where every account's AWS Config delivers, and the
/// account's own <see cref="DetectionBaseline"/>. Names are fixed because other accounts name them.
/// </summary>
public sealed class LogArchiveStack : Stack
{
    public const string TrailName = "fintech-organization";
    public const string TrailKeyAlias = "alias/fintech/org/cloudtrail";

    public Key TrailKey { get; }
    public Bucket AccessLogs { get; }
    public Bucket TrailBucket { get; }
    public Bucket ConfigBucket { get; }
    public DetectionBaseline Baseline { get; }

    public static string TrailBucketName(OrganizationConfig organization) => $"fintech-cloudtrail-{organization.SecurityAccount}";
    public static string ConfigBucketName(OrganizationConfig organization) => $"fintech-config-{organization.SecurityAccount}";

    /// <summary>The trail's key by alias ARN: the management account's trail names it across accounts.</summary>
    public static string TrailKeyArn(OrganizationConfig organization) =>
        $"arn:aws:kms:{organization.Region}:{organization.SecurityAccount}:{TrailKeyAlias}";

    public static string TrailArn(OrganizationConfig organization) =>
        $"arn:aws:cloudtrail:{organization.Region}:{organization.ManagementAccount}:trail/{TrailName}";

    public LogArchiveStack(Construct scope, string id, OrganizationConfig organization, IStackProps props)
        : base(scope, id, props)
    {
        var trailArn = TrailArn(organization);
        TrailKey = new Key(this, "TrailKey", new KeyProps
        {
            Alias = TrailKeyAlias,
            Description = "FinTech: the organization trail's log files",
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        TrailKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailEncryptsTheOrganizationTrail",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["kms:GenerateDataKey*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn },
                ["StringLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:cloudtrail:arn"] = $"arn:aws:cloudtrail:*:{organization.ManagementAccount}:trail/*",
                },
            },
        }));
        TrailKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailDescribesTheKey",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["kms:DescribeKey"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn } },
        }));

        AccessLogs = StorageStack.LogBucket(this, "AccessLogs", organization.CloudTrailObjectLockDays, ObjectOwnership.BUCKET_OWNER_ENFORCED);

        var trail = SecureBucket.Props(TrailKey, AccessLogs, "cloudtrail/");
        trail.BucketName = TrailBucketName(organization);
        trail.ObjectLockEnabled = true;
        trail.ObjectLockDefaultRetention = ObjectLockRetention.Compliance(Duration.Days(organization.CloudTrailObjectLockDays));
        TrailBucket = new Bucket(this, "TrailBucket", trail);
        TrailBucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailChecksTheAcl",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["s3:GetBucketAcl"],
            Resources = [TrailBucket.BucketArn],
            Conditions = new Dictionary<string, object> { ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceArn"] = trailArn } },
        }));
        TrailBucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CloudTrailWritesTheOrganizationTrail",
            Principals = [new ServicePrincipal("cloudtrail.amazonaws.com")],
            Actions = ["s3:PutObject"],
            Resources =
            [
                TrailBucket.ArnForObjects($"AWSLogs/{organization.ManagementAccount}/*"),
                TrailBucket.ArnForObjects($"AWSLogs/{organization.OrganizationId}/*"),
            ],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["aws:SourceArn"] = trailArn,
                    ["s3:x-amz-acl"] = "bucket-owner-full-control",
                },
            },
        }));

        var config = SecureBucket.Props(key: null, AccessLogs, "config/");
        config.BucketName = ConfigBucketName(organization);
        ConfigBucket = new Bucket(this, "ConfigBucket", config);
        var fromTheOrganization = new Dictionary<string, object>
        {
            ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceOrgID"] = organization.OrganizationId },
        };
        ConfigBucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ConfigChecksTheBucket",
            Principals = [new ServicePrincipal("config.amazonaws.com")],
            Actions = ["s3:GetBucketAcl", "s3:ListBucket"],
            Resources = [ConfigBucket.BucketArn],
            Conditions = fromTheOrganization,
        }));
        ConfigBucket.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ConfigDeliversFromTheOrganization",
            Principals = [new ServicePrincipal("config.amazonaws.com")],
            Actions = ["s3:PutObject"],
            Resources = [ConfigBucket.ArnForObjects("*/AWSLogs/*/Config/*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object>
                {
                    ["aws:SourceOrgID"] = organization.OrganizationId,
                    ["s3:x-amz-acl"] = "bucket-owner-full-control",
                },
            },
        }));

        StorageStack.OrganizationPerimeter(AccessLogs, organization.OrganizationId,
            ["s3:GetObject*", "s3:ListBucket*", "s3:DeleteObject*", "s3:PutBucket*", "s3:PutLifecycleConfiguration"]);
        StorageStack.OrganizationPerimeter(TrailBucket, organization.OrganizationId, ["s3:*"]);
        StorageStack.OrganizationPerimeter(ConfigBucket, organization.OrganizationId, ["s3:*"]);

        Baseline = new DetectionBaseline(this, "Baseline", organization, "fintech-security");
    }
}
