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

    public Secret RedisAuthToken { get; }

    /// <summary>The Entra ID app registration's client secret (<c>AzureAd__ClientSecret</c>).</summary>
    public Secret EntraClientSecret { get; }

    /// <summary>External API keys of the platform's API service (JSON object of name → key).</summary>
    public Secret ExternalApiKeys { get; }
    public Topic AlarmTopic { get; }

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

        // Every secret exists with the structure its reader expects, from the first deploy on: the Redis token is
        // a token, the client secret a string, the API keys a JSON object. Values are generated, never written in code.
        RedisAuthToken = NewSecret("RedisAuthToken", names.Secret("redis/auth-token"), "ElastiCache Redis AUTH token", 64);
        EntraClientSecret = NewSecret("EntraClientSecret", names.Secret("portal/entra-client-secret"),
            "Entra ID client secret of the portal app registration (put the real value after the first deploy)", 64);
        ExternalApiKeys = NewSecret("ExternalApiKeys", names.Secret("api/external-api-keys"),
            "External API keys of the platform API service: a JSON object of name to key", 64, jsonKey: "placeholder");

        // A resource policy on every secret: nobody but the named readers may read the value. ECS injects the secrets
        // with the services' execution roles; CloudFormation resolves the Redis token (a dynamic reference) with the
        // CDK deployment role.
        var account = env.Config.Account;
        OnlyReadableBy(RedisAuthToken, Partition, account,
            $"arn:{Partition}:iam::{account}:role/{names.ExecutionRole("api")}",
            $"arn:{Partition}:iam::{account}:role/{names.ExecutionRole(WriteProbeService.ServiceKey)}",
            $"arn:{Partition}:iam::{account}:role/cdk-*-cfn-exec-role-{account}-{env.Config.Region}");
        OnlyReadableBy(EntraClientSecret, Partition, account, $"arn:{Partition}:iam::{account}:role/{names.ExecutionRole("portal")}");
        OnlyReadableBy(ExternalApiKeys, Partition, account, $"arn:{Partition}:iam::{account}:role/{names.ExecutionRole("api")}");

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
        // EventBridge (the suspicious-activity rules of the Detection stack) publishes to the same topic.
        AlarmTopic.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowEventBridgeRules",
            Principals = [new ServicePrincipal("events.amazonaws.com")],
            Actions = ["sns:Publish"],
            Resources = [AlarmTopic.TopicArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["aws:SourceAccount"] = env.Config.Account },
            },
        }));
        NotificationsKey.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowEventBridgeRules",
            Principals = [new ServicePrincipal("events.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
        }));
        Subscribe(this, AlarmTopic, env.Config.AlarmSubscriptions);
    }

    /// <summary>The configured people and endpoints (email, HTTPS) on a topic.</summary>
    public static void Subscribe(Construct scope, Topic topic, IReadOnlyList<AlarmSubscription> subscriptions)
    {
        for (var i = 0; i < subscriptions.Count; i++)
        {
            var subscription = subscriptions[i];
            _ = new Subscription(scope, $"{topic.Node.Id}Subscription{i + 1}", new SubscriptionProps
            {
                Topic = topic,
                Protocol = subscription.Protocol.ToLowerInvariant() switch
                {
                    "email" => SubscriptionProtocol.EMAIL,
                    "https" => SubscriptionProtocol.HTTPS,
                    _ => throw new InvalidOperationException(
                        $"Alarm subscription protocol '{subscription.Protocol}' is not supported: use email or https."),
                },
                Endpoint = subscription.Endpoint,
            });
        }
    }

    private static void OnlyReadableBy(ISecret secret, string partition, string account, params string[] readers) =>
        secret.AddToResourcePolicy(OnlyReadersStatement(partition, account, readers));

    /// <summary>
    /// Denies <c>GetSecretValue</c> to every principal but <paramref name="readers"/> (ARN patterns). AWS services acting
    /// for themselves (RDS rotating its managed secret) and service-linked roles are not denied.
    /// </summary>
    public static PolicyStatement OnlyReadersStatement(string partition, string account, params string[] readers) =>
        new(new PolicyStatementProps
        {
            Sid = "OnlyTheNamedReadersReadTheValue",
            Effect = Effect.DENY,
            Principals = [new AnyPrincipal()],
            Actions = ["secretsmanager:GetSecretValue"],
            Resources = ["*"],
            Conditions = new Dictionary<string, object>
            {
                ["ArnNotLike"] = new Dictionary<string, object>
                {
                    ["aws:PrincipalArn"] = readers.Append($"arn:{partition}:iam::{account}:role/aws-service-role/*").ToArray(),
                },
                ["BoolIfExists"] = new Dictionary<string, object> { ["aws:PrincipalIsAWSService"] = "false" },
            },
        });

    private Key NewKey(string id, string alias, string purpose) => new(this, id, new KeyProps
    {
        Alias = alias,
        Description = $"FinTech: {purpose}",
        EnableKeyRotation = true,
        RemovalPolicy = RemovalPolicy.RETAIN,
    });

    private Secret NewSecret(string id, string name, string description, int length, string? jsonKey = null) => new(this, id, new SecretProps
    {
        SecretName = name,
        Description = description,
        EncryptionKey = SecretsKey,
        RemovalPolicy = RemovalPolicy.RETAIN,
        // A random value (inside a JSON object when the reader expects one): never written in code or configuration.
        GenerateSecretString = jsonKey is null
            ? new SecretStringGenerator { ExcludePunctuation = true, PasswordLength = length }
            : new SecretStringGenerator { ExcludePunctuation = true, PasswordLength = length, SecretStringTemplate = "{}", GenerateStringKey = jsonKey },
    });
}
