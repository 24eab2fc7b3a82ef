using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class SecurityStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Env("prod").Security);

    [Fact]
    public void Every_customer_managed_key_rotates()
    {
        Template.ResourcePropertiesCountIs("AWS::KMS::Key", Like.Object(("EnableKeyRotation", true)), 6);
        Template.ResourceCountIs("AWS::KMS::Key", 6);
    }

    [Theory]
    [InlineData("fintech/prod/redis/auth-token")]
    [InlineData("fintech/prod/portal/database-connection-string")]
    [InlineData("fintech/prod/portal/entra-client-secret")]
    [InlineData("fintech/prod/api/external-api-keys")]
    [InlineData("fintech/prod/edge/origin-verify")]
    public void Secrets_are_generated_and_encrypted_with_the_secrets_key(string name)
    {
        var secretsKey = platform.Env("prod").Security.GetLogicalId((Amazon.CDK.CfnElement)platform.Env("prod").Security.SecretsKey.Node.DefaultChild!);
        Template.HasResourceProperties("AWS::SecretsManager::Secret", Like.Object(
            ("Name", name),
            ("KmsKeyId", Like.Object(("Fn::GetAtt", new[] { secretsKey, "Arn" }))),
            ("GenerateSecretString", Like.Object(("ExcludePunctuation", true)))));
    }

    [Theory]
    [InlineData("PortalDatabase", "fintech-prod-portal-execution")]
    [InlineData("EntraClientSecret", "fintech-prod-portal-execution")]
    [InlineData("ExternalApiKeys", "fintech-prod-api-execution")]
    public void Injected_secrets_can_be_read_only_by_the_execution_role_of_their_service(string secret, string role)
    {
        var json = platform.TemplateJson(platform.Env("prod").Security);

        var policy = Assert.Single(TemplateJson.Resources(json, "AWS::SecretsManager::ResourcePolicy"),
            p => p.Properties["SecretId"]!.ToJsonString().Contains(secret, StringComparison.Ordinal)).Properties;

        var statement = Assert.Single(policy["ResourcePolicy"]!["Statement"]!.AsArray())!;
        Assert.Equal("Deny", statement["Effect"]!.GetValue<string>());
        Assert.Equal("secretsmanager:GetSecretValue", statement["Action"]!.GetValue<string>());
        Assert.Equal($"arn:aws:iam::333333333333:role/{role}", statement["Condition"]!["ArnNotEquals"]!["aws:PrincipalArn"]!.GetValue<string>());
    }

    [Fact]
    public void The_alarm_topic_is_encrypted_and_requires_TLS()
    {
        Template.HasResourceProperties("AWS::SNS::Topic", Like.Object(("TopicName", "fintech-prod-alarms"), ("KmsMasterKeyId", Match.AnyValue())));
        Template.HasResourceProperties("AWS::SNS::TopicPolicy", Like.Object(("PolicyDocument", Like.Object(("Statement", Like.ArrayWith(
            Like.Object(("Effect", "Deny"), ("Condition", Like.Object(("Bool", Like.Object(("aws:SecureTransport", "false"))))))))))));
    }

    [Fact]
    public void The_logs_key_lets_CloudWatch_Logs_encrypt_this_account_s_log_groups_only()
    {
        Template.HasResourceProperties("AWS::KMS::Key", Like.Object(("KeyPolicy", Like.Object(("Statement", Like.ArrayWith(Like.Object(
            ("Principal", Like.Object(("Service", "logs.eu-west-1.amazonaws.com"))),
            ("Condition", Like.Object(("ArnLike", Like.Object(
                ("kms:EncryptionContext:aws:logs:arn", "arn:aws:logs:eu-west-1:333333333333:log-group:*"))))))))))));
    }
}
