using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>The dashboards ask the Sandbox what they would ask CloudWatch; every question must find its metric.</summary>
public class SandboxDashboardContractTests
{
    private static readonly PortalEnvironment Environment =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, SandboxResources(), SandboxTestPlatform.Seed, Aws: null);

    public static TheoryData<string> Dashboards => new(DashboardCatalog.Ids);

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_metric_of_a_dashboard_has_an_hour_of_data_in_the_Sandbox(string dashboard)
    {
        var platform = new SandboxTestPlatform(resources: Environment.Resources);
        var specs = DashboardCatalog.Find(Environment, dashboard)!.Panels
            .SelectMany(p => p.Series).SelectMany(s => s.Metrics)
            .DistinctBy(m => m.Key)
            .ToList();

        var series = platform.Platform.Metrics.GetMetricData(
            new MetricDataRequest(specs.Select((m, i) => m.ToQuery($"m{i}", 60)).ToList(), platform.Now.AddHours(-1), platform.Now));

        Assert.All(specs.Zip(series), pair =>
        {
            var (spec, answer) = pair;
            // A primary has no replication lag, in CloudWatch as here.
            var expected = spec.MetricName == "ReplicationLag" && spec.Dimensions.Single().Value == platform.Platform.RedisPrimary ? 0 : 60;
            Assert.True(expected == answer.Points.Count, $"{spec.Key}: {answer.Points.Count} points");
        });
    }

    private static PlatformResources SandboxResources()
    {
        var resources = new PlatformResources();
        resources.ApplySandboxDefaults();
        return resources;
    }
}
