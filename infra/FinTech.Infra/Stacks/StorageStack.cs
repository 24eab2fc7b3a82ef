using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// S3: every bucket blocks public access, requires TLS, is versioned, logs its accesses to the access-log bucket and
/// denies principals outside the organization (<c>aws:PrincipalOrgID</c>). Data-lake, backups and exports tier down
/// over time; the audit-export bucket holds the portal's audit exports and the audit-anchor bucket its anchors, both under
/// Object Lock in compliance mode; the ALB
/// writes its access logs to the access-log bucket and CloudFront to the edge-log bucket.
/// </summary>
public sealed class StorageStack : Stack
{
    public Bucket AccessLogs { get; }
    public Bucket DataLake { get; }
    public Bucket Backups { get; }
    public Bucket Exports { get; }
    public Bucket AuditExports { get; }

    /// <summary>
    /// The portal's audit anchors (<c>Audit:AnchorSink=S3</c>): the integrity root of the audit trail, so a bucket of
    /// its own rather than the exports' — a fixed name IAM can scope the portal's writes to, COMPLIANCE Object Lock by
    /// default (an anchor written without retention headers is locked all the same), and nobody but the portal writes it.
    /// </summary>
    public Bucket AuditAnchors { get; }

    /// <summary>CloudFront's standard logs. CloudFront writes them with an ACL, so this bucket keeps ACLs enabled.</summary>
    public Bucket EdgeLogs { get; }

    public StorageStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
        : base(scope, id, props)
    {
        var logDays = Math.Max(env.Config.LogRetentionDays, 90);
        AccessLogs = LogBucket(this, "AccessLogs", logDays, ObjectOwnership.BUCKET_OWNER_ENFORCED);
        EdgeLogs = LogBucket(this, "EdgeLogs", logDays, ObjectOwnership.BUCKET_OWNER_PREFERRED, AccessLogs);

        DataLake = TieredBucket("DataLake", "data-lake", security);
        Backups = TieredBucket("Backups", "backups", security);
        Exports = TieredBucket("Exports", "exports", security);

        var auditExports = SecureBucket.Props(security.StorageKey, AccessLogs, "audit-exports/");
        auditExports.ObjectLockEnabled = true;
        auditExports.ObjectLockDefaultRetention = ObjectLockRetention.Compliance(Duration.Days(env.Config.AuditObjectLockDays));
        AuditExports = new Bucket(this, "AuditExports", auditExports);

        var auditAnchors = SecureBucket.Props(security.StorageKey, AccessLogs, "audit-anchors/");
        auditAnchors.BucketName = env.Names.AuditAnchorBucket(env.Config.Account);
        auditAnchors.ObjectLockEnabled = true;
        auditAnchors.ObjectLockDefaultRetention = ObjectLockRetention.Compliance(Duration.Days(env.Config.AuditObjectLockDays));
        AuditAnchors = new Bucket(this, "AuditAnchors", auditAnchors);
        AnchorsWrittenOnlyByThePortal(AuditAnchors, Partition, env);

        // Log buckets receive writes from AWS's log delivery (S3, ELB, CloudFront), which is not in the organization:
        // their perimeter covers reading, deleting and reconfiguring. Data buckets deny everything from outside.
        foreach (var bucket in new[] { AccessLogs, EdgeLogs })
        {
            OrganizationPerimeter(bucket, env.Organization.OrganizationId, ["s3:GetObject*", "s3:ListBucket*", "s3:DeleteObject*", "s3:PutBucket*", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]);
        }

        foreach (var bucket in new[] { DataLake, Backups, Exports, AuditExports, AuditAnchors })
        {
            OrganizationPerimeter(bucket, env.Organization.OrganizationId, ["s3:*"]);
        }
    }

    /// <summary>
    /// A bucket for logs that AWS services deliver. S3 server access logging and ALB access logs deliver only to
    /// SSE-S3 buckets, so log buckets use S3-managed keys; CloudFront's standard logs need ACLs
    /// (<see cref="ObjectOwnership.BUCKET_OWNER_PREFERRED"/>).
    /// </summary>
    public static Bucket LogBucket(Construct scope, string id, int expirationDays, ObjectOwnership ownership, IBucket? accessLogs = null)
    {
        var props = SecureBucket.Props(key: null, accessLogs, $"{id.ToLowerInvariant()}/", ownership);
        props.LifecycleRules =
        [
            new LifecycleRule
            {
                Id = "expire-logs",
                Expiration = Duration.Days(expirationDays),
                NoncurrentVersionExpiration = Duration.Days(30),
            },
        ];
        return new Bucket(scope, id, props);
    }

    /// <summary>
    /// Only the portal's task role writes anchors, and nobody deletes one: Object Lock keeps every version, but a
    /// DeleteObject without a version id would still hide an anchor behind a delete marker, from the verifier too.
    /// </summary>
    private static void AnchorsWrittenOnlyByThePortal(Bucket bucket, string partition, EnvironmentContext env)
    {
        bucket.AddToResourcePolicy(new Amazon.CDK.AWS.IAM.PolicyStatement(new Amazon.CDK.AWS.IAM.PolicyStatementProps
        {
            Sid = "OnlyThePortalWritesAnchors",
            Effect = Amazon.CDK.AWS.IAM.Effect.DENY,
            Principals = [new Amazon.CDK.AWS.IAM.AnyPrincipal()],
            Actions = ["s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold"],
            Resources = [bucket.ArnForObjects("*")],
            Conditions = new Dictionary<string, object>
            {
                ["ArnNotEquals"] = new Dictionary<string, object>
                {
                    ["aws:PrincipalArn"] = $"arn:{partition}:iam::{env.Config.Account}:role/{env.Names.TaskRole("portal")}",
                },
            },
        }));
        bucket.AddToResourcePolicy(new Amazon.CDK.AWS.IAM.PolicyStatement(new Amazon.CDK.AWS.IAM.PolicyStatementProps
        {
            Sid = "NobodyDeletesAnchors",
            Effect = Amazon.CDK.AWS.IAM.Effect.DENY,
            Principals = [new Amazon.CDK.AWS.IAM.AnyPrincipal()],
            Actions = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"],
            Resources = [bucket.ArnForObjects("*")],
        }));
    }

    /// <summary>
    /// Denies <paramref name="actions"/> to every principal outside the organization. AWS services acting for
    /// themselves (log delivery, replication) carry no organization id and are let through by the second condition.
    /// </summary>
    public static void OrganizationPerimeter(IBucket bucket, string organizationId, string[] actions) =>
        bucket.AddToResourcePolicy(new Amazon.CDK.AWS.IAM.PolicyStatement(new Amazon.CDK.AWS.IAM.PolicyStatementProps
        {
            Sid = "DenyOutsideTheOrganization",
            Effect = Amazon.CDK.AWS.IAM.Effect.DENY,
            Principals = [new Amazon.CDK.AWS.IAM.AnyPrincipal()],
            Actions = actions,
            Resources = [bucket.BucketArn, bucket.ArnForObjects("*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringNotEqualsIfExists"] = new Dictionary<string, object> { ["aws:PrincipalOrgID"] = organizationId },
                ["BoolIfExists"] = new Dictionary<string, object> { ["aws:PrincipalIsAWSService"] = "false" },
            },
        }));

    /// <summary>
    /// Standard → Standard-IA (30 d) → Intelligent-Tiering (60 d) → Glacier Flexible Retrieval (180 d) →
    /// Deep Archive (365 d). S3 cannot move objects from Intelligent-Tiering to Standard-IA, so Standard-IA
    /// comes first in the waterfall.
    /// </summary>
    private Bucket TieredBucket(string id, string purpose, SecurityStack security)
    {
        var props = SecureBucket.Props(security.StorageKey, AccessLogs, $"{purpose}/");
        props.LifecycleRules =
        [
            new LifecycleRule
            {
                Id = $"{purpose}-tiering",
                AbortIncompleteMultipartUploadAfter = Duration.Days(7),
                Transitions =
                [
                    new Transition { StorageClass = StorageClass.INFREQUENT_ACCESS, TransitionAfter = Duration.Days(30) },
                    new Transition { StorageClass = StorageClass.INTELLIGENT_TIERING, TransitionAfter = Duration.Days(60) },
                    new Transition { StorageClass = StorageClass.GLACIER, TransitionAfter = Duration.Days(180) },
                    new Transition { StorageClass = StorageClass.DEEP_ARCHIVE, TransitionAfter = Duration.Days(365) },
                ],
                NoncurrentVersionTransitions =
                [
                    new NoncurrentVersionTransition { StorageClass = StorageClass.GLACIER, TransitionAfter = Duration.Days(30) },
                ],
                NoncurrentVersionExpiration = Duration.Days(365),
            },
        ];
        return new Bucket(this, id, props);
    }
}
