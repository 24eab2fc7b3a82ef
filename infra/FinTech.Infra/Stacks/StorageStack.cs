using Amazon.CDK;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// S3: every bucket blocks public access, requires TLS, is versioned and logs its accesses to the access-log
/// bucket. Data-lake, backups and exports tier down over time; the audit-export bucket holds the portal's
/// audit exports under Object Lock in compliance mode.
/// </summary>
public sealed class StorageStack : Stack
{
    public Bucket AccessLogs { get; }
    public Bucket DataLake { get; }
    public Bucket Backups { get; }
    public Bucket Exports { get; }
    public Bucket AuditExports { get; }

    public StorageStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
        : base(scope, id, props)
    {
        // S3 server access logging delivers only to SSE-S3 buckets, so this one bucket uses S3-managed keys.
        AccessLogs = new Bucket(this, "AccessLogs", Secured(new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "expire-access-logs",
                    Expiration = Duration.Days(Math.Max(env.Config.LogRetentionDays, 90)),
                    NoncurrentVersionExpiration = Duration.Days(30),
                },
            ],
        }));

        DataLake = TieredBucket("DataLake", "data-lake", security);
        Backups = TieredBucket("Backups", "backups", security);
        Exports = TieredBucket("Exports", "exports", security);

        AuditExports = new Bucket(this, "AuditExports", Secured(new BucketProps
        {
            ObjectLockEnabled = true,
            ObjectLockDefaultRetention = ObjectLockRetention.Compliance(Duration.Days(env.Config.AuditObjectLockDays)),
        }, "audit-exports", security));
    }

    /// <summary>
    /// The security settings every bucket shares, defined once: public access blocked, bucket-owner
    /// objects, TLS only, versioned, retained when the stack goes.
    /// </summary>
    private static BucketProps Secured(BucketProps props)
    {
        props.BlockPublicAccess = BlockPublicAccess.BLOCK_ALL;
        props.ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED;
        props.EnforceSSL = true;
        props.Versioned = true;
        props.RemovalPolicy = RemovalPolicy.RETAIN;
        return props;
    }

    /// <summary>A data bucket: the shared settings, encrypted with the storage key, its accesses logged under its purpose.</summary>
    private BucketProps Secured(BucketProps props, string purpose, SecurityStack security)
    {
        props.Encryption = BucketEncryption.KMS;
        props.EncryptionKey = security.StorageKey;
        props.BucketKeyEnabled = true;
        props.ServerAccessLogsBucket = AccessLogs;
        props.ServerAccessLogsPrefix = $"{purpose}/";
        return Secured(props);
    }

    /// <summary>
    /// Standard → Standard-IA (30 d) → Intelligent-Tiering (60 d) → Glacier Flexible Retrieval (180 d) →
    /// Deep Archive (365 d). S3 cannot move objects from Intelligent-Tiering to Standard-IA, so Standard-IA
    /// comes first in the waterfall.
    /// </summary>
    private Bucket TieredBucket(string id, string purpose, SecurityStack security) => new(this, id, Secured(new BucketProps
    {
        LifecycleRules =
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
        ],
    }, purpose, security));
}
