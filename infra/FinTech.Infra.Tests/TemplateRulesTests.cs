using FinTech.Infra.Rules;

namespace FinTech.Infra.Tests;

/// <summary>The rules over every synthesized template, and for each rule a hand-written bad template it catches.</summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed class TemplateRulesTests(SynthesizedPlatform platform)
{
    private readonly TemplateRules _rules = new(platform.Actions.UnscopedActions);

    [Fact]
    public void Every_synthesized_template_passes_every_rule()
    {
        var stacks = platform.Stacks.All.ToList();

        var production = platform.Env("prod").All.ToHashSet();
        var violations = stacks.SelectMany(s => _rules.Check(s.StackName, platform.TemplateJson(s), production.Contains(s))).ToList();

        Assert.Equal(38, stacks.Count);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Theory]
    [InlineData("AWS::RDS::DBCluster", """{ "StorageEncrypted": false, "DeletionProtection": true, "BackupRetentionPeriod": 7 }""")]
    [InlineData("AWS::RDS::DBInstance", """{ "DeletionProtection": true, "BackupRetentionPeriod": 7 }""")]
    [InlineData("AWS::ElastiCache::ReplicationGroup", """{ "AtRestEncryptionEnabled": true, "TransitEncryptionEnabled": false, "SnapshotRetentionLimit": 7 }""")]
    [InlineData("AWS::ElastiCache::ReplicationGroup", """{ "TransitEncryptionEnabled": true, "SnapshotRetentionLimit": 7 }""")]
    [InlineData("AWS::DynamoDB::Table", """{ "DeletionProtectionEnabled": true, "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true } }""")]
    [InlineData("AWS::SNS::Topic", """{ "TopicName": "alarms" }""")]
    [InlineData("AWS::Logs::LogGroup", """{ "RetentionInDays": 30 }""")]
    [InlineData("AWS::ECR::Repository", """{ "RepositoryName": "portal" }""")]
    public void Unencrypted_storage_is_caught(string type, string properties)
    {
        var violations = _rules.Check("bad", Template(("Store", type, properties)));

        Assert.Contains(violations, v => v.Rule == TemplateRules.UnencryptedStorage && v.LogicalId == "Store");
    }

    [Fact]
    public void An_unencrypted_bucket_is_caught()
    {
        var violations = _rules.Check("bad", Template(
            ("Bucket", "AWS::S3::Bucket", BlockAllUnencrypted),
            ("Policy", "AWS::S3::BucketPolicy", TlsOnlyPolicy("Bucket"))));

        Assert.Contains(violations, v => v.Rule == TemplateRules.UnencryptedStorage && v.LogicalId == "Bucket");
    }

    [Theory]
    [InlineData("AWS::EC2::SecurityGroup", """{ "SecurityGroupIngress": [ { "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443 } ] }""")]
    [InlineData("AWS::EC2::SecurityGroup", """{ "SecurityGroupIngress": [ { "CidrIpv6": "::/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443 } ] }""")]
    [InlineData("AWS::EC2::SecurityGroupIngress", """{ "CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "GroupId": "sg-1" }""")]
    public void Ingress_from_anywhere_is_caught(string type, string properties)
    {
        var violations = _rules.Check("bad", Template(("Group", type, properties)));

        Assert.Contains(violations, v => v.Rule == TemplateRules.OpenIngress);
    }

    [Fact]
    public void Ingress_from_the_CloudFront_prefix_list_is_allowed()
    {
        var violations = _rules.Check("good", Template(("Group", "AWS::EC2::SecurityGroup",
            """{ "SecurityGroupIngress": [ { "SourcePrefixListId": "pl-4fa04526", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443 } ] }""")));

        Assert.DoesNotContain(violations, v => v.Rule == TemplateRules.OpenIngress);
    }

    [Theory]
    [InlineData("AWS::EC2::Subnet", """{ "MapPublicIpOnLaunch": true, "Tags": [ { "Key": "aws-cdk:subnet-type", "Value": "Private" } ] }""")]
    [InlineData("AWS::EC2::Subnet", """{ "MapPublicIpOnLaunch": true, "Tags": [ { "Key": "aws-cdk:subnet-type", "Value": "Isolated" } ] }""")]
    [InlineData("AWS::ECS::Service", """{ "NetworkConfiguration": { "AwsvpcConfiguration": { "AssignPublicIp": "ENABLED" } } }""")]
    [InlineData("AWS::RDS::DBInstance", """{ "DBClusterIdentifier": "c", "PubliclyAccessible": true }""")]
    public void Public_ips_in_private_tiers_are_caught(string type, string properties)
    {
        var violations = _rules.Check("bad", Template(("Thing", type, properties)));

        Assert.Contains(violations, v => v.Rule == TemplateRules.PublicIpInPrivateTier);
    }

    [Theory]
    [InlineData("AWS::IAM::Policy", """{ "PolicyName": "p", "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b" } ] } }""")]
    [InlineData("AWS::IAM::Role", """{ "Policies": [ { "PolicyName": "p", "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": "arn:aws:s3:::b/*" } ] } } ] }""")]
    [InlineData("AWS::KMS::Key", """{ "KeyPolicy": { "Statement": [ { "Effect": "Allow", "Principal": { "AWS": "*" }, "Action": "*", "Resource": "*" } ] } }""")]
    public void Iam_statements_allowing_every_action_are_caught(string type, string properties)
    {
        var violations = _rules.Check("bad", Template(("Policy", type, properties)));

        Assert.Contains(violations, v => v.Rule == TemplateRules.IamWildcardAction);
    }

    [Fact]
    public void A_wildcard_resource_for_an_action_that_supports_scoping_is_caught()
    {
        var violations = _rules.Check("bad", Template(("Policy", "AWS::IAM::Policy",
            """{ "PolicyName": "p", "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": ["cloudwatch:GetMetricData", "rds:FailoverDBCluster"], "Resource": "*" } ] } }""")));

        var violation = Assert.Single(violations, v => v.Rule == TemplateRules.IamWildcardResource);
        Assert.Contains("rds:FailoverDBCluster", violation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("cloudwatch:GetMetricData", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wildcard_resource_for_actions_without_resource_permissions_is_allowed()
    {
        var violations = _rules.Check("good", Template(("Policy", "AWS::IAM::Policy",
            """{ "PolicyName": "p", "PolicyDocument": { "Statement": [ { "Effect": "Allow", "Action": ["cloudwatch:GetMetricData", "ecr:GetAuthorizationToken"], "Resource": "*" } ] } }""")));

        Assert.Empty(violations);
    }

    [Fact]
    public void A_bucket_without_block_public_access_is_caught()
    {
        var violations = _rules.Check("bad", Template(
            ("Bucket", "AWS::S3::Bucket", """{ "BucketEncryption": {}, "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": false, "IgnorePublicAcls": true, "RestrictPublicBuckets": true } }"""),
            ("Policy", "AWS::S3::BucketPolicy", TlsOnlyPolicy("Bucket"))));

        Assert.Equal([TemplateRules.S3PublicAccess], violations.Select(v => v.Rule));
    }

    [Fact]
    public void A_bucket_without_a_tls_only_policy_is_caught()
    {
        var violations = _rules.Check("bad", Template(
            ("Bucket", "AWS::S3::Bucket", BlockAll),
            ("Other", "AWS::S3::Bucket", BlockAll),
            ("Policy", "AWS::S3::BucketPolicy", TlsOnlyPolicy("Other"))));

        var violation = Assert.Single(violations);
        Assert.Equal((TemplateRules.S3TlsOnly, "Bucket"), (violation.Rule, violation.LogicalId));
    }

    [Theory]
    [InlineData("AWS::RDS::DBCluster", """{ "StorageEncrypted": true, "DeletionProtection": false, "BackupRetentionPeriod": 7 }""")]
    [InlineData("AWS::RDS::DBCluster", """{ "StorageEncrypted": true, "DeletionProtection": true }""")]
    [InlineData("AWS::RDS::DBInstance", """{ "StorageEncrypted": true, "DeletionProtection": true, "BackupRetentionPeriod": 0 }""")]
    [InlineData("AWS::DynamoDB::Table", """{ "SSESpecification": { "SSEEnabled": true }, "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true } }""")]
    [InlineData("AWS::DynamoDB::Table", """{ "SSESpecification": { "SSEEnabled": true }, "DeletionProtectionEnabled": true }""")]
    public void Databases_without_deletion_protection_or_backups_are_caught(string type, string properties)
    {
        var violations = _rules.Check("bad", Template(("Db", type, properties)));

        var violation = Assert.Single(violations);
        Assert.Equal(TemplateRules.DatabaseProtection, violation.Rule);
    }

    [Fact]
    public void A_log_group_without_retention_is_caught()
    {
        var violations = _rules.Check("bad", Template(("Logs", "AWS::Logs::LogGroup", """{ "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/k" }""")));

        var violation = Assert.Single(violations);
        Assert.Equal(TemplateRules.LogRetention, violation.Rule);
    }

    [Theory]
    [InlineData("""{ "Type": "application", "Scheme": "internet-facing" }""")]
    [InlineData("""{ "Type": "application" }""")]
    public void An_internet_facing_ALB_is_caught(string properties)
    {
        var violations = _rules.Check("bad", Template(("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", properties)));

        var violation = Assert.Single(violations);
        Assert.Equal((TemplateRules.InternetFacingAlb, "Alb"), (violation.Rule, violation.LogicalId));
        Assert.Empty(_rules.Check("good", Template(("Alb", "AWS::ElasticLoadBalancingV2::LoadBalancer", """{ "Type": "application", "Scheme": "internal" }"""))));
    }

    [Fact]
    public void A_distribution_without_a_web_ACL_is_caught()
    {
        var violations = _rules.Check("bad", Template(("Cdn", "AWS::CloudFront::Distribution", """{ "DistributionConfig": { "Enabled": true } }""")));

        var violation = Assert.Single(violations);
        Assert.Equal((TemplateRules.DistributionWebAcl, "Cdn"), (violation.Rule, violation.LogicalId));
    }

    [Theory]
    [InlineData("""{ "DistributionConfig": { "WebACLId": "arn:acl" } }""")]
    [InlineData("""{ "DistributionConfig": { "WebACLId": "arn:acl", "ViewerCertificate": { "CloudFrontDefaultCertificate": true } } }""")]
    [InlineData("""{ "DistributionConfig": { "WebACLId": "arn:acl", "ViewerCertificate": { "AcmCertificateArn": "arn:cert", "MinimumProtocolVersion": "TLSv1_2016", "SslSupportMethod": "sni-only" } } }""")]
    public void A_production_distribution_without_TLS_1_2_for_viewers_is_caught(string properties)
    {
        var template = Template(("Cdn", "AWS::CloudFront::Distribution", properties));

        var violation = Assert.Single(_rules.Check("bad", template, production: true));

        Assert.Equal(TemplateRules.ViewerTls, violation.Rule);
        Assert.Empty(_rules.Check("dev", template, production: false));
    }

    [Fact]
    public void A_production_distribution_with_its_certificate_and_TLSv1_2_2021_passes()
    {
        var violations = _rules.Check("good", Template(("Cdn", "AWS::CloudFront::Distribution",
            """{ "DistributionConfig": { "WebACLId": "arn:acl", "ViewerCertificate": { "AcmCertificateArn": "arn:cert", "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only" } } }""")),
            production: true);

        Assert.Empty(violations);
    }

    [Fact]
    public void A_production_topic_without_a_subscription_is_caught()
    {
        var lonely = Template(("Alarms", "AWS::SNS::Topic", """{ "KmsMasterKeyId": "arn:key" }"""));
        var subscribed = Template(
            ("Alarms", "AWS::SNS::Topic", """{ "KmsMasterKeyId": "arn:key" }"""),
            ("Oncall", "AWS::SNS::Subscription", """{ "TopicArn": { "Ref": "Alarms" }, "Protocol": "email", "Endpoint": "sre@example.com" }"""));

        var violation = Assert.Single(_rules.Check("bad", lonely, production: true));

        Assert.Equal((TemplateRules.AlarmTopicSubscription, "Alarms"), (violation.Rule, violation.LogicalId));
        Assert.Empty(_rules.Check("good", subscribed, production: true));
        Assert.Empty(_rules.Check("dev", lonely, production: false));
    }

    [Theory]
    [InlineData("""{ "ContainerDefinitions": [ { "Name": "web", "User": "1654" } ] }""", "writable root filesystem")]
    [InlineData("""{ "ContainerDefinitions": [ { "Name": "web", "User": "1654", "ReadonlyRootFilesystem": false } ] }""", "writable root filesystem")]
    [InlineData("""{ "ContainerDefinitions": [ { "Name": "web", "ReadonlyRootFilesystem": true } ] }""", "non-root user")]
    [InlineData("""{ "ContainerDefinitions": [ { "Name": "web", "ReadonlyRootFilesystem": true, "User": "0:0" } ] }""", "non-root user")]
    [InlineData("""{ "ContainerDefinitions": [ { "Name": "web", "ReadonlyRootFilesystem": true, "User": "root" } ] }""", "non-root user")]
    public void A_task_container_with_a_writable_root_filesystem_or_as_root_is_caught(string properties, string problem)
    {
        var violation = Assert.Single(_rules.Check("bad", Template(("Task", "AWS::ECS::TaskDefinition", properties))));

        Assert.Equal(TemplateRules.ContainerHardening, violation.Rule);
        Assert.Contains(problem, violation.Message, StringComparison.Ordinal);
    }

    private const string BlockAll = """
        { "BucketEncryption": { "ServerSideEncryptionConfiguration": [ { "ServerSideEncryptionByDefault": { "SSEAlgorithm": "aws:kms" } } ] },
          "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true } }
        """;

    private const string BlockAllUnencrypted = """
        { "PublicAccessBlockConfiguration": { "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true } }
        """;

    private static string TlsOnlyPolicy(string bucket) => $$"""
        { "Bucket": { "Ref": "{{bucket}}" }, "PolicyDocument": { "Statement": [ { "Effect": "Deny", "Principal": { "AWS": "*" }, "Action": "s3:*",
          "Condition": { "Bool": { "aws:SecureTransport": "false" } }, "Resource": [ { "Fn::GetAtt": ["{{bucket}}", "Arn"] } ] } ] } }
        """;

    private static string Template(params (string Id, string Type, string Properties)[] resources) =>
        "{ \"Resources\": { " + string.Join(", ", resources.Select(r => $"\"{r.Id}\": {{ \"Type\": \"{r.Type}\", \"Properties\": {r.Properties} }}")) + " } }";
}
