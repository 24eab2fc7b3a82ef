using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class StorageStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Storage);

    [Fact]
    public void Every_bucket_blocks_public_access_and_is_versioned()
    {
        Template.ResourceCountIs("AWS::S3::Bucket", 5);
        Template.ResourcePropertiesCountIs("AWS::S3::Bucket", Like.Object(
            ("PublicAccessBlockConfiguration", Like.Object(
                ("BlockPublicAcls", true), ("BlockPublicPolicy", true), ("IgnorePublicAcls", true), ("RestrictPublicBuckets", true))),
            ("VersioningConfiguration", Like.Object(("Status", "Enabled")))), 5);
    }

    [Fact]
    public void Data_buckets_use_SSE_KMS_and_log_their_accesses()
    {
        Template.ResourcePropertiesCountIs("AWS::S3::Bucket", Like.Object(
            ("BucketEncryption", Like.Object(("ServerSideEncryptionConfiguration", Like.ArrayWith(Like.Object(
                ("ServerSideEncryptionByDefault", Like.Object(("SSEAlgorithm", "aws:kms"), ("KMSMasterKeyID", Match.AnyValue())))))))),
            ("LoggingConfiguration", Like.Object(("DestinationBucketName", Match.AnyValue())))), 4);
    }

    [Fact]
    public void Every_bucket_policy_denies_requests_without_TLS()
    {
        Template.ResourcePropertiesCountIs("AWS::S3::BucketPolicy", Like.Object(("PolicyDocument", Like.Object(("Statement", Like.ArrayWith(
            Like.Object(("Effect", "Deny"), ("Action", "s3:*"), ("Condition", Like.Object(("Bool", Like.Object(("aws:SecureTransport", "false"))))))))))), 5);
    }

    [Fact]
    public void Data_lake_backups_and_exports_tier_down_to_Deep_Archive()
    {
        Template.ResourcePropertiesCountIs("AWS::S3::Bucket", Like.Object(
            ("LifecycleConfiguration", Like.Object(("Rules", Like.ArrayWith(Like.Object(
                ("Status", "Enabled"),
                ("Transitions", new object[]
                {
                    Like.Object(("StorageClass", "STANDARD_IA"), ("TransitionInDays", 30)),
                    Like.Object(("StorageClass", "INTELLIGENT_TIERING"), ("TransitionInDays", 60)),
                    Like.Object(("StorageClass", "GLACIER"), ("TransitionInDays", 180)),
                    Like.Object(("StorageClass", "DEEP_ARCHIVE"), ("TransitionInDays", 365)),
                }))))))), 3);
    }

    [Theory]
    [InlineData("dev", 365)]
    [InlineData("prod", 2557)]
    public void The_audit_export_bucket_uses_Object_Lock_in_compliance_mode_for_the_configured_days(string env, int days)
    {
        platform.Template(platform.Env(env).Storage).HasResourceProperties("AWS::S3::Bucket", Like.Object(
            ("ObjectLockEnabled", true),
            ("ObjectLockConfiguration", Like.Object(
                ("ObjectLockEnabled", "Enabled"),
                ("Rule", Like.Object(("DefaultRetention", Like.Object(("Mode", "COMPLIANCE"), ("Days", days)))))))));
    }
}
