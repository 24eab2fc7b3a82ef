using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxDeterminismTests
{
    private static IReadOnlyList<MetricQuery> Queries(SandboxTestPlatform p) =>
    [
        p.Alb("TargetResponseTime", Statistic.P99) with { Id = "p99" },
        p.Alb("RequestCount", Statistic.Sum) with { Id = "requests" },
        p.Instance("CPUUtilization", "fintech-sandbox-aurora-1", Statistic.Average) with { Id = "writerCpu" },
        p.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average) with { Id = "hitRate" },
        p.Operation("SuccessfulRequestLatency", "GetItem", Statistic.P90) with { Id = "getItem" },
        p.Business("TransactionsFailed", Statistic.Sum) with { Id = "failed" },
    ];

    private static IReadOnlyList<MetricSeries> Day(SandboxTestPlatform p) =>
        p.GetMetricData(Queries(p), p.Now.AddDays(-1), p.Now);

    [Fact]
    public void Two_platforms_with_the_same_seed_give_the_same_numbers_at_the_same_time()
    {
        var first = Day(new SandboxTestPlatform(seed: 7));
        var second = Day(new SandboxTestPlatform(seed: 7));

        Assert.Equal(first.Select(s => s.Points), second.Select(s => s.Points));
    }

    [Fact]
    public void Two_platforms_with_the_same_seed_and_knob_history_agree_during_and_after_the_fault()
    {
        var first = new SandboxTestPlatform(seed: 7);
        var second = new SandboxTestPlatform(seed: 7);
        foreach (var platform in new[] { first, second })
        {
            platform.Platform.SetFault(SandboxFault.LatencySpike, on: true);
            platform.Advance(TimeSpan.FromMinutes(10));
            platform.Platform.SetFault(SandboxFault.LatencySpike, on: false);
            platform.Advance(TimeSpan.FromMinutes(10));
        }

        Assert.Equal(Day(first).Select(s => s.Points), Day(second).Select(s => s.Points));
    }

    [Fact]
    public void The_same_minute_has_the_same_value_whatever_range_or_order_it_is_asked_in()
    {
        var platform = new SandboxTestPlatform();
        var minute = platform.Now.AddHours(-5);
        var query = platform.Alb("TargetResponseTime", Statistic.P99);

        var alone = platform.Series(query, minute, minute.AddMinutes(1)).Points.Single();
        var inAWeek = platform.Series(query, platform.Now.AddDays(-7), platform.Now).Points.Single(p => p.Timestamp == minute);

        Assert.Equal(alone, inAWeek);
    }

    [Fact]
    public void A_different_seed_gives_different_numbers()
    {
        var first = Day(new SandboxTestPlatform(seed: 7));
        var second = Day(new SandboxTestPlatform(seed: 8));

        Assert.All(first.Zip(second), pair =>
        {
            var differing = pair.First.Points.Zip(pair.Second.Points).Count(p => p.First.Value != p.Second.Value);
            Assert.True(differing > pair.First.Points.Count / 2, $"{pair.First.Id}: only {differing} of {pair.First.Points.Count} minutes differ");
        });
    }

    [Fact]
    public void The_past_does_not_change_when_a_knob_is_turned_now()
    {
        var platform = new SandboxTestPlatform();
        var query = platform.Alb("TargetResponseTime", Statistic.P99);
        var before = platform.Series(query, TimeSpan.FromHours(1)).Points;

        platform.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(5));

        var after = platform.Series(query, platform.Now.AddHours(-1).AddMinutes(-5), platform.Now.AddMinutes(-5)).Points;
        Assert.Equal(before, after);
    }
}
