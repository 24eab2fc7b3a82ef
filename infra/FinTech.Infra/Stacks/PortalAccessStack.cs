using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// The role the portal assumes in the workload account (<c>Platform__Environments__KEY__Aws__RoleArn</c>): the
/// platform actions of portal-aws-actions.json, scoped as that file says, trusted only by the portal's task role.
/// The trust names the task role by ARN in a condition (not as the principal), so this stack deploys before the
/// portal's and the portal finds its role on its first start.
/// </summary>
public sealed class PortalAccessStack : Stack
{
    public Role AccessRole { get; }

    public PortalAccessStack(Construct scope, string id, EnvironmentContext env, PortalAwsActions actions, IStackProps props)
        : base(scope, id, props)
    {
        var names = env.Names;
        var portalTaskRole = $"arn:{Partition}:iam::{env.Config.Account}:role/{names.TaskRole("portal")}";
        AccessRole = new Role(this, "PortalAccessRole", new RoleProps
        {
            RoleName = names.PortalAccessRole,
            Description = "Assumed by the FinTech Ops Portal: read metrics/logs/state, run approved operations",
            AssumedBy = new AccountPrincipal(env.Config.Account).WithConditions(new Dictionary<string, object>
            {
                ["ArnEquals"] = new Dictionary<string, object> { ["aws:PrincipalArn"] = portalTaskRole },
            }),
            MaxSessionDuration = Duration.Hours(1),
        });
        _ = new Policy(this, "PortalAccessPolicy", new PolicyProps
        {
            PolicyName = $"{names.Prefix}-portal-access",
            Roles = [AccessRole],
            Statements = PortalPolicy.Statements(actions, Partition, env, PortalPolicy.Role.Access),
        });
    }
}
