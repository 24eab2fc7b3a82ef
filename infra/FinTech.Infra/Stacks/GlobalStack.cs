using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.SNS;
using Amazon.CDK.AWS.SSM;
using Amazon.CDK.AWS.WAFv2;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The environment's resources that must live in us-east-1: CloudFront's WAF web ACL (AWS managed rule groups and a
/// per-IP rate limit), and the suspicious-activity rules on global events (root activity, IAM changes), which
/// CloudTrail delivers to EventBridge in us-east-1 only, with their own encrypted topic and subscriptions. The web
/// ACL's ARN is published as an SSM parameter that the Edge stack reads.
/// </summary>
public sealed class GlobalStack : Stack
{
    public const string UsEast1 = "us-east-1";

    public CfnWebACL WebAcl { get; }
    public Topic SecurityTopic { get; }
    public StringParameter WebAclArnParameter { get; }
    public IReadOnlyList<Rule> Rules { get; }

    public GlobalStack(Construct scope, string id, EnvironmentContext env, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        WebAcl = new CfnWebACL(this, "WebAcl", new CfnWebACLProps
        {
            Name = $"{names.Prefix}-edge",
            Description = $"FinTech {env.Config.DisplayName}: CloudFront web ACL",
            Scope = "CLOUDFRONT",
            DefaultAction = new CfnWebACL.DefaultActionProperty { Allow = new CfnWebACL.AllowActionProperty() },
            VisibilityConfig = Visibility($"{names.Prefix}-edge"),
            Rules = new object[]
            {
                new CfnWebACL.RuleProperty
                {
                    Name = "rate-limit-per-ip",
                    Priority = 0,
                    Action = new CfnWebACL.RuleActionProperty { Block = new CfnWebACL.BlockActionProperty() },
                    Statement = new CfnWebACL.StatementProperty
                    {
                        RateBasedStatement = new CfnWebACL.RateBasedStatementProperty { Limit = env.Config.WafRateLimit, AggregateKeyType = "IP" },
                    },
                    VisibilityConfig = Visibility("rate-limit-per-ip"),
                },
                Managed("AWSManagedRulesAmazonIpReputationList", 1),
                // Blazor Server's SignalR messages can exceed the common set's 8 KB body limit: that one rule counts
                // instead of blocking; every other rule of the set blocks.
                Managed("AWSManagedRulesCommonRuleSet", 2, countOnly: ["SizeRestrictions_BODY"]),
                Managed("AWSManagedRulesKnownBadInputsRuleSet", 3),
            },
        });
        WebAclArnParameter = new StringParameter(this, "WebAclArn", new StringParameterProps
        {
            ParameterName = WebAclParameterName(names),
            Description = "ARN of the environment's CloudFront web ACL (read by the Edge stack in the workload region)",
            StringValue = WebAcl.AttrArn,
        });

        var key = new Key(this, "SecurityTopicKey", new KeyProps
        {
            Alias = names.KeyAlias("global-notifications"),
            Description = "FinTech: the us-east-1 security alert topic",
            EnableKeyRotation = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        key.AddToResourcePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "AllowEventBridgeRules",
            Principals = [new ServicePrincipal("events.amazonaws.com")],
            Actions = ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resources = ["*"],
        }));
        SecurityTopic = new Topic(this, "SecurityTopic", new TopicProps
        {
            TopicName = names.Alarm("security-global"),
            DisplayName = $"FinTech {env.Config.DisplayName} security alerts (global)",
            MasterKey = key,
            EnforceSSL = true,
        });
        SecurityStack.Subscribe(this, SecurityTopic, env.Config.AlarmSubscriptions);

        Rules =
        [
            SuspiciousActivity.NewRule(this, "RootActivity", names.Alarm("root-activity"),
                "The root user signed in or called an API", SuspiciousActivity.RootActivity(), SecurityTopic),
            SuspiciousActivity.NewRule(this, "IamChanges", names.Alarm("iam-changes"),
                "IAM users, roles, policies or keys changed", SuspiciousActivity.IamChanges(), SecurityTopic),
        ];
    }

    public static string WebAclParameterName(Names names) => $"/fintech/{names.Env}/edge/web-acl-arn";

    private static CfnWebACL.VisibilityConfigProperty Visibility(string metric) => new()
    {
        CloudWatchMetricsEnabled = true,
        SampledRequestsEnabled = true,
        MetricName = metric,
    };

    private static CfnWebACL.RuleProperty Managed(string name, int priority, string[]? countOnly = null) => new()
    {
        Name = name,
        Priority = priority,
        OverrideAction = new CfnWebACL.OverrideActionProperty { None = new Dictionary<string, object>() },
        Statement = new CfnWebACL.StatementProperty
        {
            ManagedRuleGroupStatement = new CfnWebACL.ManagedRuleGroupStatementProperty
            {
                VendorName = "AWS",
                Name = name,
                RuleActionOverrides = countOnly?.Select(rule => (object)new CfnWebACL.RuleActionOverrideProperty
                {
                    Name = rule,
                    ActionToUse = new CfnWebACL.RuleActionProperty { Count = new CfnWebACL.CountActionProperty() },
                }).ToArray(),
            },
        },
        VisibilityConfig = Visibility(name),
    };
}
