using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>The dashboards ask the Sandbox what they would ask CloudWatch; every question must find its metric.</summary>
public class SandboxDashboardContractTests
{
    private static readonly PortalEnvironment Environment =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, SandboxResources(), SandboxTestPlatform.Seed, Aws: null);

    public static TheoryData<string> Dashboards => new(DashboardCatalog.Ids);

    [Theory]
    [InlineData("db.t4g.medium", 324d)]
    [InlineData("db.r6g.xlarge", 2680d)]
    public void The_connections_panel_draws_its_warning_line_where_the_environments_connections_alarm_fires(string instanceClass, double threshold)
    {
        var resources = SandboxResources();
        resources.AuroraInstanceClass = instanceClass;
        var environment = Environment with { Resources = resources };

        var panel = DashboardCatalog.Find(environment, "database")!.Panels.Single(p => p.Id == "db-connections");

        Assert.Equal(threshold, panel.WarningThreshold);
        Assert.Equal(threshold, new SandboxTestPlatform(resources: resources).Alarm("aurora-connections").Threshold);
    }

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void Every_metric_of_a_dashboard_has_an_hour_of_data_in_the_Sandbox(string dashboard)
    {
        var platform = new SandboxTestPlatform(resources: Environment.Resources);
        var specs = DashboardCatalog.Find(Environment, dashboard)!.Panels
            .SelectMany(p => p.Series).SelectMany(s => s.Metrics)
            .DistinctBy(m => m.Key)
            .ToList();

        var request = new GetMetricDataRequest
        {
            MetricDataQueries = specs.Select((m, i) => m.ToQuery($"m{i}", 60)).ToList(),
            StartTime = platform.Now.AddHours(-1),
            EndTime = platform.Now,
            ScanBy = ScanBy.TimestampAscending,
        };
        var results = platform.Platform.CloudWatch.GetMetricData(request).MetricDataResults;
        var filled = DashboardCatalog.Find(Environment, dashboard)!.Panels.SelectMany(p => p.Series)
            .SelectMany(s => s switch
            {
                MetricSeriesDefinition { FillZero: true } m => [m.Metric.Key],
                PercentSeriesDefinition p => [p.Part.Key],
                _ => Array.Empty<string>(),
            })
            .ToHashSet();

        Assert.All(specs.Zip(results), pair =>
        {
            var (spec, answer) = pair;
            var node = spec.Dimensions.FirstOrDefault(d => d.Name == "CacheClusterId")?.Value;
            if (filled.Contains(spec.Key))
            {
                // A count CloudWatch leaves out when it is zero: the panel fills the gaps.
                Assert.InRange(answer.Timestamps.Count, 0, 60);
            }
            else if ((spec.MetricName == "ReplicationLag" && node == platform.Platform.RedisPrimary)
                || (spec.MetricName == "CacheHitRate" && node is not null && node != platform.Platform.RedisPrimary))
            {
                // A primary has no replication lag, a replica that serves no reads no hit rate: in CloudWatch as here.
                Assert.Empty(answer.Timestamps);
            }
            else
            {
                Assert.True(answer.Timestamps.Count == 60, $"{spec.Key}: {answer.Timestamps.Count} points");
            }
        });
    }

    private static PlatformResources SandboxResources() => PlatformResources.Sandbox();
}
