using Amazon.Runtime;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Tests.Aws;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Microsoft.Playwright.Assertions;

namespace FinTech.Portal.Tests.Browser;

/// <summary>The portal on an Aws environment, pointed at the test endpoint with AWS_ENDPOINT_URL, seen in a browser.</summary>
[Collection(BrowserCollection.Name)]
public class AwsOverviewBrowserTests(BrowserFixture browser)
{
    [Fact]
    public async Task The_overview_of_an_Aws_environment_shows_data_from_signed_calls()
    {
        await using var aws = await AwsTestEndpoint.StartAsync();
        AwsTestPlatform.Serve(aws);
        await using var server = new AwsPortalServer(aws);
        var page = await browser.NewPageAsync(server.RootUri);
        await page.SignInAsPersonaAsync("olivia");

        await page.GotoAsync("/?env=staging");

        var p99 = page.Locator("[data-testid=panel-latency][data-state=Current] [data-series='p99'] polyline");
        await Expect(p99).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        Assert.Equal(60, (await p99.GetAttributeAsync("points"))!.Split(' ').Length);
        await Expect(page.Locator("[data-testid=panel-alarms] [data-testid=alarm-ok]").First).ToBeVisibleAsync();
        Assert.Empty(aws.Rejections);
        Assert.NotEmpty(aws.CallsOf("AssumeRole"));
        Assert.All(aws.CallsOf("GetMetricData"), call => Assert.StartsWith("ASIA", call.AccessKey, StringComparison.Ordinal));
    }

    /// <summary>One Aws environment named as infra names it; the portal's own credentials are the test endpoint's key.</summary>
    private sealed class AwsPortalServer(AwsTestEndpoint aws) : PortalServer(new Dictionary<string, string?>
    {
        ["AWS_ENDPOINT_URL"] = aws.Url.ToString(),
        ["Platform:DefaultEnvironment"] = "staging",
        ["Platform:Environments:staging:DisplayName"] = "Staging",
        ["Platform:Environments:staging:Backend"] = "Aws",
        ["Platform:Environments:staging:Aws:AccountId"] = "222222222222",
        ["Platform:Environments:staging:Aws:Region"] = AwsTestEndpoint.Region,
        ["Platform:Environments:staging:Aws:RoleArn"] = "arn:aws:iam::222222222222:role/fintech-staging-portal-access",
        ["Platform:Environments:staging:Resources:LoadBalancer"] = "app/fintech-staging-alb/0123456789abcdef",
        ["Platform:Environments:staging:Resources:TargetGroup"] = "targetgroup/fintech-staging-api/0123456789abcdef",
        ["Platform:Environments:staging:Resources:PortalTargetGroup"] = "targetgroup/fintech-staging-portal/0123456789abcdef",
        ["Platform:Environments:staging:Resources:EcsCluster"] = "fintech-staging",
        ["Platform:Environments:staging:Resources:EcsService"] = "fintech-staging-api",
        ["Platform:Environments:staging:Resources:AuroraCluster"] = "fintech-staging-aurora",
        ["Platform:Environments:staging:Resources:AuroraInstanceClass"] = "db.r6g.large",
        ["Platform:Environments:staging:Resources:AuroraCredentialsSecret"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
        ["Platform:Environments:staging:Resources:RedisAuthTokenSecret"] = "fintech/staging/redis/auth-token",
        ["Platform:Environments:staging:Resources:Secrets:0"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
        ["Platform:Environments:staging:Resources:ApiServiceSecrets:0"] = "fintech/staging/redis/auth-token",
        ["Platform:Environments:staging:Resources:ApiServiceSecrets:1"] = "fintech/staging/api/external-api-keys",
        ["Platform:Environments:staging:Resources:AuroraInstances:0"] = "fintech-staging-aurora-1",
        ["Platform:Environments:staging:Resources:AuroraInstances:1"] = "fintech-staging-aurora-2",
        ["Platform:Environments:staging:Resources:RedisReplicationGroup"] = "fintech-staging-redis",
        ["Platform:Environments:staging:Resources:RedisNodes:0"] = "fintech-staging-redis-001",
        ["Platform:Environments:staging:Resources:RedisNodes:1"] = "fintech-staging-redis-002",
        ["Platform:Environments:staging:Resources:SessionTable"] = "fintech-staging-sessions",
        ["Platform:Environments:staging:Resources:AlarmNamePrefix"] = "fintech-staging-",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton(sp => new AwsCredentialSource(
                () => new BasicAWSCredentials(AwsTestEndpoint.AccessKey, AwsTestEndpoint.SecretKey),
                sp.GetRequiredService<AwsEndpoints>(), sp.GetRequiredService<IOptions<AwsOptions>>().Value)));
        }
    }
}
