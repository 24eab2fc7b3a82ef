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
    [InlineData("fintech/prod/portal/entra-client-secret")]
    [InlineData("fintech/prod/api/external-api-keys")]
    public void Secrets_are_generated_and_encrypted_with_the_secrets_key(string name)
    {
        var secretsKey = platform.Env("prod").Security.GetLogicalId((Amazon.CDK.CfnElement)platform.Env("prod").Security.SecretsKey.Node.DefaultChild!);
        Template.HasResourceProperties("AWS::SecretsManager::Secret", Like.Object(
            ("Name", name),
            ("KmsKeyId", Like.Object(("Fn::GetAtt", new[] { secretsKey, "Arn" }))),
            ("GenerateSecretString", Like.Object(("ExcludePunctuation", true)))));
    }

    [Theory]
    [InlineData("Security", "EntraClientSecret", "fintech-prod-portal-execution")]
    [InlineData("Security", "ExternalApiKeys", "fintech-prod-api-execution")]
    [InlineData("Security", "RedisAuthToken", "fintech-prod-api-execution,fintech-prod-write-probe-execution,cdk-*-cfn-exec-role-333333333333-eu-west-1")]
    [InlineData("Data", "MasterUserSecret", "fintech-prod-portal-execution,fintech-prod-write-probe-execution")]
    public void Every_secret_can_be_read_only_by_the_roles_that_inject_or_resolve_it(string stack, string secret, string roles)
    {
        var json = platform.TemplateJson(stack == "Data" ? platform.Env("prod").Data : platform.Env("prod").Security);

        var policy = Assert.Single(TemplateJson.Resources(json, "AWS::SecretsManager::ResourcePolicy"),
            p => p.Properties["SecretId"]!.ToJsonString().Contains(secret, StringComparison.Ordinal)).Properties;

        var statement = Assert.Single(policy["ResourcePolicy"]!["Statement"]!.AsArray())!;
        Assert.Equal("Deny", statement["Effect"]!.GetValue<string>());
        Assert.Equal("secretsmanager:GetSecretValue", statement["Action"]!.GetValue<string>());
        var expected = roles.Split(',').Select(r => $"arn:aws:iam::333333333333:role/{r}").Append("arn:aws:iam::333333333333:role/aws-service-role/*");
        Assert.Equal(expected.Order(), TemplateJson.Strings(statement["Condition"]!["ArnNotLike"]!["aws:PrincipalArn"]).Order());
        Assert.Equal("false", statement["Condition"]!["BoolIfExists"]!["aws:PrincipalIsAWSService"]!.GetValue<string>());
    }

    [Fact]
    public void Every_secret_of_the_environment_has_a_resource_policy()
    {
        var security = platform.TemplateJson(platform.Env("prod").Security);

        var secrets = TemplateJson.Resources(security, "AWS::SecretsManager::Secret").Select(s => s.Id).ToList();
        var withPolicy = TemplateJson.Resources(security, "AWS::SecretsManager::ResourcePolicy")
            .Select(p => p.Properties["SecretId"]!["Ref"]!.GetValue<string>()).ToList();

        Assert.Equal(3, secrets.Count);
        Assert.Equal(secrets.Order(), withPolicy.Order());
    }

    [Fact]
    public void The_API_keys_secret_starts_as_a_JSON_object()
    {
        Template.HasResourceProperties("AWS::SecretsManager::Secret", Like.Object(
            ("Name", "fintech/prod/api/external-api-keys"),
            ("GenerateSecretString", Like.Object(("SecretStringTemplate", "{}"), ("GenerateStringKey", "placeholder")))));
    }

    [Theory]
    [InlineData("prod", 2)]
    [InlineData("staging", 1)]
    [InlineData("dev", 0)]
    public void The_alarm_topic_notifies_the_configured_subscriptions(string env, int count)
    {
        var template = platform.Template(platform.Env(env).Security);

        template.ResourceCountIs("AWS::SNS::Subscription", count);
        if (env == "prod")
        {
            template.HasResourceProperties("AWS::SNS::Subscription", Like.Object(("Protocol", "email"), ("Endpoint", "sre-oncall@example.com")));
            template.HasResourceProperties("AWS::SNS::Subscription", Like.Object(("Protocol", "https"), ("Endpoint", "https://oncall.example.com/hooks/fintech-prod")));
        }
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
