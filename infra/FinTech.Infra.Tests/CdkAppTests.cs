using System.Text.Json.Nodes;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class CdkAppTests(SynthesizedPlatform platform)
{
    [Fact]
    public void Cdk_json_runs_the_app_with_dotnet_run()
    {
        var cdkJson = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cdk.json")))!;

        Assert.Equal("dotnet run --project FinTech.Infra", cdkJson["app"]!.GetValue<string>());
    }

    [Fact]
    public void Synthesis_needs_no_AWS_lookups_and_reports_no_problems()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(platform.AssemblyDirectory, "manifest.json")))!;

        var annotations = manifest["artifacts"]!.AsObject()
            .SelectMany(a => a.Value!["metadata"]?.AsObject().SelectMany(m => m.Value!.AsArray()) ?? [])
            .Select(e => e!["type"]!.GetValue<string>())
            .Where(t => t is "aws:cdk:error" or "aws:cdk:warning")
            .ToList();

        Assert.Null(manifest["missing"]);
        Assert.Empty(annotations);
    }

    [Theory]
    [InlineData("dev", "111111111111")]
    [InlineData("staging", "222222222222")]
    [InlineData("prod", "333333333333")]
    public void Each_environment_deploys_to_its_own_account_and_region(string env, string account)
    {
        var stacks = platform.Env(env).All.ToList();

        Assert.Equal(12, stacks.Count);
        Assert.All(stacks, s => Assert.Equal(account, s.Account));
        Assert.All(stacks, s => Assert.Equal(s == platform.Env(env).Global ? "us-east-1" : "eu-west-1", s.Region));
        Assert.All(stacks, s => Assert.StartsWith($"FinTech-{env}-", s.StackName, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_Lambda_function_the_CDK_generates_runs_on_a_runtime_Lambda_still_creates()
    {
        var runtimes = platform.Stacks.All
            .SelectMany(s => TemplateJson.Resources(platform.TemplateJson(s), "AWS::Lambda::Function"))
            .Select(f => f.Properties["Runtime"]!.GetValue<string>())
            .ToList();

        Assert.NotEmpty(runtimes);
        Assert.All(runtimes, r => Assert.Equal(FinTech.Infra.Aspects.SupportedLambdaRuntime.Runtime, r));
    }

    [Fact]
    public void Production_stacks_have_termination_protection()
    {
        Assert.All(platform.Env("prod").All, s => Assert.True(s.TerminationProtection));
        Assert.All(platform.Env("dev").All, s => Assert.False(s.TerminationProtection));
    }
}
