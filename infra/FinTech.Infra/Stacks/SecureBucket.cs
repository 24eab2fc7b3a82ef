using Amazon.CDK;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.S3;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The one definition of what every bucket of the platform is: public access blocked, TLS required,
/// versioned, retained when its stack goes, ACLs off unless a log delivery needs them, encrypted
/// (with <paramref name="key"/> and an S3 bucket key, or with S3-managed keys where AWS log delivery
/// requires them) and, except the access-log bucket itself, logging its accesses. Callers add only
/// what is theirs: lifecycle, Object Lock, a fixed name.
/// </summary>
public static class SecureBucket
{
    public static BucketProps Props(IKey? key, IBucket? accessLogs, string? accessLogsPrefix, ObjectOwnership? ownership = null) => new()
    {
        Encryption = key is null ? BucketEncryption.S3_MANAGED : BucketEncryption.KMS,
        EncryptionKey = key,
        BucketKeyEnabled = key is null ? null : true,
        BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
        ObjectOwnership = ownership ?? ObjectOwnership.BUCKET_OWNER_ENFORCED,
        EnforceSSL = true,
        Versioned = true,
        ServerAccessLogsBucket = accessLogs,
        ServerAccessLogsPrefix = accessLogs is null ? null : accessLogsPrefix,
        RemovalPolicy = RemovalPolicy.RETAIN,
    };
}
