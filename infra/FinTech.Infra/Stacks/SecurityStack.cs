using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// Customer-managed KMS keys (rotation on), the platform's secrets and the KMS-encrypted alarm topic.
/// Every other stack of the environment depends on this one; it depends on none.
/// </summary>
public sealed class SecurityStack : Stack
{
    public Key DataKey { get; }
    public Key SecretsKey { get; }
    public Key LogsKey { get; }
    public Key StorageKey { get; }
    public Key ContainerKey { get; }
    public Key NotificationsKey { get; }

    /// <summary>The value CloudFront sends in <see cref="OriginVerifyHeader"/>; the ALB forwards only requests carrying it.</summary>
    public Secret OriginVerify { get; }
    public Secret RedisAuthToken { get; }

    /// <summary>The portal's Npgsql connection string (<c>Database__ConnectionString</c>); see infra/README.md.</summary>
    public Secret PortalDatabase { get; }

    /// <summary>The Entra ID app registration's client secret (<c>AzureAd__ClientSecret</c>).</summary>
    public Secret EntraClientSecret { get; }

    /// <summary>External API keys of the platform's API service (JSON object of name → key).</summary>
    public Secret ExternalApiKeys { get; }
    public Topic AlarmTopic { get; }

    public const string OriginVerifyHeader = "X-Origin-Verify";

    public SecurityStack(Construct scope, string id, EnvironmentContext env, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        DataKey = NewKey("DataKey", names.KeyAlias("data"), "Aurora storage, ElastiCache and DynamoDB");
        SecretsKey = NewKey("SecretsKey", names.KeyAlias("secrets"), "Secrets Manager secrets");
        LogsKey = NewKey("LogsKey", names.KeyAlias("logs"), "CloudWatch Logs log groups");
        StorageKey = NewKey("StorageKey", names.KeyAlias("storage"), "S3 buckets");
        ContainerKey = NewKey("ContainerKey", names.KeyAlias("containers"), "ECR repositories");
        NotificationsKey = NewKey("NotificationsKey", names.KeyAlias("notifications"), "the alarm SNS topic");

        // CloudWatch Logs encrypts with the key itself: allow the regional service principal, for this account's log groups only.
        LogsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchLogs",
            Principals = [new ServicePrincipal($"logs.{env.Config.Region}.amazonaws.com")],
            Actions = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnLike"] = new Dictionary<string, object>
                {
                    ["kms:EncryptionContext:aws:logs:arn"] = $"arn:{Partition}:logs:{env.Config.Region}:{env.Config.Account}:log-group:*",
                },
            },
        }));

        // CloudWatch alarms publish to the encrypted topic.
        NotificationsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchAlarms",
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
        }));

        OriginVerify = NewSecret("OriginVerify", names.Secret("edge/origin-verify"), "Header value CloudFront sends to the ALB", 48);
        RedisAuthToken = NewSecret("RedisAuthToken", names.Secret("redis/auth-token"), "ElastiCache Redis AUTH token", 64);
        PortalDatabase = NewSecret("PortalDatabase", names.Secret("portal/database-connection-string"),
            "The portal's PostgreSQL connection string (set after the first deploy, see infra/README.md)", 64);
        EntraClientSecret = NewSecret("EntraClientSecret", names.Secret("portal/entra-client-secret"),
            "Entra ID client secret of the portal's app registration (set after the first deploy)", 64);
        ExternalApiKeys = NewSecret("ExternalApiKeys", names.Secret("api/external-api-keys"),
            "External API keys of the platform's API service (set after the first deploy)", 64);

        // Secrets that only ECS injects: nobody but the service's execution role may read the value.
        // (The Redis token and the origin-verify value are also resolved by CloudFormation at deploy time.)
        OnlyReadableBy(PortalDatabase, names.ExecutionRole("portal"), env);
        OnlyReadableBy(EntraClientSecret, names.ExecutionRole("portal"), env);
        OnlyReadableBy(ExternalApiKeys, names.ExecutionRole("api"), env);

        AlarmTopic = new Topic(this, "AlarmTopic", new TopicProps
        {
            TopicName = names.Alarm("alarms"),
            DisplayName = $"FinTech {env.Config.DisplayName} alarms",
            MasterKey = NotificationsKey,
            EnforceSSL = true,
        });
        // The topic's resource policy: CloudWatch alarms of this account may publish (the policy also carries
        // the TLS-only deny that EnforceSSL adds).
        AlarmTopic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowCloudWatchAlarms",
            Principals = [new ServicePrincipal("cloudwatch.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [AlarmTopic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = env.Config.Account },
            },
        }));
    }

    private void OnlyReadableBy(Secret secret, string roleName, EnvironmentContext env) =>
        secret.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "OnlyTheServiceReadsTheValue",
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["secretsmanager:GetSecretValue"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnNotEquals"] = new Dictionary<string, object>
                {
                    ["aws:PrincipalArn"] = $"arn:{Partition}:iam::{env.Config.Account}:role/{roleName}",
                },
            },
        }));

    private Key NewKey(string id, string alias, string purpose) => new(this, id, new KeyProps
    {
        Alias = alias,
        Description = $"FinTech: {purpose}",
        EnableKeyRotation = true,
        RemovalPolicy = RemovalPolicy.RETAIN,
    });

    private Secret NewSecret(string id, string name, string description, int length) => new(this, id, new SecretProps
    {
        SecretName = name,
        Description = description,
        EncryptionKey = SecretsKey,
        RemovalPolicy = RemovalPolicy.RETAIN,
        // A random placeholder: no value is ever written in code or configuration.
        GenerateSecretString = new SecretStringGenerator { ExcludePunctuation = true, PasswordLength = length },
    });
}
