using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxPercentileTests
{
    private static readonly int[] Periods = [60, 120, 300, 900, 3600, 21600];

    /// <summary>A platform with a day of knob history behind it: faults on and off at odd times.</summary>
    private static SandboxTestPlatform PlatformWithIncidents()
    {
        var platform = new SandboxTestPlatform(now: SandboxTestPlatform.TuesdayMorning.AddDays(-1));
        var random = new Random(1234);
        for (var step = 0; step < 40; step++)
        {
            var fault = (SandboxFault)random.Next(5);
            platform.Platform.SetFault(fault, !platform.Platform.IsActive(fault));
            platform.Advance(TimeSpan.FromSeconds(random.Next(60, 3000)));
        }
        return platform;
    }

    public static TheoryData<string> Distributions => ["TargetResponseTime", "TransactionLatency", "SuccessfulRequestLatency"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void P99_is_never_below_p90_and_p90_never_below_p50_over_any_range_and_period_even_during_faults(string metric)
    {
        var platform = PlatformWithIncidents();
        var random = new Random(metric.Length);
        for (var trial = 0; trial < 40; trial++)
        {
            var period = Periods[random.Next(Periods.Length)];
            var end = platform.Now.AddMinutes(-random.Next(0, 60 * 24));
            var start = end.AddMinutes(-random.Next(15, 60 * 24 * 2));
            var series = platform.GetMetricData(
                [Query(platform, metric, Statistic.P50, period), Query(platform, metric, Statistic.P90, period), Query(platform, metric, Statistic.P99, period),
                 Query(platform, metric, Statistic.Parse("p99.9"), period), Query(platform, metric, Statistic.Maximum, period), Query(platform, metric, Statistic.Minimum, period)],
                start, end);

            var (p50, p90, p99, p999, max, min) = (series[0].Points, series[1].Points, series[2].Points, series[3].Points, series[4].Points, series[5].Points);
            Assert.NotEmpty(p50);
            for (var i = 0; i < p50.Count; i++)
            {
                Assert.True(min[i].Value <= p50[i].Value, $"{metric} {period}s {p50[i].Timestamp:u}: min {min[i].Value} > p50 {p50[i].Value}");
                Assert.True(p50[i].Value <= p90[i].Value, $"{metric} {period}s {p50[i].Timestamp:u}: p50 {p50[i].Value} > p90 {p90[i].Value}");
                Assert.True(p90[i].Value <= p99[i].Value, $"{metric} {period}s {p50[i].Timestamp:u}: p90 {p90[i].Value} > p99 {p99[i].Value}");
                Assert.True(p99[i].Value <= p999[i].Value, $"{metric} {period}s {p50[i].Timestamp:u}: p99 {p99[i].Value} > p99.9 {p999[i].Value}");
                Assert.True(p999[i].Value <= max[i].Value, $"{metric} {period}s {p50[i].Timestamp:u}: p99.9 {p999[i].Value} > max {max[i].Value}");
            }
        }
    }

    [Fact]
    public void Percentiles_of_a_level_metric_are_ordered_too()
    {
        var platform = PlatformWithIncidents();
        var queries = new[] { Statistic.Minimum, Statistic.P50, Statistic.P90, Statistic.P99, Statistic.Maximum }
            .Select(s => platform.Node("CacheHitRate", "fintech-sandbox-redis-001", s, 3600) with { Id = "q" + s.Name.Replace('.', '_') })
            .ToList();

        var series = platform.GetMetricData(queries, platform.Now.AddDays(-1), platform.Now);

        for (var i = 0; i < series[0].Points.Count; i++)
        {
            var values = series.Select(s => s.Points[i].Value).ToList();
            Assert.Equal(values.Order(), values);
        }
    }

    private static MetricQuery Query(SandboxTestPlatform platform, string metric, Statistic statistic, int period) =>
        (metric switch
        {
            "TargetResponseTime" => platform.Alb(metric, statistic, period),
            "TransactionLatency" => platform.Business(metric, statistic, period),
            _ => platform.Operation(metric, "GetItem", statistic, period),
        }) with { Id = "q" + statistic.Name.Replace('.', '_') };
}
