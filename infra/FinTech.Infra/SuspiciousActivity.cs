using Amazon.CDK.AWS.Events;
using Amazon.CDK.AWS.Events.Targets;
using Amazon.CDK.AWS.SNS;
using Constructs;

namespace FinTech.Infra;

/// <summary>
/// EventBridge patterns on CloudTrail events that a person must look at (PCI DSS 10.7, 11.5): root activity, IAM and
/// security-group changes, KMS keys disabled or scheduled for deletion, and a task definition registered with an image
/// from outside the account's ECR (the residual risk of the portal's <c>iam:PassRole</c>, see infra/README.md).
/// CloudTrail delivers these events to EventBridge because the organization trail records every account.
/// </summary>
public static class SuspiciousActivity
{
    private const string ApiCall = "AWS API Call via CloudTrail";

    public static Rule NewRule(Construct scope, string id, string name, string description, EventPattern pattern, ITopic topic)
    {
        var rule = new Rule(scope, id, new RuleProps { RuleName = name, Description = description, EventPattern = pattern });
        rule.AddTarget(new SnsTopic(topic));
        return rule;
    }

    public static EventPattern RootActivity() => new()
    {
        DetailType = ["AWS Console Sign In via CloudTrail", ApiCall],
        Detail = new Dictionary<string, object>
        {
            ["userIdentity"] = new Dictionary<string, object> { ["type"] = new[] { "Root" } },
        },
    };

    public static EventPattern IamChanges() => Calls("aws.iam",
        "CreateUser", "DeleteUser", "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "CreateAccessKey", "UpdateAccessKey",
        "CreateLoginProfile", "UpdateLoginProfile", "AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy",
        "DetachUserPolicy", "DetachRolePolicy", "DetachGroupPolicy", "PutUserPolicy", "PutRolePolicy", "PutGroupPolicy",
        "DeleteUserPolicy", "DeleteRolePolicy", "DeleteGroupPolicy", "CreatePolicy", "CreatePolicyVersion", "DeletePolicy",
        "SetDefaultPolicyVersion", "AddUserToGroup", "DeactivateMFADevice", "DeleteVirtualMFADevice");

    public static EventPattern SecurityGroupChanges() => Calls("aws.ec2",
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
        "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules", "UpdateSecurityGroupRuleDescriptionsIngress",
        "UpdateSecurityGroupRuleDescriptionsEgress");

    public static EventPattern KeyDisabledOrDeleted() => Calls("aws.kms", "DisableKey", "ScheduleKeyDeletion", "DisableKeyRotation");

    /// <summary>Any container image not pulled from this account's ECR in this region.</summary>
    public static EventPattern ForeignTaskImage(string account, string region) => new()
    {
        Source = ["aws.ecs"],
        DetailType = [ApiCall],
        Detail = new Dictionary<string, object>
        {
            ["eventName"] = new[] { "RegisterTaskDefinition" },
            ["requestParameters"] = new Dictionary<string, object>
            {
                ["containerDefinitions"] = new Dictionary<string, object>
                {
                    ["image"] = new object[]
                    {
                        new Dictionary<string, object>
                        {
                            ["anything-but"] = new Dictionary<string, object> { ["prefix"] = $"{account}.dkr.ecr.{region}.amazonaws.com/" },
                        },
                    },
                },
            },
        },
    };

    private static EventPattern Calls(string source, params string[] eventNames) => new()
    {
        Source = [source],
        DetailType = [ApiCall],
        Detail = new Dictionary<string, object> { ["eventName"] = eventNames },
    };
}
