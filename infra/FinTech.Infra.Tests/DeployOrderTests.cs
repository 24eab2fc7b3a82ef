using System.Text.RegularExpressions;
using Amazon.CDK;

namespace FinTech.Infra.Tests;

/// <summary>The deploy order on an empty account, proven from the stacks' dependencies (references and explicit ones).</summary>
[Collection(SynthesizedPlatformCollection.Name)]
public sealed partial class DeployOrderTests(SynthesizedPlatform platform)
{
    public static TheoryData<string> Environments => ["dev", "staging", "prod"];

    [Theory]
    [MemberData(nameof(Environments))]
    public void Every_stack_deploys_after_every_stack_it_depends_on(string env)
    {
        var order = platform.Env(env).DeployOrder.Select(s => s.StackName).ToList();

        foreach (var stack in platform.Env(env).DeployOrder)
        {
            foreach (var dependency in stack.Dependencies)
            {
                Assert.True(order.IndexOf(dependency.StackName) < order.IndexOf(stack.StackName),
                    $"{stack.StackName} depends on {dependency.StackName}, which the order puts after it");
            }
        }
    }

    [Fact]
    public void The_organization_trail_is_created_after_its_bucket_and_key_in_the_security_account()
    {
        Assert.Contains(platform.Stacks.LogArchive.StackName, platform.Stacks.Organization.Dependencies.Select(d => d.StackName));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Secrets_and_the_database_exist_before_any_task_needs_them(string env)
    {
        var stacks = platform.Env(env);

        foreach (var services in new Stack[] { stacks.Compute, stacks.Portal })
        {
            var needs = Closure(services);
            Assert.Contains(stacks.Security.StackName, needs);
            Assert.Contains(stacks.Data.StackName, needs);
        }

        Assert.Contains(stacks.PortalAccess.StackName, Closure(stacks.Portal));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_portal_can_fail_without_taking_down_the_ALB_or_the_API(string env)
    {
        var stacks = platform.Env(env);

        var dependsOnPortal = stacks.DeployOrder.Where(s => Closure(s).Contains(stacks.Portal.StackName)).Select(s => s.StackName);

        Assert.Empty(dependsOnPortal);
        var compute = platform.Template(stacks.Compute);
        compute.ResourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 1);
        compute.ResourceCountIs("AWS::ECS::Service", 1);
        platform.Template(stacks.Portal).ResourceCountIs("AWS::ElasticLoadBalancingV2::LoadBalancer", 0);
    }

    [Fact]
    public void Infra_README_lists_the_stacks_in_the_deploy_order()
    {
        var readme = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "README.infra.md"));
        var section = readme[readme.IndexOf("## Deploy", StringComparison.Ordinal)..];

        var documented = StackStep().Matches(section).Select(m => m.Groups[1].Value).Distinct().ToList();

        var expected = platform.Env("dev").DeployOrder.Select(s => s.StackName["FinTech-dev-".Length..]).ToList();
        Assert.Equal(expected, documented);
    }

    [GeneratedRegex(@"^\d+\.\s.*?`(?:cdk deploy )?FinTech-<env>-(\w+)`", RegexOptions.Multiline)]
    private static partial Regex StackStep();

    private static HashSet<string> Closure(Stack stack)
    {
        var seen = new HashSet<string>();
        var pending = new System.Collections.Generic.Stack<Stack>(stack.Dependencies);
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next.StackName))
            {
                foreach (var dependency in next.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }

        return seen;
    }
}
