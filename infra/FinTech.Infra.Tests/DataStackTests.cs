using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class DataStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Data);

    private object DataKeyArn => Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("FinTech-prod-Security:.*DataKey")));

    [Fact]
    public void Aurora_storage_is_encrypted_with_a_customer_managed_key()
    {
        Template.HasResourceProperties("AWS::RDS::DBCluster", Like.Object(("StorageEncrypted", true), ("KmsKeyId", DataKeyArn)));
    }

    [Fact]
    public void Aurora_uses_IAM_auth_deletion_protection_backups_and_a_managed_master_secret()
    {
        Template.HasResourceProperties("AWS::RDS::DBCluster", Like.Object(
            ("DBClusterIdentifier", "fintech-prod-aurora"),
            ("Engine", "aurora-postgresql"),
            ("EnableIAMDatabaseAuthentication", true),
            ("DeletionProtection", true),
            ("BackupRetentionPeriod", 35),
            ("ManageMasterUserPassword", true),
            ("MasterUserSecret", Like.Object(("KmsKeyId", Match.AnyValue()))),
            ("MasterUserPassword", Match.Absent())));
    }

    [Fact]
    public void Aurora_exports_PostgreSQL_logs_to_an_encrypted_log_group_with_retention()
    {
        Template.HasResourceProperties("AWS::RDS::DBCluster", Like.Object(("EnableCloudwatchLogsExports", new[] { "postgresql" })));
        Template.HasResourceProperties("AWS::Logs::LogGroup", Like.Object(
            ("LogGroupName", "/aws/rds/cluster/fintech-prod-aurora/postgresql"),
            ("RetentionInDays", 365),
            ("KmsKeyId", Match.AnyValue())));
    }

    [Fact]
    public void Aurora_requires_TLS_and_lives_in_the_data_subnets()
    {
        Template.HasResourceProperties("AWS::RDS::DBClusterParameterGroup", Like.Object(
            ("Family", "aurora-postgresql16"),
            ("Parameters", Like.Object(("rds.force_ssl", "1")))));
        var json = platform.TemplateJson(platform.Env("prod").Data);
        var subnetGroup = Assert.Single(TemplateJson.Resources(json, "AWS::RDS::DBSubnetGroup")).Properties;
        Assert.All(subnetGroup["SubnetIds"]!.AsArray(), id => Assert.Contains("dataSubnet", id!.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void The_Aurora_writer_and_reader_sit_in_different_availability_zones_without_public_access()
    {
        var json = platform.TemplateJson(platform.Env("prod").Data);

        var instances = TemplateJson.Resources(json, "AWS::RDS::DBInstance").Select(i => i.Properties).ToList();

        Assert.Equal(2, instances.Count);
        Assert.Equal(["eu-west-1a", "eu-west-1b"], instances.Select(i => i["AvailabilityZone"]!.GetValue<string>()).Order());
        Assert.All(instances, i => Assert.False(i["PubliclyAccessible"]!.GetValue<bool>()));
        Assert.Equal(["fintech-prod-aurora-1", "fintech-prod-aurora-2"], instances.Select(i => i["DBInstanceIdentifier"]!.GetValue<string>()).Order());
    }

    [Fact]
    public void Redis_is_multi_AZ_with_automatic_failover_and_encryption_in_transit_and_at_rest()
    {
        Template.HasResourceProperties("AWS::ElastiCache::ReplicationGroup", Like.Object(
            ("ReplicationGroupId", "fintech-prod-redis"),
            ("NumCacheClusters", 2),
            ("MultiAZEnabled", true),
            ("AutomaticFailoverEnabled", true),
            ("TransitEncryptionEnabled", true),
            ("AtRestEncryptionEnabled", true),
            ("KmsKeyId", DataKeyArn),
            ("PreferredCacheClusterAZs", new[] { "eu-west-1a", "eu-west-1b" })));
    }

    [Fact]
    public void The_Redis_auth_token_comes_from_Secrets_Manager()
    {
        var json = platform.TemplateJson(platform.Env("prod").Data);

        var group = Assert.Single(TemplateJson.Resources(json, "AWS::ElastiCache::ReplicationGroup")).Properties;

        var token = group["AuthToken"]!.ToJsonString();
        Assert.Contains("{{resolve:secretsmanager:", token, StringComparison.Ordinal);
        Assert.Contains("RedisAuthToken", token, StringComparison.Ordinal);
    }

    [Fact]
    public void The_session_table_is_on_demand_with_PITR_KMS_and_TTL()
    {
        Template.HasResourceProperties("AWS::DynamoDB::Table", Like.Object(
            ("TableName", "fintech-prod-sessions"),
            ("BillingMode", "PAY_PER_REQUEST"),
            ("PointInTimeRecoverySpecification", Like.Object(("PointInTimeRecoveryEnabled", true))),
            ("SSESpecification", Like.Object(("SSEEnabled", true), ("SSEType", "KMS"), ("KMSMasterKeyId", DataKeyArn))),
            ("TimeToLiveSpecification", Like.Object(("AttributeName", "expiresAt"), ("Enabled", true))),
            ("DeletionProtectionEnabled", true)));
    }
}
