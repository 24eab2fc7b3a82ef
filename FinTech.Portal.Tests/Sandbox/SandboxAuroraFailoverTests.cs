using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>RDS <c>FailoverDBCluster</c>, <c>DescribeDBClusters</c> and <c>DescribeEvents</c> as the Sandbox plays them, on a fake clock.</summary>
public class SandboxAuroraFailoverTests
{
    // For seed 20261124 the first failover takes 28 s and the second 47 s (drawn from the seed).
    private static readonly TimeSpan FirstDuration = TimeSpan.FromSeconds(28);
    private static readonly TimeSpan SecondDuration = TimeSpan.FromSeconds(47);

    private static FailoverDBClusterRequest Failover(string? target = null) =>
        new() { DBClusterIdentifier = "fintech-aurora", TargetDBInstanceIdentifier = target };

    [Fact]
    public async Task A_failover_takes_the_seeded_time_and_reports_started_then_completed_events()
    {
        var platform = new SandboxTestPlatform();
        var rds = platform.Platform.Rds;
        var start = platform.Now;

        var response = await rds.FailoverDBClusterAsync(Failover("fintech-aurora-2"));
        var eventsDuring = await rds.DescribeEventsAsync(new DescribeEventsRequest { SourceType = SourceType.DbCluster, SourceIdentifier = "fintech-aurora" });
        platform.Advance(FirstDuration);
        var eventsAfter = await rds.DescribeEventsAsync(new DescribeEventsRequest { SourceType = SourceType.DbCluster, SourceIdentifier = "fintech-aurora" });

        Assert.Equal("failing-over", response.DBCluster.Status);
        Assert.Equal(FirstDuration, platform.Platform.AuroraFailovers.Single().Duration);
        var arn = "arn:aws:rds:eu-west-1:111122223333:cluster:fintech-aurora";
        var started = new Event
        {
            SourceIdentifier = "fintech-aurora",
            SourceType = "db-cluster",
            Message = "Started cross AZ failover to DB instance: fintech-aurora-2",
            EventCategories = ["failover"],
            Date = start,
            SourceArn = arn,
            EventId = "RDS-EVENT-0073",
        };
        Assert.Equal([started], eventsDuring.Events, EventComparer.Instance);
        Assert.Equal(
            [started, started with { Message = "Completed failover to DB instance: fintech-aurora-2", Date = start + FirstDuration, EventId = "RDS-EVENT-0071" }],
            eventsAfter.Events, EventComparer.Instance);
        Assert.Null(eventsAfter.Marker);
    }

    [Fact]
    public void Each_failover_draws_its_own_duration_between_20_and_60_seconds_and_the_same_seed_draws_the_same()
    {
        var durations = Durations(new SandboxTestPlatform(), 12);
        var again = Durations(new SandboxTestPlatform(), 12);
        var otherSeed = Durations(new SandboxTestPlatform(seed: 7), 12);

        Assert.Equal(FirstDuration, durations[0]);
        Assert.Equal(SecondDuration, durations[1]);
        Assert.Equal(durations, again);
        Assert.NotEqual(durations, otherSeed);
        Assert.All(durations, d => Assert.InRange(d.TotalSeconds, 20, 60));
        Assert.All(durations, d => Assert.Equal(0, d.Ticks % TimeSpan.TicksPerSecond));
        Assert.True(durations.Distinct().Count() > 4, string.Join(", ", durations));
    }

    [Fact]
    public async Task The_cluster_is_failing_over_until_the_completed_event_and_a_second_failover_meanwhile_is_refused()
    {
        var platform = new SandboxTestPlatform();
        var rds = platform.Platform.Rds;
        await rds.FailoverDBClusterAsync(Failover());
        platform.Advance(FirstDuration - TimeSpan.FromSeconds(1));

        var cluster = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "fintech-aurora" })).DBClusters.Single();
        var refusal = await Assert.ThrowsAsync<InvalidDBClusterStateException>(() => rds.FailoverDBClusterAsync(Failover()));
        platform.Advance(TimeSpan.FromSeconds(1));
        var completed = (await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest())).DBClusters.Single();

        Assert.Equal("failing-over", cluster.Status);
        Assert.Equal([true, false], cluster.DBClusterMembers.Select(m => m.IsClusterWriter));
        Assert.Equal("InvalidDBClusterStateFault", refusal.ErrorCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refusal.StatusCode);
        Assert.Contains("is failing over to fintech-aurora-2", refusal.Message);
        Assert.Single(platform.Platform.AuroraFailovers);
        Assert.Equal("available", completed.Status);
        Assert.Equal([false, true], completed.DBClusterMembers.Select(m => m.IsClusterWriter));
        Assert.Equal(["fintech-aurora-1", "fintech-aurora-2"], completed.DBClusterMembers.Select(m => m.DBInstanceIdentifier));
    }

    [Fact]
    public async Task An_unknown_cluster_is_reported_with_the_RDS_fault_code()
    {
        var platform = new SandboxTestPlatform();

        var failover = await Assert.ThrowsAsync<DBClusterNotFoundException>(() => platform.Platform.Rds.FailoverDBClusterAsync(new FailoverDBClusterRequest { DBClusterIdentifier = "payments" }));
        var describe = await Assert.ThrowsAsync<DBClusterNotFoundException>(() => platform.Platform.Rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "payments" }));

        Assert.Equal(("DBClusterNotFoundFault", System.Net.HttpStatusCode.NotFound), (failover.ErrorCode, failover.StatusCode));
        Assert.Equal("DBCluster payments not found: this environment's Aurora cluster is fintech-aurora.", describe.Message);
        Assert.Empty(platform.Platform.AuroraFailovers);
    }

    [Fact]
    public async Task Events_are_paged_by_marker_and_filtered_by_time_range_duration_and_category()
    {
        var platform = new SandboxTestPlatform();
        var rds = platform.Platform.Rds;
        var start = platform.Now;
        for (var i = 0; i < 15; i++)
        {
            await rds.FailoverDBClusterAsync(Failover());
            platform.Advance(TimeSpan.FromMinutes(2));
        }

        var first = await rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, MaxRecords = 20 });
        var second = await rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, MaxRecords = 20, Marker = first.Marker });
        var lastTenMinutes = await rds.DescribeEventsAsync(new DescribeEventsRequest { Duration = 10 });
        var window = await rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start.AddMinutes(2), EndTime = start.AddMinutes(4).AddSeconds(-1) });
        var otherCategory = await rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, EventCategories = ["backup"] });
        var instances = await rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, SourceType = SourceType.DbInstance });

        Assert.Equal(20, first.Events.Count);
        Assert.NotNull(first.Marker);
        Assert.Equal(10, second.Events.Count);
        Assert.Null(second.Marker);
        var all = first.Events.Concat(second.Events).ToList();
        Assert.Equal(all.OrderBy(e => e.Date), all);
        Assert.Equal(15, all.Count(e => e.EventId == "RDS-EVENT-0073"));
        Assert.Equal(15, all.Count(e => e.EventId == "RDS-EVENT-0071"));
        Assert.All(lastTenMinutes.Events, e => Assert.True(e.Date >= platform.Now.AddMinutes(-10)));
        Assert.Equal(10, lastTenMinutes.Events.Count);
        Assert.Equal(["RDS-EVENT-0073", "RDS-EVENT-0071"], window.Events.Select(e => e.EventId));
        Assert.Equal("Started cross AZ failover to DB instance: fintech-aurora-1", window.Events[0].Message);
        Assert.Empty(otherCategory.Events);
        Assert.Empty(instances.Events);
    }

    [Fact]
    public async Task Bad_paging_and_ranges_are_refused_as_invalid_parameters()
    {
        var rds = new SandboxTestPlatform().Platform.Rds;

        var marker = await Assert.ThrowsAsync<InvalidParameterValueException>(() => rds.DescribeEventsAsync(new DescribeEventsRequest { Marker = "abc" }));
        var size = await Assert.ThrowsAsync<InvalidParameterValueException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { MaxRecords = 5 }));
        var range = await Assert.ThrowsAsync<InvalidParameterValueException>(() => rds.DescribeEventsAsync(new DescribeEventsRequest { StartTime = SandboxTestPlatform.TuesdayMorning, EndTime = SandboxTestPlatform.TuesdayMorning.AddHours(-1) }));
        var source = await Assert.ThrowsAsync<InvalidParameterValueException>(() => rds.DescribeEventsAsync(new DescribeEventsRequest { SourceIdentifier = "fintech-aurora" }));

        Assert.Equal("InvalidParameterValue", marker.ErrorCode);
        Assert.Equal("MaxRecords must be between 20 and 100; got 5.", size.Message);
        Assert.Contains("is after EndTime", range.Message);
        Assert.Contains("SourceType is required", source.Message);
    }

    [Fact]
    public void Writes_fail_from_a_second_after_the_start_until_the_endpoint_s_DNS_follows_the_new_writer()
    {
        var platform = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromSeconds(10));
        var failover = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(2));

        var samples = platform.Platform.WriteProbe.Samples(new WriteProbeRequest(WriteProbeTarget.AuroraWriter, failover.StartedAt.AddSeconds(-5), failover.StartedAt.AddMinutes(2)));

        Assert.Equal(125, samples.Count);
        var failed = samples.Where(s => !s.Succeeded).ToList();
        Assert.Equal(failover.StartedAt.AddSeconds(1), failed[0].Time);
        Assert.Equal(failover.CompletedAt.AddSeconds(4), failed[^1].Time);
        Assert.Equal((int)FirstDuration.TotalSeconds + 4, failed.Count);
        Assert.Equal(failed.Count, (int)(failed[^1].Time - failed[0].Time).TotalSeconds + 1);
        Assert.Contains("server closed the connection unexpectedly", failed[0].Error);
        Assert.Equal(SandboxWriteProbe.TimeoutMilliseconds, failed[0].LatencyMilliseconds);
        Assert.StartsWith("ERROR: cannot execute INSERT in a read-only transaction", failed[^1].Error);
        Assert.All(samples.Where(s => s.Succeeded), s => Assert.Null(s.Error));
        var settled = samples.Where(s => s.Time >= failover.WritesResumeAt.AddSeconds(20)).ToList();
        var recovering = samples.Where(s => s.Time >= failover.WritesResumeAt && s.Time < failover.WritesResumeAt.AddSeconds(5)).ToList();
        Assert.All(settled, s => Assert.InRange(s.LatencyMilliseconds, 2, 10));
        Assert.All(recovering, s => Assert.True(s.LatencyMilliseconds > 15, $"{s.Time:T}: {s.LatencyMilliseconds} ms"));
    }

    [Fact]
    public void The_write_unavailability_of_a_failover_is_one_outage_of_its_duration_plus_four_seconds()
    {
        var platform = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromSeconds(10));
        var failover = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(2));

        var summary = WriteUnavailability.From(platform.Platform.WriteProbe.Samples(
            new WriteProbeRequest(WriteProbeTarget.AuroraWriter, failover.StartedAt.AddMinutes(-1), failover.StartedAt.AddMinutes(2))));

        Assert.Equal(180, summary.Samples);
        Assert.Equal(TimeSpan.FromSeconds(32), summary.Unavailable);
        Assert.Equal((SandboxTestPlatform.TuesdayMorning.AddSeconds(11), SandboxTestPlatform.TuesdayMorning.AddSeconds(42)), (summary.FirstFailure, summary.LastFailure));
        var outage = Assert.Single(summary.Outages);
        Assert.Equal((summary.FirstFailure!.Value, failover.WritesResumeAt, 32), (outage.Start, outage.End, outage.FailedSamples));
        Assert.Contains("server closed the connection", outage.FirstError);
        Assert.Contains("read-only transaction", outage.LastError);
    }

    [Fact]
    public void The_write_probe_is_deterministic_and_never_reports_a_second_that_has_not_passed()
    {
        var platform = new SandboxTestPlatform();
        var twin = new SandboxTestPlatform();
        platform.Platform.FailoverAuroraCluster();
        twin.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromSeconds(30.5));
        twin.Advance(TimeSpan.FromSeconds(30.5));
        var request = new WriteProbeRequest(WriteProbeTarget.AuroraWriter, SandboxTestPlatform.TuesdayMorning, SandboxTestPlatform.TuesdayMorning.AddMinutes(5));

        var samples = platform.Platform.WriteProbe.Samples(request);

        Assert.Equal(twin.Platform.WriteProbe.Samples(request), samples);
        Assert.Equal(31, samples.Count);
        Assert.Equal(SandboxTestPlatform.TuesdayMorning.AddSeconds(30), samples[^1].Time);
        Assert.Throws<InvalidParameterValueException>(() => platform.Platform.WriteProbe.Samples(request with { EndTime = request.StartTime.AddHours(7) }));
    }

    [Fact]
    public void A_failover_disturbs_the_metrics_of_the_minutes_its_outage_overlaps_and_no_others()
    {
        var platform = new SandboxTestPlatform();
        var twin = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromSeconds(50));
        var failover = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromSeconds(250));
        twin.Advance(TimeSpan.FromSeconds(300));
        double At(SandboxTestPlatform p, MetricQuery query, DateTimeOffset minute) => p.Series(query, minute, minute.AddMinutes(1)).Points.Single().Value;
        var first = SandboxTestPlatform.TuesdayMorning;
        // The outage runs from 10:00:51 into the next minute (or the one after): those minutes are disturbed, 10:03 and 10:04 are not.
        var disturbed = Enumerable.Range(0, 5).Select(i => first.AddMinutes(i))
            .Where(m => m < failover.WritesResumeAt && m.AddMinutes(1) > failover.WritesFailFrom).ToList();
        var calm = Enumerable.Range(0, 5).Select(i => first.AddMinutes(i)).Except(disturbed).ToList();

        var failed = platform.Business("TransactionsFailed", Statistic.Sum);
        var errors = platform.Alb("HTTPCode_Target_5XX_Count", Statistic.Sum);
        var p99 = platform.Alb("TargetResponseTime", Statistic.P99);
        var writerConnections = platform.Role("DatabaseConnections", "WRITER", Statistic.Average);
        var commit = platform.Cluster("CommitLatency", Statistic.Average);

        Assert.Equal([first, first.AddMinutes(1)], disturbed.Take(2));
        Assert.All(disturbed, minute =>
        {
            Assert.True(At(platform, failed, minute) > At(twin, failed, minute) * 2, $"failed transactions at {minute:t}");
            Assert.True(At(platform, errors, minute) > At(twin, errors, minute) * 2, $"5xx at {minute:t}");
            Assert.True(At(platform, p99, minute) > At(twin, p99, minute), $"p99 at {minute:t}");
            Assert.True(At(platform, writerConnections, minute) < At(twin, writerConnections, minute), $"writer connections at {minute:t}");
        });
        Assert.True(At(platform, commit, first.AddMinutes(1)) > At(twin, commit, first.AddMinutes(1)) + 3);
        Assert.All(calm, minute =>
        {
            Assert.Equal(At(twin, failed, minute), At(platform, failed, minute));
            Assert.Equal(At(twin, errors, minute), At(platform, errors, minute));
            Assert.Equal(At(twin, p99, minute), At(platform, p99, minute));
        });
        Assert.All(platform.Platform.Alarms.Describe(), alarm => Assert.Equal(AlarmState.Ok, alarm.State));
    }

    private static List<TimeSpan> Durations(SandboxTestPlatform platform, int count)
    {
        var durations = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            durations.Add(platform.Platform.FailoverAuroraCluster().Duration);
            platform.Advance(TimeSpan.FromMinutes(2));
        }
        return durations;
    }

    /// <summary>Records with list members compare their lists by reference; events compare by content.</summary>
    private sealed class EventComparer : IEqualityComparer<Event>
    {
        public static readonly EventComparer Instance = new();

        public bool Equals(Event? x, Event? y) =>
            x is not null && y is not null
            && (x with { EventCategories = [] }) == (y with { EventCategories = [] })
            && x.EventCategories.SequenceEqual(y.EventCategories);

        public int GetHashCode(Event obj) => obj.Message.GetHashCode(StringComparison.Ordinal);
    }
}
