using System.Text.Json;
using Amazon.CDK.AWS.IAM;

namespace FinTech.Infra;

/// <summary>Turns the shared action list into IAM statements for one environment.</summary>
public static class PortalPolicy
{
    /// <summary>The portal's two roles: the task role it runs as, and the per-environment access role it assumes.</summary>
    public enum Role
    {
        /// <summary>Only the actions marked <c>taskRoleOnly</c>: assuming the access role, writing the audit anchors.</summary>
        Task,

        /// <summary>Every other action: what the Aws backend does in the environment.</summary>
        Access,
    }

    public static PolicyStatement[] Statements(PortalAwsActions actions, string partition, EnvironmentContext env, Role role)
    {
        return actions.PortalActions
            .Where(a => a.TaskRoleOnly == (role == Role.Task))
            .GroupBy(a => (
                Resources: string.Join('|', a.Resources),
                Condition: a.Condition is null ? "" : JsonSerializer.Serialize(a.Condition)))
            .Select((group, index) =>
            {
                var first = group.First();
                var statement = new PolicyStatement(new PolicyStatementProps
                {
                    Sid = $"Portal{index}",
                    Effect = Effect.ALLOW,
                    Actions = group.Select(a => a.Action).ToArray(),
                    Resources = first.Resources
                        .Select(r => PortalAwsActions.Expand(r, partition, env.Config.Region, env.Config.Account, env.Key))
                        .ToArray(),
                });
                if (first.Condition is not null)
                {
                    foreach (var (op, values) in first.Condition)
                    {
                        statement.AddCondition(op, values.ToDictionary(kv => kv.Key,
                            kv => (object)PortalAwsActions.Expand(kv.Value, partition, env.Config.Region, env.Config.Account, env.Key)));
                    }
                }

                return statement;
            })
            .ToArray();
    }
}
