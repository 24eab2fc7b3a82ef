using Amazon.CDK;
using Amazon.CDK.AWS.Events;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// One environment's detection: the account's <see cref="DetectionBaseline"/> (GuardDuty, Config, Security Hub with
/// PCI DSS) and the regional suspicious-activity rules (security-group changes, KMS keys disabled or deleted, task
/// definitions with an image from outside the account's ECR) sent to the alarm topic. Root activity and IAM changes
/// are global events: their rules are in <see cref="GlobalStack"/>.
/// </summary>
public sealed class DetectionStack : Stack
{
    public DetectionBaseline Baseline { get; }
    public IReadOnlyList<Rule> Rules { get; }

    public DetectionStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        Baseline = new DetectionBaseline(this, "Baseline", env.Organization, names.Prefix);
        Rules =
        [
            SuspiciousActivity.NewRule(this, "SecurityGroupChanges", names.Alarm("security-group-changes"),
                "A security group or one of its rules changed", SuspiciousActivity.SecurityGroupChanges(), security.AlarmTopic),
            SuspiciousActivity.NewRule(this, "KeyDisabledOrDeleted", names.Alarm("kms-key-disabled"),
                "A KMS key was disabled, lost its rotation or was scheduled for deletion", SuspiciousActivity.KeyDisabledOrDeleted(), security.AlarmTopic),
            SuspiciousActivity.NewRule(this, "ForeignTaskImage", names.Alarm("foreign-task-image"),
                "A task definition names an image outside this account's ECR",
                SuspiciousActivity.ForeignTaskImage(env.Config.Account, env.Config.Region), security.AlarmTopic),
        ];
    }
}
