using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

/// <summary>The detection layer (PCI DSS 10, 11.5): organization trail, GuardDuty, Config, Security Hub, suspicious-activity rules.</summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class DetectionTests(SynthesizedPlatform platform)
{
    private Template LogArchive => platform.Template(platform.Stacks.LogArchive);

    [Fact]
    public void The_organization_trail_records_every_account_and_region_with_validation_and_KMS_into_the_security_account()
    {
        platform.Template(platform.Stacks.Organization).HasResourceProperties("AWS::CloudTrail::Trail", Like.Object(
            ("TrailName", "fintech-organization"),
            ("IsLogging", true),
            ("IsOrganizationTrail", true),
            ("IsMultiRegionTrail", true),
            ("IncludeGlobalServiceEvents", true),
            ("EnableLogFileValidation", true),
            ("S3BucketName", "fintech-cloudtrail-444444444444"),
            ("KMSKeyId", "arn:aws:kms:us-east-1:444444444444:alias/fintech/org/cloudtrail")));
        Assert.Equal("444444444444", platform.Stacks.LogArchive.Account);
    }

    [Fact]
    public void The_trail_bucket_locks_log_files_in_compliance_mode_and_encrypts_them_with_the_trail_key()
    {
        LogArchive.HasResourceProperties("AWS::S3::Bucket", Like.Object(
            ("BucketName", "fintech-cloudtrail-444444444444"),
            ("ObjectLockEnabled", true),
            ("ObjectLockConfiguration", Like.Object(("ObjectLockEnabled", "Enabled"), ("Rule", Like.Object(("DefaultRetention",
                Like.Object(("Mode", "COMPLIANCE"), ("Days", 365))))))),
            ("BucketEncryption", Like.Object(("ServerSideEncryptionConfiguration", Like.ArrayWith(Like.Object(
                ("ServerSideEncryptionByDefault", Like.Object(("SSEAlgorithm", "aws:kms"))))))))));
        LogArchive.HasResourceProperties("AWS::S3::BucketPolicy", Like.Object(("PolicyDocument", Like.Object(("Statement", Like.ArrayWith(
            Like.Object(
                ("Sid", "CloudTrailWritesTheOrganizationTrail"),
                ("Principal", Like.Object(("Service", "cloudtrail.amazonaws.com"))),
                ("Condition", Like.Object(("StringEquals", Like.Object(
                    ("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:100000000000:trail/fintech-organization"))))))))))));
    }

    [Fact]
    public void Only_the_organization_trail_may_encrypt_with_the_trail_key_and_the_key_rotates()
    {
        LogArchive.HasResourceProperties("AWS::KMS::Key", Like.Object(
            ("EnableKeyRotation", true),
            ("KeyPolicy", Like.Object(("Statement", Like.ArrayWith(Like.Object(
                ("Action", "kms:GenerateDataKey*"),
                ("Principal", Like.Object(("Service", "cloudtrail.amazonaws.com"))),
                ("Condition", Like.Object(
                    ("StringEquals", Like.Object(("aws:SourceArn", "arn:aws:cloudtrail:us-east-1:100000000000:trail/fintech-organization"))),
                    ("StringLike", Like.Object(("kms:EncryptionContext:aws:cloudtrail:arn", "arn:aws:cloudtrail:*:100000000000:trail/*"))))))))))));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    [InlineData("security")]
    public void Every_account_runs_GuardDuty_a_Config_recorder_and_Security_Hub_with_PCI_DSS(string account)
    {
        var template = account == "security" ? LogArchive : platform.Template(platform.Env(account).Detection);
        var region = account == "security" ? "us-east-1" : "eu-west-1";

        template.HasResourceProperties("AWS::GuardDuty::Detector", Like.Object(
            ("Enable", true),
            ("Features", Like.ArrayWith(Like.Object(("Name", "RUNTIME_MONITORING"), ("Status", "ENABLED"))))));
        template.HasResourceProperties("AWS::Config::ConfigurationRecorder", Like.Object(
            ("RecordingGroup", Like.Object(("AllSupported", true), ("IncludeGlobalResourceTypes", true)))));
        template.HasResourceProperties("AWS::Config::DeliveryChannel", Like.Object(("S3BucketName", "fintech-config-444444444444")));
        template.HasResourceProperties("AWS::SecurityHub::Hub", Like.Object(("EnableDefaultStandards", false)));
        template.HasResourceProperties("AWS::SecurityHub::Standard", Like.Object(
            ("StandardsArn", $"arn:aws:securityhub:{region}::standards/pci-dss/v/4.0.1")));
    }

    [Fact]
    public void The_security_account_is_Security_Hub_s_delegated_administrator()
    {
        platform.Template(platform.Stacks.Organization).HasResourceProperties("AWS::SecurityHub::DelegatedAdmin",
            Like.Object(("AdminAccountId", "444444444444")));
    }

    [Fact]
    public void Config_delivers_from_every_account_of_the_organization_only()
    {
        LogArchive.HasResourceProperties("AWS::S3::BucketPolicy", Like.Object(("PolicyDocument", Like.Object(("Statement", Like.ArrayWith(
            Like.Object(
                ("Action", "s3:PutObject"),
                ("Principal", Like.Object(("Service", "config.amazonaws.com"))),
                ("Condition", Like.Object(("StringEquals", Like.Object(("aws:SourceOrgID", "o-exampleorg1"))))))))))));
    }

    [Theory]
    [InlineData("fintech-prod-security-group-changes", "aws.ec2", "AuthorizeSecurityGroupIngress")]
    [InlineData("fintech-prod-kms-key-disabled", "aws.kms", "ScheduleKeyDeletion")]
    public void Regional_suspicious_activity_is_sent_to_the_alarm_topic(string name, string source, string eventName)
    {
        platform.Template(platform.Env("prod").Detection).HasResourceProperties("AWS::Events::Rule", Like.Object(
            ("Name", name),
            ("State", "ENABLED"),
            ("EventPattern", Like.Object(
                ("source", new[] { source }),
                ("detail-type", new[] { "AWS API Call via CloudTrail" }),
                ("detail", Like.Object(("eventName", Match.ArrayWith([eventName])))))),
            ("Targets", new object[] { Like.Object(("Arn", Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AlarmTopic"))))) })));
    }

    [Fact]
    public void A_task_definition_with_an_image_outside_the_account_s_ECR_is_reported()
    {
        platform.Template(platform.Env("prod").Detection).HasResourceProperties("AWS::Events::Rule", Like.Object(
            ("Name", "fintech-prod-foreign-task-image"),
            ("EventPattern", Like.Object(
                ("source", new[] { "aws.ecs" }),
                ("detail", Like.Object(
                    ("eventName", new[] { "RegisterTaskDefinition" }),
                    ("requestParameters", Like.Object(("containerDefinitions", Like.Object(("image", new object[]
                    {
                        Like.Object(("anything-but", Like.Object(("prefix", "333333333333.dkr.ecr.eu-west-1.amazonaws.com/")))),
                    })))))))))));
    }

    [Fact]
    public void Root_activity_and_IAM_changes_are_watched_in_us_east_1_where_CloudTrail_delivers_global_events()
    {
        var global = platform.Template(platform.Env("prod").Global);

        global.HasResourceProperties("AWS::Events::Rule", Like.Object(
            ("Name", "fintech-prod-root-activity"),
            ("EventPattern", Like.Object(
                ("detail-type", Match.ArrayWith(["AWS Console Sign In via CloudTrail"])),
                ("detail", Like.Object(("userIdentity", Like.Object(("type", new[] { "Root" }))))))),
            ("Targets", new object[] { Like.Object(("Arn", Like.Object(("Ref", Match.StringLikeRegexp("SecurityTopic"))))) })));
        global.HasResourceProperties("AWS::Events::Rule", Like.Object(
            ("Name", "fintech-prod-iam-changes"),
            ("EventPattern", Like.Object(("source", new[] { "aws.iam" }), ("detail", Like.Object(("eventName", Match.ArrayWith(["CreateAccessKey"]))))))));
        global.ResourceCountIs("AWS::SNS::Subscription", 2);
    }
}
