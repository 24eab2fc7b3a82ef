using System.Text.Json;
using Amazon.CDK.AWS.IAM;

namespace FinTech.Infra;

/// <summary>Turns the shared action list into IAM statements for one environment.</summary>
public static class PortalPolicy
{
    /// <param name="forTaskRole">True for the portal's task role (adds sts:AssumeRole); false for the workload-account access role.</param>
    public static PolicyStatement[] Statements(PortalAwsActions actions, string partition, EnvironmentContext env, bool forTaskRole)
    {
        return actions.PortalActions
            .Where(a => forTaskRole || !a.TaskRoleOnly)
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
                        statement.AddCondition(op, values.ToDictionary(kv => kv.Key, kv => (object)kv.Value));
                    }
                }

                return statement;
            })
            .ToArray();
    }
}
