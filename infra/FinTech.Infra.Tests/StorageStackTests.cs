using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class StorageStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Storage);

    [Fact]
    public void Every_bucket_blocks_public_access_and_is_versioned()
    {
        Template.ResourceCountIs("AWS::S3::Bucket", 7);
        Template.ResourcePropertiesCountIs("AWS::S3::Bucket", Like.Object(
            ("PublicAccessBlockConfiguration", Like.Object(
                ("BlockPublicAcls", true), ("BlockPublicPolicy", true), ("IgnorePublicAcls", true), ("RestrictPublicBuckets", true))),
            ("VersioningConfiguration", Like.Object(("Status", "Enabled")))), 7);
    }

    [Fact]
    public void Data_buckets_use_SSE_KMS_and_log_their_accesses()
    {
        Template.ResourcePropertiesCountIs("AWS::S3::Bucket", Like.Object(
            ("BucketEncryption", Like.Object(("ServerSideEncryptionConfiguration", Like.ArrayWith(Like.Object(
                ("ServerSideEncryptionByDefault", Like.Object(("SSEAlgorithm", "aws:kms"), ("KMSMasterKeyID", Match.AnyValue())))))))),
            ("LoggingConfiguration", Like.Object(("DestinationBucketName", Match.AnyValue())))), 5);
    }

    [Fact]
    public void Every_bucket_policy_denies_requests_without_TLS()
    {
        Template.ResourcePropertiesCountIs("AWS::S3::BucketPolicy", Like.Object(("PolicyDocument", Like.Object(("Statement", Like.ArrayWith(
            Like.Object(("Effect", "Deny"), ("Action", "s3:*"), ("Condition", Like.Object(("Bool", Like.Object(("aws:SecureTransport", "false"))))))))))), 7);
    }

    [Theory]
    [InlineData("Storage")]
    [InlineData("LogArchive")]
    public void Every_bucket_policy_denies_principals_outside_the_organization(string stack)
    {
        var json = platform.TemplateJson(stack == "Storage" ? platform.Env("prod").Storage : platform.Stacks.LogArchive);

        var buckets = TemplateJson.Resources(json, "AWS::S3::Bucket").Select(b => b.Id).ToList();
        var fenced = TemplateJson.Resources(json, "AWS::S3::BucketPolicy")
            .Where(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray().Any(s =>
                s!["Effect"]!.GetValue<string>() == "Deny"
                && s["Condition"]?["StringNotEqualsIfExists"]?["aws:PrincipalOrgID"]?.GetValue<string>() == "o-exampleorg1"
                && s["Condition"]?["BoolIfExists"]?["aws:PrincipalIsAWSService"]?.GetValue<string>() == "false"))
            .Select(p => p.Properties["Bucket"]!["Ref"]!.GetValue<string>())
            .ToList();

        Assert.NotEmpty(buckets);
        Assert.Equal(buckets.Order(), fenced.Order());
    }

    [Fact]
    public void CloudFront_logs_to_a_bucket_that_keeps_ACLs_and_the_ALB_to_the_access_log_bucket()
    {
        Template.HasResourceProperties("AWS::S3::Bucket", Like.Object(
            ("OwnershipControls", Like.Object(("Rules", new object[] { Like.Object(("ObjectOwnership", "BucketOwnerPreferred")) }))),
            ("LoggingConfiguration", Like.Object(("LogFilePrefix", "edgelogs/")))));
        var json = platform.TemplateJson(platform.Env("prod").Storage);
        var albDelivery = TemplateJson.Resources(json, "AWS::S3::BucketPolicy")
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray())
            .Where(statement => statement!["Effect"]!.GetValue<string>() == "Allow" && statement["Resource"]!.ToJsonString().Contains("/alb/AWSLogs/333333333333/", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(albDelivery, statement => TemplateJson.Strings(statement!["Action"]).Contains("s3:PutObject"));
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

    [Theory]
    [InlineData("dev", "111111111111", 365)]
    [InlineData("prod", "333333333333", 2557)]
    public void The_audit_anchor_bucket_is_locked_in_compliance_mode_KMS_encrypted_versioned_and_access_logged(string env, string account, int days)
    {
        var anchors = AnchorBucket(env, account);

        Assert.True(anchors["ObjectLockEnabled"]!.GetValue<bool>());
        Assert.Equal("Enabled", anchors["ObjectLockConfiguration"]!["ObjectLockEnabled"]!.GetValue<string>());
        var retention = anchors["ObjectLockConfiguration"]!["Rule"]!["DefaultRetention"]!;
        Assert.Equal(("COMPLIANCE", days), (retention["Mode"]!.GetValue<string>(), retention["Days"]!.GetValue<int>()));
        var encryption = anchors["BucketEncryption"]!["ServerSideEncryptionConfiguration"]![0]!;
        Assert.Equal("aws:kms", encryption["ServerSideEncryptionByDefault"]!["SSEAlgorithm"]!.GetValue<string>());
        Assert.Contains("StorageKey", encryption["ServerSideEncryptionByDefault"]!["KMSMasterKeyID"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.True(encryption["BucketKeyEnabled"]!.GetValue<bool>());
        Assert.Equal("Enabled", anchors["VersioningConfiguration"]!["Status"]!.GetValue<string>());
        Assert.Equal("audit-anchors/", anchors["LoggingConfiguration"]!["LogFilePrefix"]!.GetValue<string>());
        Assert.True(anchors["PublicAccessBlockConfiguration"]!["BlockPublicPolicy"]!.GetValue<bool>());
    }

    [Fact]
    public void Only_the_portal_task_role_writes_anchors_over_TLS_from_inside_the_organization_and_nobody_deletes_one()
    {
        var statements = AnchorBucketPolicy("prod", "333333333333");

        Assert.Contains(statements, s => s["Effect"]!.GetValue<string>() == "Deny"
            && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.GetValue<string>() == "false");
        Assert.Contains(statements, s => s["Sid"]?.GetValue<string>() == "DenyOutsideTheOrganization"
            && TemplateJson.Strings(s["Action"]).SequenceEqual(["s3:*"]));
        var writers = Assert.Single(statements, s => s["Sid"]?.GetValue<string>() == "OnlyThePortalWritesAnchors");
        Assert.Equal("Deny", writers["Effect"]!.GetValue<string>());
        Assert.Equal(["s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention"], TemplateJson.Strings(writers["Action"]).Order(StringComparer.Ordinal));
        Assert.Equal("arn:aws:iam::333333333333:role/fintech-prod-portal-task", writers["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]!.GetValue<string>());
        var deletes = Assert.Single(statements, s => s["Sid"]?.GetValue<string>() == "NobodyDeletesAnchors");
        Assert.Equal("Deny", deletes["Effect"]!.GetValue<string>());
        Assert.Null(deletes["Condition"]);
        Assert.Equal(["s3:BypassGovernanceRetention", "s3:DeleteObject", "s3:DeleteObjectVersion"], TemplateJson.Strings(deletes["Action"]).Order(StringComparer.Ordinal));
    }

    private JsonNode AnchorBucket(string env, string account) =>
        TemplateJson.Resources(platform.TemplateJson(platform.Env(env).Storage), "AWS::S3::Bucket")
            .Single(b => b.Properties["BucketName"]?.GetValue<string>() == $"fintech-{env}-audit-anchors-{account}").Properties;

    private List<JsonNode> AnchorBucketPolicy(string env, string account)
    {
        var json = platform.TemplateJson(platform.Env(env).Storage);
        var bucketId = TemplateJson.Resources(json, "AWS::S3::Bucket")
            .Single(b => b.Properties["BucketName"]?.GetValue<string>() == $"fintech-{env}-audit-anchors-{account}").Id;
        return [.. TemplateJson.Resources(json, "AWS::S3::BucketPolicy")
            .Single(p => p.Properties["Bucket"]?["Ref"]?.GetValue<string>() == bucketId)
            .Properties["PolicyDocument"]!["Statement"]!.AsArray().OfType<JsonNode>()];
    }
}
