using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class PortalIamTests(SynthesizedPlatform platform)
{
    public static TheoryData<string> Environments => ["dev", "staging", "prod"];

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_portal_s_two_roles_together_grant_exactly_the_actions_of_the_shared_list(string env)
    {
        var taskRole = TaskRoleActions(env);
        var accessRole = AccessRoleActions(env);

        var expected = platform.Actions.PortalActions.Select(a => a.Action).ToHashSet();
        Assert.Equal(expected.Order(), taskRole.Union(accessRole).Order());
        Assert.Empty(taskRole.Intersect(accessRole));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_task_role_only_assumes_the_access_role_and_writes_the_audit_anchors(string env)
    {
        Assert.Equal(
            ["kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:PutLogEvents",
             "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:PutObjectRetention", "sts:AssumeRole"],
            TaskRoleActions(env).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_access_role_uses_a_wildcard_resource_only_for_actions_without_resource_permissions(string env)
    {
        var access = platform.Env(env).PortalAccess;
        var unscoped = platform.Actions.PortalActions.Where(a => a.IsUnscoped).Select(a => a.Action).ToHashSet();

        var wildcardActions = StatementsOf(platform.TemplateJson(access), RoleId(access, access.AccessRole))
            .Where(s => TemplateJson.Strings(s["Resource"]).Contains("*"))
            .SelectMany(s => TemplateJson.Strings(s["Action"]))
            .ToHashSet();

        Assert.NotEmpty(wildcardActions);
        Assert.Subset(unscoped, wildcardActions);
    }

    [Fact]
    public void Scoped_actions_name_the_environment_s_own_resources()
    {
        platform.Template(platform.Env("prod").PortalAccess).HasResourceProperties("AWS::IAM::Policy", Like.Object(("PolicyDocument", Like.Object(
            ("Statement", Match.ArrayWith(
            [
                Like.Object(
                    ("Action", Match.ArrayWith(["rds:DescribeDBClusters", "rds:FailoverDBCluster"])),
                    ("Resource", "arn:aws:rds:eu-west-1:333333333333:cluster:fintech-prod-aurora")),
            ]))))));
        platform.Template(platform.Env("prod").Portal).HasResourceProperties("AWS::IAM::Policy", Like.Object(("PolicyDocument", Like.Object(
            ("Statement", Match.ArrayWith(
            [
                Like.Object(("Action", "sts:AssumeRole"), ("Resource", "arn:aws:iam::333333333333:role/fintech-prod-portal-access")),
            ]))))));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void PassRole_names_exactly_the_API_s_two_roles_and_only_for_ECS_tasks(string env)
    {
        var access = platform.Env(env).PortalAccess;
        var account = platform.Env(env).Context.Config.Account;

        var statement = Assert.Single(StatementsOf(platform.TemplateJson(access), RoleId(access, access.AccessRole)),
            s => TemplateJson.Strings(s["Action"]).Contains("iam:PassRole"));

        Assert.Equal(["iam:PassRole"], TemplateJson.Strings(statement["Action"]));
        Assert.Equal(
            [$"arn:aws:iam::{account}:role/fintech-{env}-api-execution", $"arn:aws:iam::{account}:role/fintech-{env}-api-task"],
            TemplateJson.Strings(statement["Resource"]).Order());
        var condition = statement["Condition"]!.AsObject();
        Assert.Equal(["StringEquals"], condition.Select(c => c.Key));
        Assert.Equal("ecs-tasks.amazonaws.com", condition["StringEquals"]!["iam:PassedToService"]!.GetValue<string>());
        Assert.Single(condition["StringEquals"]!.AsObject());
    }

    [Fact]
    public void The_access_role_trusts_only_the_portal_task_role_by_its_ARN()
    {
        var access = platform.Env("staging").PortalAccess;
        platform.Template(access).HasResourceProperties("AWS::IAM::Role", Like.Object(
            ("RoleName", "fintech-staging-portal-access"),
            ("AssumeRolePolicyDocument", Like.Object(("Statement", new object[]
            {
                Like.Object(
                    ("Action", "sts:AssumeRole"),
                    ("Effect", "Allow"),
                    ("Principal", Like.Object(("AWS", Match.AnyValue()))),
                    ("Condition", Match.ObjectEquals(new Dictionary<string, object>
                    {
                        ["ArnEquals"] = Match.ObjectEquals(new Dictionary<string, object>
                        {
                            ["aws:PrincipalArn"] = "arn:aws:iam::222222222222:role/fintech-staging-portal-task",
                        }),
                    }))),
            })))));
    }

    [Fact]
    public void The_task_role_writes_anchors_only_into_its_environment_s_anchor_bucket_and_uses_the_key_only_through_S3_for_it()
    {
        var portal = platform.Env("prod").Portal;
        var statements = StatementsOf(platform.TemplateJson(portal), RoleId(portal, portal.TaskRole)).ToList();

        var write = Assert.Single(statements, s => TemplateJson.Strings(s["Action"]).Contains("s3:PutObject"));
        Assert.Equal(["s3:GetObject", "s3:PutObject", "s3:PutObjectRetention"], TemplateJson.Strings(write["Action"]).Order(StringComparer.Ordinal));
        Assert.Equal(["arn:aws:s3:::fintech-prod-audit-anchors-333333333333/audit-anchors/*"], TemplateJson.Strings(write["Resource"]));
        Assert.Equal("333333333333", write["Condition"]!["StringEquals"]!["s3:ResourceAccount"]!.GetValue<string>());
        var kms = Assert.Single(statements, s => TemplateJson.Strings(s["Action"]).Contains("kms:GenerateDataKey"));
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], TemplateJson.Strings(kms["Action"]).Order(StringComparer.Ordinal));
        Assert.Equal("s3.eu-west-1.amazonaws.com", kms["Condition"]!["StringEquals"]!["kms:ViaService"]!.GetValue<string>());
        Assert.Equal("arn:aws:s3:::fintech-prod-audit-anchors-333333333333", kms["Condition"]!["StringEquals"]!["kms:EncryptionContext:aws:s3:arn"]!.GetValue<string>());
    }

    private HashSet<string> TaskRoleActions(string env)
    {
        var portal = platform.Env(env).Portal;
        return GrantedActions(platform.TemplateJson(portal), RoleId(portal, portal.TaskRole));
    }

    private HashSet<string> AccessRoleActions(string env)
    {
        var access = platform.Env(env).PortalAccess;
        return GrantedActions(platform.TemplateJson(access), RoleId(access, access.AccessRole));
    }

    private static string RoleId(Amazon.CDK.Stack stack, Amazon.CDK.AWS.IAM.Role role) =>
        stack.GetLogicalId((Amazon.CDK.CfnElement)role.Node.DefaultChild!);

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
