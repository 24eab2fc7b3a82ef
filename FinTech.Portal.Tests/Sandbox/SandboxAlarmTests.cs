using System.Text.RegularExpressions;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public partial class SandboxAlarmTests
{
    [Fact]
    public async Task The_platform_has_the_alarms_of_the_catalogue_all_OK_on_a_normal_day()
    {
        var platform = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromHours(3));

        var alarms = (await platform.Platform.CloudWatch.DescribeAllAlarmsAsync(new DescribeAlarmsRequest())).MetricAlarms;

        Assert.Equal(
            PlatformCatalogue.AllAlarms.Select(a => $"fintech-sandbox-{a.Key}").Order(StringComparer.Ordinal),
            alarms.Select(a => a.AlarmName));
        Assert.All(alarms, a =>
        {
            Assert.Equal(StateValue.Ok, a.StateValue);
            Assert.Equal(SandboxTestPlatform.TuesdayMorning, a.StateUpdatedTimestamp);
            Assert.NotEmpty(a.AlarmDescription!);
            Assert.Matches(OkReason(), a.StateReason);
        });
    }

    /// <summary>Aurora PostgreSQL's max_connections follows the instance's memory: so does the alarm, per environment.</summary>
    [Theory]
    [InlineData("db.t4g.medium", 324)]
    [InlineData("db.r6g.large", 1328)]
    [InlineData("db.r6g.xlarge", 2680)]
    public void The_connections_alarm_fires_at_80_percent_of_the_max_connections_of_the_environments_instance_class(string instanceClass, double threshold)
    {
        var resources = PlatformResources.Sandbox();
        resources.AuroraInstanceClass = instanceClass;

        var alarm = new SandboxTestPlatform(resources: resources).Alarm("aurora-connections");

        Assert.Equal(threshold, alarm.Threshold);
        Assert.Equal(ComparisonOperator.GreaterThanOrEqualToThreshold, alarm.ComparisonOperator);
        Assert.EndsWith($" {instanceClass}: {threshold} of {PlatformCatalogue.InstanceClasses[instanceClass].MaxConnections} connections.", alarm.AlarmDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void The_write_probe_canary_going_silent_is_an_alarm_on_its_ProbeWrites_with_missing_minutes_breaching()
    {
        var platform = new SandboxTestPlatform();
        var alarm = platform.Alarm("write-probe-silent");

        Assert.Equal(("FinTech/WriteProbe", "ProbeWrites", "Sum", 60), (alarm.Namespace, alarm.MetricName, alarm.Statistic, alarm.Period));
        Assert.Equal([new Dimension("Target", "AuroraWriter")], alarm.Dimensions);
        Assert.Equal((ComparisonOperator.LessThanThreshold, 30d, 3, 3), (alarm.ComparisonOperator, alarm.Threshold, alarm.EvaluationPeriods, alarm.DatapointsToAlarm));
        Assert.Equal(TreatMissingData.Breaching, alarm.TreatMissingData);
        Assert.Equal(StateValue.Ok, alarm.StateValue);
    }

    [Fact]
    public void The_catalogues_write_probe_targets_are_the_probes_the_portal_reads()
    {
        Assert.Equal(Enum.GetNames<WriteProbeTarget>(), PlatformCatalogue.WriteProbeTargets);
    }

    [Fact]
    public async Task The_Sandboxs_canary_publishes_a_write_a_second_through_an_Aurora_failover()
    {
        var platform = new SandboxTestPlatform();
        await platform.Platform.FailoverAuroraClusterAsync(platform.Platform.AuroraInstances[1], CancellationToken.None);
        platform.Advance(TimeSpan.FromMinutes(10));

        var writes = platform.Series(new MetricQuery("w", "FinTech/WriteProbe", "ProbeWrites", [new Dimension("Target", "AuroraWriter")], Statistic.Sum, 60), TimeSpan.FromMinutes(10));

        Assert.Equal(Enumerable.Repeat(60d, 10), writes.Points.Select(p => p.Value));
        Assert.Equal(StateValue.Ok, platform.Alarm("write-probe-silent").StateValue);
    }

    [Fact]
    public void The_p99_latency_alarm_is_the_catalogues_on_the_APIs_target_group()
    {
        var platform = new SandboxTestPlatform();
        var alarm = platform.Alarm("p99-latency");

        Assert.Equal("fintech-sandbox-p99-latency", alarm.AlarmName);
        Assert.Equal("arn:aws:cloudwatch:eu-west-1:111122223333:alarm:fintech-sandbox-p99-latency", alarm.AlarmArn);
        Assert.Equal("AWS/ApplicationELB", alarm.Namespace);
        Assert.Equal("TargetResponseTime", alarm.MetricName);
        Assert.Equal([new Dimension("LoadBalancer", platform.Resources.LoadBalancer), new Dimension("TargetGroup", platform.Resources.TargetGroup)], alarm.Dimensions);
        Assert.Equal("p99", alarm.ExtendedStatistic);
        Assert.Null(alarm.Statistic);
        Assert.Equal(ComparisonOperator.GreaterThanOrEqualToThreshold, alarm.ComparisonOperator);
        Assert.Equal((1.5, 5, 3, 60), (alarm.Threshold, alarm.EvaluationPeriods, alarm.DatapointsToAlarm, alarm.Period));
        Assert.Equal(TreatMissingData.NotBreaching, alarm.TreatMissingData);
        Assert.Empty(alarm.Metrics);
    }

    [Fact]
    public void A_metric_math_alarm_carries_its_queries_and_expression_as_DescribeAlarms_returns_them()
    {
        var alarm = new SandboxTestPlatform().Alarm("5xx-rate");

        Assert.Null(alarm.MetricName);
        Assert.Equal(["t5xx", "requests", "e1"], alarm.Metrics.Select(m => m.Id));
        Assert.Equal("100 * FILL(t5xx, 0) / requests", alarm.Metrics.Single(m => m.ReturnData).Expression);
        Assert.All(alarm.Metrics.Where(m => m.MetricStat is not null), m => Assert.False(m.ReturnData));
        Assert.Equal(["AWS/ApplicationELB"], alarm.Namespaces);
    }

    [Fact]
    public void The_session_throttle_alarm_keeps_its_state_on_missing_data()
    {
        Assert.Equal(TreatMissingData.Ignore, new SandboxTestPlatform().Alarm("dynamodb-throttles").TreatMissingData);
    }

    [Fact]
    public void An_alarm_in_ALARM_explains_itself_with_the_breaching_datapoints_like_CloudWatch()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Advance(TimeSpan.FromMinutes(10));

        var alarm = platform.Alarm("p99-latency");

        Assert.Equal(StateValue.Alarm, alarm.StateValue);
        Assert.Matches(
            @"^Threshold Crossed: 5 out of the last 5 datapoints \[\d+\.\d+ \(24/11/26 10:09:00\), \d+\.\d+ \(24/11/26 10:08:00\), .*\] were greater than or equal to the threshold \(1\.5\) \(minimum 3 datapoints for OK -> ALARM transition\)\.$",
            alarm.StateReason);
        Assert.Contains("\"recentDatapoints\":[", alarm.StateReasonData, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_changes_state_only_after_three_breaching_minutes_and_reports_when()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.SetFault(SandboxFault.ReplicaLag, on: true);

        var states = new List<StateValue>();
        for (var minute = 0; minute < 6; minute++)
        {
            states.Add(platform.Alarm("aurora-replica-lag").StateValue);
            platform.Advance(TimeSpan.FromMinutes(1));
        }

        // Minute 0 half-ramped still breaches (lag > 1 s), so minutes 0..2 breach and the alarm fires at 10:03.
        Assert.Equal([StateValue.Ok, StateValue.Ok, StateValue.Ok, StateValue.Alarm, StateValue.Alarm, StateValue.Alarm], states);
        Assert.Equal(SandboxTestPlatform.TuesdayMorning.AddMinutes(3), platform.Alarm("aurora-replica-lag").StateUpdatedTimestamp);
    }

    [Fact]
    public void A_blip_shorter_than_three_breaching_minutes_does_not_fire_the_alarm()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.SetFault(SandboxFault.ErrorBurst, on: true);
        platform.Advance(TimeSpan.FromSeconds(30));
        platform.Platform.SetFault(SandboxFault.ErrorBurst, on: false);
        platform.Advance(TimeSpan.FromMinutes(1));

        for (var minute = 0; minute < 8; minute++)
        {
            var alarm = platform.Alarm("5xx-rate");
            Assert.Equal(StateValue.Ok, alarm.StateValue);
            Assert.Equal(SandboxTestPlatform.TuesdayMorning, alarm.StateUpdatedTimestamp);
            platform.Advance(TimeSpan.FromMinutes(1));
        }
    }

    [Fact]
    public void An_alarm_remembers_when_it_last_changed_across_several_incidents()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.SetFault(SandboxFault.TaskCrashLoop, on: true);
        platform.Advance(TimeSpan.FromMinutes(10));
        platform.Platform.SetFault(SandboxFault.TaskCrashLoop, on: false);
        platform.Advance(TimeSpan.FromMinutes(20));
        var recoveredAt = platform.Alarm("api-unhealthy-hosts").StateUpdatedTimestamp;
        platform.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Advance(TimeSpan.FromHours(2));

        var unhealthy = platform.Alarm("api-unhealthy-hosts");
        var latency = platform.Alarm("p99-latency");

        Assert.Equal(StateValue.Ok, unhealthy.StateValue);
        Assert.InRange(recoveredAt, SandboxTestPlatform.TuesdayMorning.AddMinutes(10), SandboxTestPlatform.TuesdayMorning.AddMinutes(14));
        Assert.Equal(recoveredAt, unhealthy.StateUpdatedTimestamp);
        Assert.Equal(StateValue.Alarm, latency.StateValue);
        Assert.InRange(latency.StateUpdatedTimestamp, SandboxTestPlatform.TuesdayMorning.AddMinutes(30), SandboxTestPlatform.TuesdayMorning.AddMinutes(35));
    }

    [Fact]
    public void The_reported_last_change_always_matches_the_state_changes_seen_minute_by_minute()
    {
        var platform = new SandboxTestPlatform();
        var unwatched = new SandboxTestPlatform();
        var random = new Random(99);
        var seen = platform.Platform.CloudWatch.Alarms.ToDictionary(a => a.AlarmName, a => (a.StateValue, Changed: platform.Now));

        for (var minute = 0; minute < 6 * 60; minute++)
        {
            var within = TimeSpan.FromSeconds(random.Next(1, 59));
            var fault = random.Next(12) == 0 ? (SandboxFault)random.Next(5) : (SandboxFault?)null;
            foreach (var p in new[] { platform, unwatched })
            {
                p.Advance(within);
                if (fault is { } f)
                {
                    p.Platform.SetFault(f, !p.Platform.IsActive(f));
                }
                p.Advance(TimeSpan.FromMinutes(1) - within);
            }

            foreach (var alarm in platform.Platform.CloudWatch.Alarms)
            {
                if (alarm.StateValue != seen[alarm.AlarmName].StateValue)
                {
                    seen[alarm.AlarmName] = (alarm.StateValue, platform.Now);
                }
                Assert.Equal(seen[alarm.AlarmName].Changed, alarm.StateUpdatedTimestamp);
            }
        }

        Assert.True(seen.Values.Count(s => s.Changed > SandboxTestPlatform.TuesdayMorning) >= 5, "the random knobs should have moved most alarms");
        // Evaluated once at the end, from the whole history, the alarms say the same.
        static IEnumerable<(string, StateValue, string, DateTimeOffset)> Seen(SandboxTestPlatform p) =>
            p.Alarms.Select(a => (a.AlarmName, a.StateValue, a.StateReason, a.StateUpdatedTimestamp));
        Assert.Equal(Seen(platform), Seen(unwatched));
    }

    /// <summary>
    /// The alarm evaluation skips minutes without faults because the baseline never breaches a
    /// threshold; this holds the model to that over whole weeks and several seeds.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(20261124)]
    [InlineData(-987654)]
    public void No_alarm_threshold_is_crossed_in_any_minute_of_a_normal_week(int seed)
    {
        var p = new SandboxTestPlatform(seed);
        var week = TimeSpan.FromDays(7);
        Dictionary<DateTimeOffset, double> Values(MetricQuery query) => p.Series(query, week).Points.ToDictionary(x => x.Timestamp, x => x.Value);
        double Max(MetricQuery query) => Values(query).Values.DefaultIfEmpty(0).Max();
        // FILL(part, 0) / whole, per minute, as the rate alarms compute it.
        double MaxRate(MetricQuery part, MetricQuery whole)
        {
            var parts = Values(part);
            return Values(whole).Max(w => 100 * parts.GetValueOrDefault(w.Key) / w.Value);
        }

        Assert.Equal(10080, Values(p.TargetGroup("RequestCount", Statistic.Sum)).Count);
        Assert.True(Max(p.TargetGroup("TargetResponseTime", Statistic.P99)) < 0.45);
        Assert.True(MaxRate(p.TargetGroup("HTTPCode_Target_5XX_Count", Statistic.Sum), p.TargetGroup("RequestCount", Statistic.Sum)) < 0.5);
        Assert.True(Max(p.TargetGroup("UnHealthyHostCount", Statistic.Maximum)) < 1);
        Assert.True(Max(p.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum)) < 100);
        Assert.True(Max(p.Role("CPUUtilization", "WRITER", Statistic.Average)) < 60);
        Assert.True(Max(p.Role("DatabaseConnections", "WRITER", Statistic.Maximum)) < 400);
        Assert.True(Values(p.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average)).Values.Min() > 90);
        Assert.True(Max(p.Node("Evictions", "fintech-sandbox-redis-001", Statistic.Sum)) < 1);
        Assert.True(Max(p.Node("EngineCPUUtilization", "fintech-sandbox-redis-001", Statistic.Maximum)) < 50);
        Assert.True(Max(p.Node("ReplicationLag", "fintech-sandbox-redis-002", Statistic.Maximum)) < 1);
        // Throttles are never published on a normal week: zero counts have no datapoint.
        Assert.Empty(Values(p.Table("ReadThrottleEvents", Statistic.Sum)));
        Assert.Empty(Values(p.Table("WriteThrottleEvents", Statistic.Sum)));
        Assert.True(MaxRate(p.Business("TransactionsFailed", Statistic.Sum), p.Business("TransactionsProcessed", Statistic.Sum)) < 1);

        // And every alarm of the catalogue, as it reads its metric or computes its expression, minute by minute.
        Assert.All(p.Alarms, alarm =>
        {
            var values = WeekOfDatapoints(p, alarm, week);
            Assert.DoesNotContain(values, value => Breaches(alarm, value));
            // Where a missing minute breaches (the silent canary), none may be missing.
            if (alarm.TreatMissingData == TreatMissingData.Breaching)
            {
                Assert.Equal(10080, values.Count);
            }
        });
    }

    [Fact]
    public void Every_metric_of_every_alarm_is_one_the_Sandbox_publishes()
    {
        var platform = new SandboxTestPlatform();

        Assert.All(platform.Alarms, alarm => Assert.All(Queries(alarm).Where(q => q.MetricStat is not null), query =>
            Assert.True(platform.Platform.Engine.TryResolve(query.MetricStat!.Metric, query.MetricStat.Stat, out _),
                $"{alarm.AlarmName} reads {query.MetricStat.Metric}, which the Sandbox does not publish")));
    }

    /// <summary>The alarm's queries: its metric math, or its one metric as a query.</summary>
    private static IReadOnlyList<MetricDataQuery> Queries(MetricAlarm alarm) =>
        alarm.Metrics.Count > 0
            ? alarm.Metrics
            : [MetricDataQuery.ForMetric("m1", new Metric(alarm.Namespace!, alarm.MetricName!, alarm.Dimensions), Statistic.Parse(alarm.Statistic ?? alarm.ExtendedStatistic!), alarm.Period!.Value)];

    private static IReadOnlyList<double> WeekOfDatapoints(SandboxTestPlatform p, MetricAlarm alarm, TimeSpan week)
    {
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = [.. Queries(alarm)],
            StartTime = p.Now - week,
            EndTime = p.Now,
            ScanBy = ScanBy.TimestampAscending,
        };
        return p.Platform.CloudWatch.GetAllMetricDataAsync(request).GetAwaiter().GetResult().MetricDataResults.Single().Values;
    }

    private static bool Breaches(MetricAlarm alarm, double value) => alarm.ComparisonOperator switch
    {
        ComparisonOperator.GreaterThanThreshold => value > alarm.Threshold,
        ComparisonOperator.GreaterThanOrEqualToThreshold => value >= alarm.Threshold,
        ComparisonOperator.LessThanThreshold => value < alarm.Threshold,
        _ => value <= alarm.Threshold,
    };

    [GeneratedRegex(@"^Threshold Crossed: (\d) out of the last \1 datapoints \[[\d.]+ \(\d\d/\d\d/\d\d \d\d:\d\d:00\)(, [\d.]+ \([^)]+\))*\] were not (greater|less) than( or equal to)? the threshold \([\d.]+\) \(minimum 1 datapoint for ALARM -> OK transition\)\.$")]
    private static partial Regex OkReason();
}
