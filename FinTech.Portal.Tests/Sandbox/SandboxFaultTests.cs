using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxFaultTests
{
    private static readonly TimeSpan FewMinutes = TimeSpan.FromMinutes(5);

    public static TheoryData<SandboxFault> Faults => new(Enum.GetValues<SandboxFault>());

    /// <summary>Every fault at the night trough, the morning and the evening peak.</summary>
    public static TheoryData<SandboxFault, int> FaultsAndHours
    {
        get
        {
            var data = new TheoryData<SandboxFault, int>();
            foreach (var fault in Enum.GetValues<SandboxFault>())
            {
                foreach (var hour in new[] { 4, 10, 20 })
                {
                    data.Add(fault, hour);
                }
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FaultsAndHours))]
    public void Each_fault_fires_its_alarms_within_a_few_minutes_at_any_hour_and_clearing_it_returns_them_to_OK(SandboxFault fault, int hour)
    {
        var platform = new SandboxTestPlatform(now: new DateTimeOffset(2026, 11, 24, hour, 0, 0, TimeSpan.Zero));
        var alarms = SandboxFaults.Describe(fault).AlarmKeys;
        Assert.All(alarms, name => Assert.Equal(StateValue.Ok, platform.Alarm(name).StateValue));

        var switchedOn = platform.Now;
        platform.Platform.SetFault(fault, on: true);
        platform.Advance(FewMinutes);

        Assert.All(alarms, name =>
        {
            var alarm = platform.Alarm(name);
            Assert.Equal(StateValue.Alarm, alarm.StateValue);
            Assert.InRange(alarm.StateUpdatedTimestamp, switchedOn, platform.Now);
            Assert.Matches(@"^Threshold Crossed: \d out of the last \d datapoints \[", alarm.StateReason);
        });

        var cleared = platform.Now;
        platform.Platform.SetFault(fault, on: false);
        platform.Advance(FewMinutes);

        Assert.All(alarms, name =>
        {
            var alarm = platform.Alarm(name);
            Assert.Equal(StateValue.Ok, alarm.StateValue);
            Assert.InRange(alarm.StateUpdatedTimestamp, cleared, platform.Now);
        });
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void After_clearing_a_fault_the_metrics_are_exactly_those_of_a_platform_that_never_had_it(SandboxFault fault)
    {
        var platform = new SandboxTestPlatform();
        var untouched = new SandboxTestPlatform();
        platform.Platform.SetFault(fault, on: true);
        platform.Advance(TimeSpan.FromMinutes(10));
        platform.Platform.SetFault(fault, on: false);
        platform.Advance(FewMinutes);
        untouched.Advance(TimeSpan.FromMinutes(15));

        foreach (var query in Watched(platform))
        {
            Assert.Equal(untouched.LatestOrZero(query), platform.LatestOrZero(query));
        }
    }

    [Fact]
    public void A_latency_spike_multiplies_the_response_times()
    {
        var (before, during) = BeforeAndDuring(SandboxFault.LatencySpike, p => p.Alb("TargetResponseTime", Statistic.P99));
        var (p50Before, p50During) = BeforeAndDuring(SandboxFault.LatencySpike, p => p.Alb("TargetResponseTime", Statistic.P50));

        Assert.True(during > 1.0, $"p99 {during:F3} s");
        Assert.True(during > 3 * before);
        Assert.True(p50During > 3 * p50Before);
    }

    [Fact]
    public void An_error_burst_raises_5xx_failed_transactions_and_deadlocks()
    {
        var (errorsBefore, errors) = BeforeAndDuring(SandboxFault.ErrorBurst, p => p.Alb("HTTPCode_Target_5XX_Count", Statistic.Sum));
        var (requests, _) = BeforeAndDuring(SandboxFault.ErrorBurst, p => p.Alb("RequestCount", Statistic.Sum));
        var (failedBefore, failed) = BeforeAndDuring(SandboxFault.ErrorBurst, p => p.Business("TransactionsFailed", Statistic.Sum));
        var (_, deadlocks) = BeforeAndDuring(SandboxFault.ErrorBurst, p => p.Instance("Deadlocks", "fintech-sandbox-aurora-1", Statistic.Average));

        Assert.InRange(errors / requests, 0.05, 0.1);
        Assert.True(errorsBefore / requests < 0.002);
        Assert.True(failed > 10 * failedBefore);
        Assert.True(deadlocks > 0.1, $"{deadlocks} deadlocks/s");
    }

    [Fact]
    public void Replica_lag_puts_the_reader_seconds_behind_the_writer()
    {
        var (before, during) = BeforeAndDuring(SandboxFault.ReplicaLag, p => p.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average));
        var (_, maximum) = BeforeAndDuring(SandboxFault.ReplicaLag, p => p.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum));

        Assert.InRange(before, 5, 35);
        Assert.InRange(during, 2000, 8000);
        Assert.Equal(during, maximum);
    }

    [Fact]
    public void A_cache_miss_storm_drops_the_hit_rate_and_pushes_load_onto_Aurora_and_DynamoDB()
    {
        var (hitBefore, hit) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average));
        var (_, evictions) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Node("Evictions", "fintech-sandbox-redis-001", Statistic.Sum));
        var (_, memory) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Node("DatabaseMemoryUsagePercentage", "fintech-sandbox-redis-001", Statistic.Average));
        var (readerCpuBefore, readerCpu) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Role("CPUUtilization", "READER", Statistic.Average));
        var (readsBefore, reads) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Table("ConsumedReadCapacityUnits", Statistic.Sum));
        var (_, throttles) = BeforeAndDuring(SandboxFault.CacheMissStorm, p => p.Table("ReadThrottleEvents", Statistic.Sum));

        Assert.True(hitBefore > 92);
        Assert.InRange(hit, 50, 65);
        Assert.True(evictions > 1000);
        Assert.True(memory > 95);
        Assert.True(readerCpu > readerCpuBefore + 30);
        Assert.True(reads > 3 * readsBefore);
        Assert.True(throttles > 100);
    }

    [Fact]
    public void A_task_crash_loop_loses_tasks_and_healthy_hosts_and_the_rest_run_hot()
    {
        var (_, running) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Ecs("ECS/ContainerInsights", "RunningTaskCount", Statistic.Average));
        var (_, pending) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Ecs("ECS/ContainerInsights", "PendingTaskCount", Statistic.Average));
        var (_, unhealthy) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.TargetGroup("UnHealthyHostCount", Statistic.Maximum));
        var (_, healthy) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.TargetGroup("HealthyHostCount", Statistic.Average));
        var (cpuBefore, cpu) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Ecs("AWS/ECS", "CPUUtilization", Statistic.Average));
        var (_, memory) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Ecs("AWS/ECS", "MemoryUtilization", Statistic.Average));
        var (elbBefore, elb5xx) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Alb("HTTPCode_ELB_5XX_Count", Statistic.Sum));
        var (p99Before, p99) = BeforeAndDuring(SandboxFault.TaskCrashLoop, p => p.Alb("TargetResponseTime", Statistic.P99));

        Assert.InRange(running, 2, 4);
        Assert.Equal(6 - running, pending);
        Assert.InRange(unhealthy, 1, 2);
        Assert.Equal(running - unhealthy, healthy);
        Assert.True(cpu > cpuBefore + 20);
        Assert.True(memory > 85);
        Assert.True(elb5xx > 50 * Math.Max(elbBefore, 1));
        Assert.True(p99 > p99Before);
    }

    [Fact]
    public void A_query_over_the_past_shows_the_spike_where_it_was_and_the_recovery_after_it()
    {
        var platform = new SandboxTestPlatform();
        var on = platform.Now;
        platform.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Advance(TimeSpan.FromMinutes(15));
        var off = platform.Now;
        platform.Platform.SetFault(SandboxFault.LatencySpike, on: false);
        platform.Advance(TimeSpan.FromMinutes(30));

        var points = platform.Series(platform.Alb("TargetResponseTime", Statistic.P99), on.AddMinutes(-15), platform.Now).Points;

        Assert.Equal(60, points.Count);
        Assert.All(points.Where(p => p.Timestamp < on), p => Assert.True(p.Value < 0.5));
        Assert.All(points.Where(p => p.Timestamp >= on.AddMinutes(2) && p.Timestamp < off), p => Assert.True(p.Value > 1));
        Assert.All(points.Where(p => p.Timestamp >= off.AddMinutes(3)), p => Assert.True(p.Value < 0.5));
    }

    [Fact]
    public void Knobs_record_their_history_and_report_which_are_active()
    {
        var platform = new SandboxTestPlatform();
        var start = platform.Now;

        Assert.True(platform.Platform.SetFault(SandboxFault.ReplicaLag, on: true));
        Assert.False(platform.Platform.SetFault(SandboxFault.ReplicaLag, on: true));
        platform.Advance(TimeSpan.FromMinutes(3));
        Assert.True(platform.Platform.SetFault(SandboxFault.ErrorBurst, on: true));
        platform.Advance(TimeSpan.FromMinutes(2));
        Assert.True(platform.Platform.SetFault(SandboxFault.ReplicaLag, on: false));
        Assert.False(platform.Platform.SetFault(SandboxFault.LatencySpike, on: false));

        Assert.Equal([SandboxFault.ErrorBurst], platform.Platform.ActiveFaults);
        Assert.True(platform.Platform.IsActive(SandboxFault.ErrorBurst));
        Assert.False(platform.Platform.IsActive(SandboxFault.ReplicaLag));
        Assert.Equal(
            [
                new SandboxFaultInterval(SandboxFault.ReplicaLag, start, start.AddMinutes(5)),
                new SandboxFaultInterval(SandboxFault.ErrorBurst, start.AddMinutes(3), null),
            ],
            platform.Platform.FaultHistory);
    }

    [Fact]
    public void Subscribers_hear_of_every_change_until_they_unsubscribe()
    {
        var platform = new SandboxTestPlatform();
        var heard = new List<SandboxChange>();
        var subscription = platform.Platform.Subscribe(heard.Add);

        platform.Platform.SetFault(SandboxFault.CacheMissStorm, on: true);
        platform.Platform.SetFault(SandboxFault.CacheMissStorm, on: true);
        var failover = platform.Platform.FailoverAuroraCluster();
        platform.Advance(failover.Duration);
        subscription.Dispose();
        platform.Platform.SetFault(SandboxFault.CacheMissStorm, on: false);

        Assert.Equal(
            [
                new SandboxChange(failover.StartedAt, "Cache miss storm switched on"),
                new SandboxChange(failover.StartedAt, "Started cross AZ failover to DB instance: fintech-sandbox-aurora-2"),
                new SandboxChange(failover.CompletedAt, "Completed failover to DB instance: fintech-sandbox-aurora-2"),
            ],
            heard);
    }

    [Fact]
    public void An_unknown_fault_is_refused()
    {
        var platform = new SandboxTestPlatform();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => platform.Platform.SetFault((SandboxFault)42, on: true));

        Assert.Contains("LatencySpike", error.Message);
    }

    [Fact]
    public async Task Readers_querying_throughout_a_run_of_knob_changes_always_get_whole_answers()
    {
        var platform = new SandboxTestPlatform();
        var reads = new int[4];
        using var progress = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, reads.Length).Select(reader => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var series = await platform.Platform.CloudWatch.GetMetricDataAsync(new GetMetricDataRequest
                {
                    MetricDataQueries = [platform.Alb("TargetResponseTime", Statistic.P99).ToDataQuery()],
                    StartTime = platform.Now.AddHours(-1),
                    EndTime = platform.Now,
                });
                Assert.Equal(60, series.MetricDataResults.Single().Timestamps.Count);
                Assert.Equal(PlatformCatalogue.AllAlarms.Count(), platform.Alarms.Count);
                Interlocked.Increment(ref reads[reader]);
                progress.Release();
            }
        })).ToList();

        // Knobs turn in batches; after each batch every reader finishes a read it began after the
        // batch (two more completed reads), so reads and knob changes are interleaved throughout.
        for (var batch = 0; batch < 40; batch++)
        {
            var before = reads.Select(r => Volatile.Read(ref r)).ToArray();
            for (var i = 0; i < 5; i++)
            {
                var fault = (SandboxFault)((batch + i) % 5);
                platform.Platform.SetFault(fault, !platform.Platform.IsActive(fault));
            }
            await WaitUntilAsync(() => reads.Select((r, reader) => Volatile.Read(ref reads[reader]) >= before[reader] + 2).All(done => done), readers, progress);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(200, platform.Platform.FaultHistory.Count(f => f.End is not null) * 2 + platform.Platform.ActiveFaults.Count);
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, woken by each completed read (bounded at 30 s);
    /// a reader that ends early has failed, and fails the test at once.
    /// </summary>
    private static async Task WaitUntilAsync(Func<bool> condition, IReadOnlyList<Task> readers, SemaphoreSlim progress)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            var read = progress.WaitAsync(timeout.Token);
            await await Task.WhenAny([read, .. readers]);
        }
    }

    /// <summary>The metric in the minute before the fault and 5 minutes after switching it on.</summary>
    private static (double Before, double During) BeforeAndDuring(SandboxFault fault, Func<SandboxTestPlatform, MetricQuery> query)
    {
        var platform = new SandboxTestPlatform();
        var before = platform.LatestOrZero(query(platform));
        platform.Platform.SetFault(fault, on: true);
        platform.Advance(FewMinutes);
        return (before, platform.LatestOrZero(query(platform)));
    }

    private static IEnumerable<MetricQuery> Watched(SandboxTestPlatform p) =>
    [
        p.Alb("TargetResponseTime", Statistic.P99), p.Alb("HTTPCode_Target_5XX_Count", Statistic.Sum), p.TargetGroup("UnHealthyHostCount", Statistic.Maximum),
        p.Ecs("ECS/ContainerInsights", "RunningTaskCount", Statistic.Average), p.Ecs("AWS/ECS", "MemoryUtilization", Statistic.Average),
        p.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum), p.Role("CPUUtilization", "READER", Statistic.Average),
        p.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average), p.Node("Evictions", "fintech-sandbox-redis-001", Statistic.Sum),
        p.Table("ReadThrottleEvents", Statistic.Sum), p.Business("TransactionsFailed", Statistic.Sum),
    ];
}
