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
        AccessLogs = new Bucket(this, "AccessLogs", new BucketProps
        {
            Encryption = BucketEncryption.S3_MANAGED,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            Versioned = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "expire-access-logs",
                    Expiration = Duration.Days(Math.Max(env.Config.LogRetentionDays, 90)),
                    NoncurrentVersionExpiration = Duration.Days(30),
                },
            ],
        });

        DataLake = TieredBucket("DataLake", "data-lake", security);
        Backups = TieredBucket("Backups", "backups", security);
        Exports = TieredBucket("Exports", "exports", security);

        AuditExports = new Bucket(this, "AuditExports", new BucketProps
        {
            Encryption = BucketEncryption.KMS,
            EncryptionKey = security.StorageKey,
            BucketKeyEnabled = true,
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            EnforceSSL = true,
            Versioned = true,
            ObjectLockEnabled = true,
            ObjectLockDefaultRetention = ObjectLockRetention.Compliance(Duration.Days(env.Config.AuditObjectLockDays)),
            ServerAccessLogsBucket = AccessLogs,
            ServerAccessLogsPrefix = "audit-exports/",
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    /// <summary>
    /// Standard → Standard-IA (30 d) → Intelligent-Tiering (60 d) → Glacier Flexible Retrieval (180 d) →
    /// Deep Archive (365 d). S3 cannot move objects from Intelligent-Tiering to Standard-IA, so Standard-IA
    /// comes first in the waterfall.
    /// </summary>
    private Bucket TieredBucket(string id, string purpose, SecurityStack security) => new(this, id, new BucketProps
    {
        Encryption = BucketEncryption.KMS,
        EncryptionKey = security.StorageKey,
        BucketKeyEnabled = true,
        BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
        ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
        EnforceSSL = true,
        Versioned = true,
        ServerAccessLogsBucket = AccessLogs,
        ServerAccessLogsPrefix = $"{purpose}/",
        RemovalPolicy = RemovalPolicy.RETAIN,
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
    });
}
