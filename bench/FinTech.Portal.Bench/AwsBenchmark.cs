using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.Runtime;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Aws;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Bench;

/// <summary>
/// The Aws backend against the loopback test endpoint: how many GetMetricData calls one refresh
/// of the Overview costs (goal: ⌈queries/500⌉) and how long signing one request takes.
/// </summary>
public static class AwsBenchmark
{
    private const int Refreshes = 20;
    private const int Signatures = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        await using var endpoint = await AwsTestEndpoint.StartAsync();
        AwsTestPlatform.Serve(endpoint);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(Settings(endpoint));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddPlatform();
        builder.AddAws();
        builder.Services.AddSingleton(sp => new AwsCredentialSource(
            () => new BasicAWSCredentials(AwsTestEndpoint.AccessKey, AwsTestEndpoint.SecretKey),
            sp.GetRequiredService<AwsEndpoints>(), sp.GetRequiredService<IOptions<AwsOptions>>().Value));
        using var host = builder.Build();
        var environment = host.Services.GetRequiredService<EnvironmentCatalog>().Get("staging");
        var platform = host.Services.GetRequiredService<PlatformRegistry>().Connect(environment);
        var overview = DashboardCatalog.Find(environment, "overview")!;
        var range = TimeRange.Default;
        var queries = DashboardRefresher.QueryPlan.For(overview, range).Queries.Count;
        var refresher = new DashboardRefresher(TimeProvider.System, TimeSpan.FromSeconds(10), new FinTech.Portal.Hosting.PortalMetrics(new System.Diagnostics.Metrics.Meter(FinTech.Portal.Hosting.PortalMetrics.MeterName)));

        DashboardSnapshot? previous = null;
        var before = endpoint.CallsOf("GetMetricData").Count;
        for (var i = 0; i < Refreshes; i++)
        {
            previous = await refresher.RefreshAsync(platform, overview, range, new DashboardKey("staging", "overview", range.Key), previous, CancellationToken.None);
        }
        var calls = endpoint.CallsOf("GetMetricData").Count - before;
        var failed = previous!.Panels.Values.Count(p => p.State != PanelState.Current);
        Console.WriteLine($"overview queries={queries}, refreshes={Refreshes}, GetMetricData calls={calls}, panels not current={failed}, rejected requests={endpoint.Rejections.Count}");

        Console.WriteLine($"goal: ceil({queries}/500) = {(queries + 499) / 500} call per refresh");
        var signUs = MeasureSigning();
        var perRefresh = (double)calls / Refreshes;
        Console.WriteLine($"getmetricdata_calls_per_refresh={perRefresh.ToString("0.##", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"sign_us_p99={signUs.ToString("0.0", CultureInfo.InvariantCulture)}");
        return failed == 0 && endpoint.Rejections.IsEmpty ? 0 : 1;
    }

    /// <summary>Signs a GetMetricData-sized form post (about 6 KB) with session credentials, as the portal does per attempt.</summary>
    private static double MeasureSigning()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 60).Select(i =>
            $"MetricDataQueries.member.{i}.Id=m{i}&MetricDataQueries.member.{i}.MetricStat.Metric.Namespace=AWS%2FApplicationELB&MetricDataQueries.member.{i}.MetricStat.Stat=p99&")));
        var headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" };
        var input = new AwsSigningInput("POST", new Uri("https://monitoring.eu-west-1.amazonaws.com/"), headers, body, "eu-west-1", "monitoring");
        var credentials = new ImmutableCredentials("ASIAEXAMPLE", "secret", "session-token");
        for (var i = 0; i < 2_000; i++)
        {
            AwsSigner.Sign(input, credentials);
        }
        var samples = new double[Signatures];
        for (var i = 0; i < Signatures; i++)
        {
            var started = Stopwatch.GetTimestamp();
            AwsSigner.Sign(input, credentials);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }
        Array.Sort(samples);
        Console.WriteLine($"signing: p50 {samples[Signatures / 2].ToString("0.0", CultureInfo.InvariantCulture)} µs over {Signatures} signatures");
        return samples[(int)(Signatures * 0.99)];
    }

    private static Dictionary<string, string?> Settings(AwsTestEndpoint endpoint) => new()
    {
        ["AWS_ENDPOINT_URL"] = endpoint.Url.ToString(),
        ["Platform:Environments:staging:Backend"] = "Aws",
        ["Platform:Environments:staging:Aws:AccountId"] = "222222222222",
        ["Platform:Environments:staging:Aws:Region"] = AwsTestEndpoint.Region,
        ["Platform:Environments:staging:Aws:RoleArn"] = "arn:aws:iam::222222222222:role/fintech-staging-portal-access",
        ["Platform:Environments:staging:Resources:LoadBalancer"] = "app/fintech-staging-alb/0123456789abcdef",
        ["Platform:Environments:staging:Resources:TargetGroup"] = "targetgroup/fintech-staging-api/0123456789abcdef",
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
        ["Platform:Environments:staging:Resources:RedisReplicationGroup"] = "fintech-staging-redis",
        ["Platform:Environments:staging:Resources:RedisNodes:0"] = "fintech-staging-redis-001",
        ["Platform:Environments:staging:Resources:SessionTable"] = "fintech-staging-sessions",
        ["Platform:Environments:staging:Resources:AlarmNamePrefix"] = "fintech-staging-",
    };
}
