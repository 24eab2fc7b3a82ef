using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>The refresh loops, refreshes and upstream calls as the portal's metrics count them.</summary>
public sealed class DashboardMetricsTests
{
    private sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>Everything the fixture's own meter records (other tests' hubs use meters of their own).</summary>
    private static MeterListener Listen(HubFixture fixture, ConcurrentQueue<Measurement> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == fixture.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            into.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            into.Enqueue(new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task A_refresh_counts_one_call_per_source_and_a_failing_ECS_call_as_a_failure_of_its_own()
    {
        await using var fixture = new HubFixture();
        var measurements = new ConcurrentQueue<Measurement>();
        using var listener = Listen(fixture, measurements);
        fixture.Platform.EcsFailure = new PlatformUnavailableException("ECS denied DescribeServices");

        using (fixture.Hub.Subscribe(HubFixture.Overview(), _ => { }))
        {
            await fixture.WaitUntilAsync(() => measurements.Any(m => m.Instrument == "portal.dashboard.refreshes"));
        }
        await fixture.WaitUntilAsync(() => fixture.Hub.ActiveFeeds == 0);

        var calls = measurements.Where(m => m.Instrument == "portal.upstream.calls")
            .Select(m => $"{m.Tags["source"]}:{m.Tags["outcome"]}").Order(StringComparer.Ordinal);
        Assert.Equal(
            ["cloudwatch-alarms:success", "cloudwatch-metrics:success", "dynamodb:success", "ecs:failure", "elasticache:success", "rds:success"],
            calls);
        var failure = Assert.Single(measurements, m => m.Instrument == "portal.upstream.failures");
        Assert.Equal(("ecs", "failure"), (failure.Tags["source"], failure.Tags["reason"]));
        var refresh = Assert.Single(measurements, m => m.Instrument == "portal.dashboard.refreshes");
        Assert.Equal(("overview", "1h"), (refresh.Tags["dashboard"], refresh.Tags["range"]));
        // The loop started and, with its only viewer gone, stopped.
        Assert.Equal([1.0, -1.0], measurements.Where(m => m.Instrument == "portal.dashboard.refresh_loops").Select(m => m.Value));
    }

    [Fact]
    public async Task A_source_that_does_not_answer_in_time_is_counted_as_a_timeout()
    {
        await using var fixture = new HubFixture();
        var measurements = new ConcurrentQueue<Measurement>();
        using var listener = Listen(fixture, measurements);
        fixture.Platform.Gate = new TaskCompletionSource();
        using var subscription = fixture.Hub.Subscribe(HubFixture.Overview(), _ => { });
        await fixture.WaitUntilAsync(() => fixture.Platform.MetricCalls == 1);

        // The upstream timeout (5 s) runs on the simulated clock.
        await fixture.AdvanceUntilAsync(() => measurements.Any(m => m.Instrument == "portal.upstream.failures"));

        var timeout = Assert.Single(measurements, m => m.Instrument == "portal.upstream.failures");
        Assert.Equal(("cloudwatch-metrics", "timeout"), (timeout.Tags["source"], timeout.Tags["reason"]));
        fixture.Platform.Gate.SetResult();
    }
}
