namespace FinTech.Portal.Tests.Identity;

public class StartupRefusalTests
{
    [Fact]
    public async Task The_portal_refuses_to_start_the_Sandbox_sign_in_when_the_ASP_NET_environment_is_Production()
    {
        var error = await PortalStartup.RefusalAsync(environment: "Production");

        Assert.Contains("Identity:Mode is Sandbox", error);
        Assert.Contains("the ASP.NET environment is Production", error);
    }

    [Fact]
    public async Task The_portal_refuses_to_start_the_Sandbox_sign_in_next_to_a_production_environment_on_AWS()
    {
        var error = await PortalStartup.RefusalAsync(AwsProduction());

        Assert.Contains("Platform:Environments:prod is a production environment on Aws (IsProduction is true)", error);
    }

    [Fact]
    public async Task The_Sandbox_sign_in_starts_next_to_a_simulated_production_environment()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?>
        {
            ["Platform:Environments:prod:DisplayName"] = "Production (simulated)",
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Platform:Environments:prod:IsProduction"] = "true",
        });
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/account/sign-in");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Entra_ID_sign_in_without_its_settings_names_each_missing_key_at_start()
    {
        var error = await PortalStartup.RefusalAsync(new Dictionary<string, string?>
        {
            ["Identity:Mode"] = "EntraId",
            ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd:TenantId"] = "4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09",
        }, environment: "Production");

        Assert.Contains("AzureAd:ClientId is required when Identity:Mode is EntraId", error);
        Assert.Contains("AzureAd:ClientSecret is required when Identity:Mode is EntraId", error);
        Assert.DoesNotContain("AzureAd:TenantId is required", error);
    }

    [Fact]
    public async Task Entra_ID_sign_in_starts_in_Production_next_to_production_environments()
    {
        await using var app = new PortalAppFactory(EntraSettings(new Dictionary<string, string?>
        {
            ["Platform:Environments:prod:Backend"] = "Sandbox",
            ["Platform:Environments:prod:IsProduction"] = "true",
        }), environment: "Production");
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/healthz");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_sign_in_mode_that_arrives_after_the_services_were_set_up_stops_the_start()
    {
        // As the browser tests' server adds its settings: a late configuration source.
        var error = await PortalStartup.RefusalAsync(environment: "Development", late: EntraSettings());

        Assert.Contains("Identity:Mode is EntraId, but the sign-in was set up as Sandbox", error);
    }

    /// <summary>A complete production environment on the Aws backend (nothing is called at start).</summary>
    internal static Dictionary<string, string?> AwsProduction(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Environments:prod:DisplayName"] = "Production",
            ["Platform:Environments:prod:Backend"] = "Aws",
            ["Platform:Environments:prod:IsProduction"] = "true",
            ["Platform:Environments:prod:Aws:AccountId"] = "333333333333",
            ["Platform:Environments:prod:Aws:Region"] = "eu-west-1",
            ["Platform:Environments:prod:Aws:RoleArn"] = "arn:aws:iam::333333333333:role/fintech-prod-portal-access",
            ["Platform:Environments:prod:Resources:LoadBalancer"] = "app/fintech-prod-alb/0123456789abcdef",
            ["Platform:Environments:prod:Resources:TargetGroup"] = "targetgroup/fintech-prod-api/0123456789abcdef",
            ["Platform:Environments:prod:Resources:EcsCluster"] = "fintech-prod",
            ["Platform:Environments:prod:Resources:EcsService"] = "fintech-prod-api",
            ["Platform:Environments:prod:Resources:AuroraCluster"] = "fintech-prod-aurora",
            ["Platform:Environments:prod:Resources:AuroraInstanceClass"] = "db.r6g.large",
            ["Platform:Environments:prod:Resources:AuroraCredentialsSecret"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
            ["Platform:Environments:prod:Resources:RedisAuthTokenSecret"] = "fintech/prod/redis/auth-token",
            ["Platform:Environments:prod:Resources:Secrets:0"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
            ["Platform:Environments:prod:Resources:ApiServiceSecrets:0"] = "fintech/prod/redis/auth-token",
            ["Platform:Environments:prod:Resources:ApiServiceSecrets:1"] = "fintech/prod/api/external-api-keys",
            ["Platform:Environments:prod:Resources:AuroraInstances:0"] = "fintech-prod-aurora-1",
            ["Platform:Environments:prod:Resources:RedisReplicationGroup"] = "fintech-prod-redis",
            ["Platform:Environments:prod:Resources:RedisNodes:0"] = "fintech-prod-redis-001",
            ["Platform:Environments:prod:Resources:SessionTable"] = "fintech-prod-sessions",
            ["Platform:Environments:prod:Resources:AlarmNamePrefix"] = "fintech-prod-",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    public static Dictionary<string, string?> EntraSettings(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Identity:Mode"] = "EntraId",
            ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd:TenantId"] = "4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09",
            ["AzureAd:ClientId"] = "8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a",
            ["AzureAd:ClientSecret"] = "test-secret-not-a-real-one",
            ["AzureAd:CallbackPath"] = "/signin-oidc",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        return settings;
    }

    internal static string Flatten(Exception? error)
    {
        var messages = new List<string>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }
        return string.Join(" | ", messages);
    }
}
