using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class PortalIamTests(SynthesizedPlatform platform)
{
    public static TheoryData<string> Environments => ["dev", "staging", "prod"];

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_portal_task_role_grants_exactly_the_actions_of_the_shared_list(string env)
    {
        var compute = platform.Env(env).Compute;
        var json = platform.TemplateJson(compute);
        var roleId = compute.GetLogicalId((Amazon.CDK.CfnElement)compute.PortalTaskRole.Node.DefaultChild!);

        var granted = GrantedActions(json, roleId);

        var expected = platform.Actions.PortalActions.Select(a => a.Action).ToHashSet();
        Assert.Equal(expected.Order(), granted.Order());
        Assert.Contains("sts:AssumeRole", granted);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_portal_task_role_uses_a_wildcard_resource_only_for_actions_without_resource_permissions(string env)
    {
        var compute = platform.Env(env).Compute;
        var json = platform.TemplateJson(compute);
        var roleId = compute.GetLogicalId((Amazon.CDK.CfnElement)compute.PortalTaskRole.Node.DefaultChild!);
        var unscoped = platform.Actions.PortalActions.Where(a => a.IsUnscoped).Select(a => a.Action).ToHashSet();

        var wildcardActions = StatementsOf(json, roleId)
            .Where(s => TemplateJson.Strings(s["Resource"]).Contains("*"))
            .SelectMany(s => TemplateJson.Strings(s["Action"]))
            .ToHashSet();

        Assert.NotEmpty(wildcardActions);
        Assert.Subset(unscoped, wildcardActions);
    }

    [Fact]
    public void Scoped_actions_name_the_environment_s_own_resources()
    {
        var compute = platform.Env("prod").Compute;
        platform.Template(compute).HasResourceProperties("AWS::IAM::Policy", Match.ObjectLike(new Dictionary<string, object>
        {
            ["PolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = Match.ArrayWith(
                [
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Action"] = Match.ArrayWith(["rds:DescribeDBClusters", "rds:FailoverDBCluster"]),
                        ["Resource"] = "arn:aws:rds:eu-west-1:333333333333:cluster:fintech-prod-aurora",
                    }),
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Action"] = "sts:AssumeRole",
                        ["Resource"] = "arn:aws:iam::333333333333:role/fintech-prod-portal-access",
                    }),
                ]),
            }),
        }));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_workload_account_role_grants_the_same_actions_except_assuming_roles(string env)
    {
        var access = platform.Env(env).PortalAccess;
        var json = platform.TemplateJson(access);
        var roleId = access.GetLogicalId((Amazon.CDK.CfnElement)access.AccessRole.Node.DefaultChild!);

        var granted = GrantedActions(json, roleId);

        var expected = platform.Actions.PortalActions.Where(a => !a.TaskRoleOnly).Select(a => a.Action).ToHashSet();
        Assert.Equal(expected.Order(), granted.Order());
    }

    [Fact]
    public void The_workload_account_role_trusts_only_the_portal_task_role()
    {
        var access = platform.Env("staging").PortalAccess;
        platform.Template(access).HasResourceProperties("AWS::IAM::Role", Match.ObjectLike(new Dictionary<string, object>
        {
            ["RoleName"] = "fintech-staging-portal-access",
            ["AssumeRolePolicyDocument"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Statement"] = new object[]
                {
                    Match.ObjectLike(new Dictionary<string, object>
                    {
                        ["Action"] = "sts:AssumeRole",
                        ["Effect"] = "Allow",
                        ["Principal"] = new Dictionary<string, object> { ["AWS"] = "arn:aws:iam::222222222222:role/fintech-staging-portal-task" },
                    }),
                },
            }),
        }));
    }

    [Fact]
    public void The_shared_action_list_names_each_action_once_with_resources()
    {
        var actions = platform.Actions.PortalActions;

        Assert.Equal(actions.Count, actions.Select(a => a.Action).Distinct().Count());
        Assert.All(actions, a => Assert.NotEmpty(a.Resources));
        Assert.All(actions, a => Assert.Matches("^[a-z0-9-]+:[A-Za-z]+$", a.Action));
    }

    /// <summary>Every action any policy attached to the role (inline or AWS::IAM::Policy) allows.</summary>
    private static HashSet<string> GrantedActions(string json, string roleId) =>
        StatementsOf(json, roleId)
            .Where(s => s["Effect"]!.GetValue<string>() == "Allow")
            .SelectMany(s => TemplateJson.Strings(s["Action"]))
            .ToHashSet();

    private static IEnumerable<JsonNode> StatementsOf(string json, string roleId)
    {
        var role = TemplateJson.Resources(json, "AWS::IAM::Role").Single(r => r.Id == roleId).Properties;
        Assert.Null(role["ManagedPolicyArns"]);
        var inline = (role["Policies"]?.AsArray() ?? []).Select(p => p!["PolicyDocument"]);
        var attached = TemplateJson.Resources(json, "AWS::IAM::Policy")
            .Where(p => (p.Properties["Roles"]?.AsArray() ?? []).Any(r => r?["Ref"]?.GetValue<string>() == roleId))
            .Select(p => p.Properties["PolicyDocument"]);
        return inline.Concat(attached).SelectMany(d => d!["Statement"]!.AsArray()).OfType<JsonNode>();
    }
}
