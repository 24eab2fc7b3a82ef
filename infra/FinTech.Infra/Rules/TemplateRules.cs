using System.Text.Json.Nodes;

namespace FinTech.Infra.Rules;

/// <summary>One finding of <see cref="TemplateRules"/>.</summary>
public sealed record Violation(string Rule, string Template, string LogicalId, string Message)
{
    public override string ToString() => $"[{Rule}] {Template}/{LogicalId}: {Message}";
}

/// <summary>
/// Security rules every synthesized CloudFormation template must pass. Takes the template as JSON (what
/// <c>Template.ToJSON()</c> or cdk.out holds) and returns the violations; it never needs AWS or the CDK.
/// </summary>
public sealed class TemplateRules
{
    public const string UnencryptedStorage = "unencrypted-storage";
    public const string OpenIngress = "open-ingress";
    public const string PublicIpInPrivateTier = "public-ip-in-private-tier";
    public const string IamWildcardAction = "iam-wildcard-action";
    public const string IamWildcardResource = "iam-wildcard-resource";
    public const string S3PublicAccess = "s3-block-public-access";
    public const string S3TlsOnly = "s3-tls-only";
    public const string DatabaseProtection = "database-protection";
    public const string LogRetention = "log-retention";
    public const string InternetFacingAlb = "internet-facing-alb";
    public const string DistributionWebAcl = "distribution-web-acl";
    public const string ViewerTls = "viewer-tls";
    public const string AlarmTopicSubscription = "alarm-topic-subscription";
    public const string ContainerHardening = "container-hardening";

    /// <summary>The viewer security policies of TLS 1.2 or newer.</summary>
    private static readonly HashSet<string> ModernViewerPolicies = ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

    private readonly IReadOnlySet<string> _unscopedActions;

    /// <param name="unscopedActions">Actions without resource-level permissions: the only ones allowed on <c>Resource: "*"</c>.</param>
    public TemplateRules(IReadOnlySet<string> unscopedActions) => _unscopedActions = unscopedActions;

    /// <param name="production">A production environment's template: viewer TLS and alarm subscriptions are required too.</param>
    public IReadOnlyList<Violation> Check(string templateName, string templateJson, bool production = false)
    {
        var violations = new List<Violation>();
        var resources = JsonNode.Parse(templateJson)?["Resources"]?.AsObject();
        if (resources is null)
        {
            return violations;
        }

        void Add(string rule, string id, string message) => violations.Add(new Violation(rule, templateName, id, message));

        foreach (var (id, resource) in resources)
        {
            var type = resource?["Type"]?.GetValue<string>() ?? "";
            var p = resource?["Properties"] ?? new JsonObject();
            CheckEncryption(type, id, p, Add);
            CheckIngress(type, id, p, Add);
            CheckPublicIps(type, id, p, Add);
            CheckPolicies(type, id, p, Add);
            CheckDatabases(type, id, p, Add);
            if (type == "AWS::Logs::LogGroup" && p["RetentionInDays"] is null)
            {
                Add(LogRetention, id, "log group without RetentionInDays");
            }

            if (type == "AWS::S3::Bucket")
            {
                CheckBucket(id, p, resources, Add);
            }

            CheckEdge(type, id, p, production, Add);
            CheckContainers(type, id, p, Add);
            if (production && type == "AWS::SNS::Topic" && !HasSubscription(id, p, resources))
            {
                Add(AlarmTopicSubscription, id, "production topic without a subscription: its alarms reach nobody");
            }
        }

        return violations;
    }

    private static void CheckEncryption(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        string? problem = type switch
        {
            "AWS::RDS::DBCluster" when !IsTrue(p["StorageEncrypted"]) => "Aurora/RDS cluster storage not encrypted",
            "AWS::RDS::DBInstance" when p["DBClusterIdentifier"] is null && !IsTrue(p["StorageEncrypted"]) => "RDS instance storage not encrypted",
            "AWS::ElastiCache::ReplicationGroup" when !IsTrue(p["AtRestEncryptionEnabled"]) => "ElastiCache at-rest encryption off",
            "AWS::ElastiCache::ReplicationGroup" when !IsTrue(p["TransitEncryptionEnabled"]) => "ElastiCache in-transit encryption off",
            "AWS::DynamoDB::Table" or "AWS::DynamoDB::GlobalTable" when !IsTrue(p["SSESpecification"]?["SSEEnabled"]) => "DynamoDB table without KMS encryption",
            "AWS::S3::Bucket" when p["BucketEncryption"] is null => "S3 bucket without default encryption",
            "AWS::SNS::Topic" when p["KmsMasterKeyId"] is null => "SNS topic without KMS key",
            "AWS::SQS::Queue" when p["KmsMasterKeyId"] is null && !IsTrue(p["SqsManagedSseEnabled"]) => "SQS queue not encrypted",
            "AWS::Logs::LogGroup" when p["KmsKeyId"] is null => "log group without KMS key",
            "AWS::ECR::Repository" when p["EncryptionConfiguration"]?["EncryptionType"]?.GetValue<string>() != "KMS" => "ECR repository without KMS encryption",
            _ => null,
        };
        if (problem is not null)
        {
            add(UnencryptedStorage, id, problem);
        }
    }

    private static void CheckIngress(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        List<JsonNode?> rules = type switch
        {
            "AWS::EC2::SecurityGroup" => p["SecurityGroupIngress"]?.AsArray().ToList() ?? [],
            "AWS::EC2::SecurityGroupIngress" => [p],
            _ => [],
        };
        foreach (var rule in rules)
        {
            var cidr = AsString(rule?["CidrIp"]);
            var cidr6 = AsString(rule?["CidrIpv6"]);
            if (cidr == "0.0.0.0/0" || cidr6 == "::/0")
            {
                add(OpenIngress, id, $"ingress from {cidr ?? cidr6} (only CloudFront's origin-facing prefix list may reach the edge)");
            }
        }
    }

    private static void CheckPublicIps(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        switch (type)
        {
            case "AWS::EC2::Subnet" when IsTrue(p["MapPublicIpOnLaunch"]):
                var tier = p["Tags"]?.AsArray()
                    .FirstOrDefault(t => AsString(t?["Key"]) == "aws-cdk:subnet-type")?["Value"];
                if (AsString(tier) is "Private" or "Isolated")
                {
                    add(PublicIpInPrivateTier, id, $"{AsString(tier)} subnet maps public IPs on launch");
                }

                break;
            case "AWS::ECS::Service" when AsString(p["NetworkConfiguration"]?["AwsvpcConfiguration"]?["AssignPublicIp"]) == "ENABLED":
                add(PublicIpInPrivateTier, id, "ECS service assigns public IPs");
                break;
            case "AWS::RDS::DBInstance" when IsTrue(p["PubliclyAccessible"]):
                add(PublicIpInPrivateTier, id, "RDS instance is publicly accessible");
                break;
            case "AWS::EC2::Instance" or "AWS::EC2::LaunchTemplate":
                var interfaces = (type == "AWS::EC2::Instance" ? p["NetworkInterfaces"] : p["LaunchTemplateData"]?["NetworkInterfaces"])?.AsArray() ?? [];
                if (interfaces.Any(n => IsTrue(n?["AssociatePublicIpAddress"])))
                {
                    add(PublicIpInPrivateTier, id, "instance associates a public IP");
                }

                break;
        }
    }

    private void CheckPolicies(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        var identityDocuments = type switch
        {
            "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy" => [p["PolicyDocument"]],
            "AWS::IAM::Role" or "AWS::IAM::User" or "AWS::IAM::Group" =>
                (p["Policies"]?.AsArray() ?? []).Select(policy => policy?["PolicyDocument"]).ToList(),
            _ => new List<JsonNode?>(),
        };
        var resourceDocuments = type switch
        {
            "AWS::KMS::Key" => [p["KeyPolicy"]],
            "AWS::S3::BucketPolicy" or "AWS::SNS::TopicPolicy" or "AWS::SQS::QueuePolicy" => [p["PolicyDocument"]],
            "AWS::SecretsManager::ResourcePolicy" => [p["ResourcePolicy"]],
            _ => new List<JsonNode?>(),
        };

        foreach (var statement in identityDocuments.Concat(resourceDocuments).SelectMany(Statements).Where(IsAllow))
        {
            if (Values(statement["Action"]).Contains("*") || statement["NotAction"] is not null)
            {
                add(IamWildcardAction, id, "Allow statement with Action \"*\" (or NotAction)");
            }
        }

        foreach (var statement in identityDocuments.SelectMany(Statements).Where(IsAllow))
        {
            if (!Values(statement["Resource"]).Contains("*"))
            {
                continue;
            }

            var scopable = Values(statement["Action"]).Where(a => a != "*" && !_unscopedActions.Contains(a)).ToList();
            if (scopable.Count > 0)
            {
                add(IamWildcardResource, id, $"Resource \"*\" for actions that support resource scoping: {string.Join(", ", scopable)}");
            }
        }
    }

    private static void CheckDatabases(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        switch (type)
        {
            case "AWS::RDS::DBCluster":
            case "AWS::RDS::DBInstance" when p["DBClusterIdentifier"] is null:
                if (!IsTrue(p["DeletionProtection"]))
                {
                    add(DatabaseProtection, id, "database without deletion protection");
                }

                if (AsInt(p["BackupRetentionPeriod"]) is not > 0)
                {
                    add(DatabaseProtection, id, "database without an explicit backup retention period");
                }

                break;
            case "AWS::DynamoDB::Table":
                if (!IsTrue(p["DeletionProtectionEnabled"]))
                {
                    add(DatabaseProtection, id, "DynamoDB table without deletion protection");
                }

                if (!IsTrue(p["PointInTimeRecoverySpecification"]?["PointInTimeRecoveryEnabled"]))
                {
                    add(DatabaseProtection, id, "DynamoDB table without point-in-time recovery");
                }

                break;
            case "AWS::ElastiCache::ReplicationGroup" when AsInt(p["SnapshotRetentionLimit"]) is not > 0:
                add(DatabaseProtection, id, "Redis replication group without snapshots");
                break;
        }
    }

    private static void CheckEdge(string type, string id, JsonNode p, bool production, Action<string, string, string> add)
    {
        if (type == "AWS::ElasticLoadBalancingV2::LoadBalancer" && AsString(p["Type"]) is null or "application" && AsString(p["Scheme"]) != "internal")
        {
            // CloudFormation's default scheme is internet-facing.
            add(InternetFacingAlb, id, "ALB is internet-facing (CloudFront reaches the internal ALB through its VPC origin)");
        }

        if (type != "AWS::CloudFront::Distribution")
        {
            return;
        }

        var config = p["DistributionConfig"];
        if (config?["WebACLId"] is null)
        {
            add(DistributionWebAcl, id, "distribution without a WAF web ACL");
        }

        var certificate = config?["ViewerCertificate"];
        if (production && (certificate is null || IsTrue(certificate["CloudFrontDefaultCertificate"])
            || !ModernViewerPolicies.Contains(AsString(certificate["MinimumProtocolVersion"]) ?? "")))
        {
            add(ViewerTls, id, "production distribution without its own certificate and a TLS 1.2+ viewer policy (TLSv1.2_2021)");
        }
    }

    private static void CheckContainers(string type, string id, JsonNode p, Action<string, string, string> add)
    {
        if (type != "AWS::ECS::TaskDefinition")
        {
            return;
        }

        foreach (var container in p["ContainerDefinitions"]?.AsArray().OfType<JsonNode>() ?? [])
        {
            var name = AsString(container["Name"]) ?? "?";
            if (!IsTrue(container["ReadonlyRootFilesystem"]))
            {
                add(ContainerHardening, id, $"container {name} has a writable root filesystem");
            }

            var user = AsString(container["User"]);
            if (user is null || user.Split(':')[0] is "0" or "root")
            {
                add(ContainerHardening, id, $"container {name} does not name a non-root user");
            }
        }
    }

    private static bool HasSubscription(string topicId, JsonNode p, JsonObject resources) =>
        p["Subscription"] is JsonArray { Count: > 0 }
        || resources.Any(r => AsString(r.Value?["Type"]) == "AWS::SNS::Subscription"
            && AsString(r.Value?["Properties"]?["TopicArn"]?["Ref"]) == topicId);

    private static void CheckBucket(string id, JsonNode p, JsonObject resources, Action<string, string, string> add)
    {
        var block = p["PublicAccessBlockConfiguration"];
        var settings = new[] { "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets" };
        if (block is null || !settings.All(s => IsTrue(block[s])))
        {
            add(S3PublicAccess, id, "bucket does not block all public access");
        }

        var tlsOnly = resources
            .Where(r => AsString(r.Value?["Type"]) == "AWS::S3::BucketPolicy" && AsString(r.Value?["Properties"]?["Bucket"]?["Ref"]) == id)
            .SelectMany(r => Statements(r.Value?["Properties"]?["PolicyDocument"]))
            .Any(s => AsString(s["Effect"]) == "Deny"
                && AsString(s["Condition"]?["Bool"]?["aws:SecureTransport"])?.Equals("false", StringComparison.OrdinalIgnoreCase) == true);
        if (!tlsOnly)
        {
            add(S3TlsOnly, id, "bucket policy does not deny requests without TLS (aws:SecureTransport)");
        }
    }

    private static IEnumerable<JsonNode> Statements(JsonNode? document) => document?["Statement"] switch
    {
        JsonArray array => array.OfType<JsonNode>(),
        JsonObject single => [single],
        _ => [],
    };

    private static bool IsAllow(JsonNode statement) => AsString(statement["Effect"]) == "Allow";

    /// <summary>A policy field as strings; intrinsic functions (ARNs built from tokens) are never "*".</summary>
    private static List<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(AsString).OfType<string>().ToList(),
        JsonValue => AsString(node) is { } s ? [s] : [],
        _ => [],
    };

    private static string? AsString(JsonNode? node) =>
        node is JsonValue value ? value.TryGetValue<string>(out var s) ? s : value.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : value.ToJsonString() : null;

    private static bool IsTrue(JsonNode? node) => AsString(node)?.Equals("true", StringComparison.OrdinalIgnoreCase) == true;

    private static int? AsInt(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<int>(out var i) || (value.TryGetValue<string>(out var s) && int.TryParse(s, out i))) ? i : null;
}
