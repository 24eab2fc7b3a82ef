using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxMetricCatalogTests
{
    private static readonly SandboxTestPlatform Day = new(now: SandboxTestPlatform.TuesdayMorning.AddHours(14));

    /// <summary>Every metric of the catalogue with the range a normal day stays in (Average/Sum per minute).</summary>
    private static readonly Dictionary<string, (Func<SandboxTestPlatform, MetricQuery> Query, double Min, double Max)> Catalogue = new()
    {
        ["ALB TargetResponseTime p50 (s)"] = (p => p.Alb("TargetResponseTime", Statistic.P50), 0.03, 0.065),
        ["ALB TargetResponseTime p99 (s)"] = (p => p.Alb("TargetResponseTime", Statistic.P99), 0.17, 0.46),
        ["ALB TargetResponseTime Average (s)"] = (p => p.TargetGroup("TargetResponseTime", Statistic.Average), 0.035, 0.09),
        ["ALB TargetResponseTime Maximum (s)"] = (p => p.Alb("TargetResponseTime", Statistic.Maximum), 0.4, 3),
        ["ALB RequestCount per minute"] = (p => p.Alb("RequestCount", Statistic.Sum), 280 * 60, 1950 * 60),
        ["ALB RequestCount per minute, target group"] = (p => p.TargetGroup("RequestCount", Statistic.Sum), 280 * 60, 1950 * 60),
        ["ALB HTTPCode_Target_2XX_Count"] = (p => p.Alb("HTTPCode_Target_2XX_Count", Statistic.Sum), 270 * 60, 1900 * 60),
        ["ALB HTTPCode_Target_4XX_Count"] = (p => p.Alb("HTTPCode_Target_4XX_Count", Statistic.Sum), 200, 2600),
        ["ALB HTTPCode_Target_5XX_Count"] = (p => p.Alb("HTTPCode_Target_5XX_Count", Statistic.Sum), 5, 250),
        ["ALB HTTPCode_ELB_5XX_Count"] = (p => p.Alb("HTTPCode_ELB_5XX_Count", Statistic.Sum), 0, 10),
        ["ALB HealthyHostCount"] = (p => p.TargetGroup("HealthyHostCount", Statistic.Minimum), 6, 6),
        ["ALB UnHealthyHostCount"] = (p => p.TargetGroup("UnHealthyHostCount", Statistic.Maximum), 0, 0),
        ["ECS CPUUtilization"] = (p => p.Ecs("AWS/ECS", "CPUUtilization", Statistic.Average), 10, 60),
        ["ECS MemoryUtilization"] = (p => p.Ecs("AWS/ECS", "MemoryUtilization", Statistic.Average), 35, 50),
        ["ECS portal CPUUtilization"] = (p => p.PortalEcs("AWS/ECS", "CPUUtilization", Statistic.Average), 4.5, 17),
        ["ECS portal MemoryUtilization"] = (p => p.PortalEcs("AWS/ECS", "MemoryUtilization", Statistic.Average), 29, 39),
        ["ECS portal RunningTaskCount"] = (p => p.PortalEcs("ECS/ContainerInsights", "RunningTaskCount", Statistic.Average), 2, 2),
        ["ECS RunningTaskCount"] = (p => p.Ecs("ECS/ContainerInsights", "RunningTaskCount", Statistic.Average), 6, 6),
        ["ECS DesiredTaskCount"] = (p => p.Ecs("ECS/ContainerInsights", "DesiredTaskCount", Statistic.Average), 6, 6),
        ["ECS PendingTaskCount"] = (p => p.Ecs("ECS/ContainerInsights", "PendingTaskCount", Statistic.Average), 0, 0),
        ["RDS writer CPUUtilization"] = (p => p.Instance("CPUUtilization", "fintech-sandbox-aurora-1", Statistic.Average), 17, 46),
        ["RDS reader CPUUtilization"] = (p => p.Instance("CPUUtilization", "fintech-sandbox-aurora-2", Statistic.Average), 9, 34),
        ["RDS WRITER role CPUUtilization"] = (p => p.Role("CPUUtilization", "WRITER", Statistic.Average), 17, 46),
        ["RDS READER role CPUUtilization"] = (p => p.Role("CPUUtilization", "READER", Statistic.Average), 9, 34),
        ["RDS writer DatabaseConnections"] = (p => p.Instance("DatabaseConnections", "fintech-sandbox-aurora-1", Statistic.Average), 85, 220),
        ["RDS READER role DatabaseConnections"] = (p => p.Role("DatabaseConnections", "READER", Statistic.Average), 45, 150),
        ["RDS writer FreeableMemory (bytes)"] = (p => p.Instance("FreeableMemory", "fintech-sandbox-aurora-1", Statistic.Average), 4.5e9, 7e9),
        ["RDS writer FreeLocalStorage (bytes)"] = (p => p.Instance("FreeLocalStorage", "fintech-sandbox-aurora-1", Statistic.Minimum), 29e9, 32.5e9),
        ["RDS reader FreeLocalStorage (bytes)"] = (p => p.Instance("FreeLocalStorage", "fintech-sandbox-aurora-2", Statistic.Minimum), 29e9, 32.5e9),
        ["RDS reader AuroraReplicaLag (ms)"] = (p => p.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average), 7, 32),
        ["RDS writer CommitLatency (ms)"] = (p => p.Instance("CommitLatency", "fintech-sandbox-aurora-1", Statistic.Average), 1.2, 4),
        ["RDS writer Deadlocks (per s)"] = (p => p.Instance("Deadlocks", "fintech-sandbox-aurora-1", Statistic.Average), 0, 0.02),
        ["RDS cluster AuroraReplicaLagMaximum (ms)"] = (p => p.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum), 7, 32),
        ["RDS WRITER role CommitLatency (ms)"] = (p => p.Role("CommitLatency", "WRITER", Statistic.Average), 1.2, 4),
        ["Redis primary CacheHitRate"] = (p => p.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average), 92, 97.5),
        ["Redis primary Evictions"] = (p => p.Node("Evictions", "fintech-sandbox-redis-001", Statistic.Sum), 0, 0),
        ["Redis replica EngineCPUUtilization"] = (p => p.Node("EngineCPUUtilization", "fintech-sandbox-redis-002", Statistic.Average), 1, 8),
        ["Redis replica CurrConnections"] = (p => p.Node("CurrConnections", "fintech-sandbox-redis-002", Statistic.Average), 3, 8),
        ["Redis replica CacheHits"] = (p => p.Node("CacheHits", "fintech-sandbox-redis-002", Statistic.Sum), 0, 0),
        ["Redis primary EngineCPUUtilization"] = (p => p.Node("EngineCPUUtilization", "fintech-sandbox-redis-001", Statistic.Average), 7, 35),
        ["Redis primary DatabaseMemoryUsagePercentage"] = (p => p.Node("DatabaseMemoryUsagePercentage", "fintech-sandbox-redis-001", Statistic.Average), 58, 70),
        ["Redis replica ReplicationLag (s)"] = (p => p.Node("ReplicationLag", "fintech-sandbox-redis-002", Statistic.Average), 0.005, 0.04),
        ["Redis primary CurrConnections"] = (p => p.Node("CurrConnections", "fintech-sandbox-redis-001", Statistic.Average), 150, 165),
        ["Redis primary CacheHits"] = (p => p.Node("CacheHits", "fintech-sandbox-redis-001", Statistic.Sum), 36_000, 300_000),
        ["Redis primary CacheMisses"] = (p => p.Node("CacheMisses", "fintech-sandbox-redis-001", Statistic.Sum), 1_400, 24_000),
        ["DynamoDB ConsumedReadCapacityUnits"] = (p => p.Table("ConsumedReadCapacityUnits", Statistic.Sum), 300, 5_000),
        ["DynamoDB ConsumedWriteCapacityUnits"] = (p => p.Table("ConsumedWriteCapacityUnits", Statistic.Sum), 3_000, 26_000),
        ["DynamoDB SuccessfulRequestLatency GetItem p99 (ms)"] = (p => p.Operation("SuccessfulRequestLatency", "GetItem", Statistic.P99), 5, 10),
        ["DynamoDB SuccessfulRequestLatency PutItem Average (ms)"] = (p => p.Operation("SuccessfulRequestLatency", "PutItem", Statistic.Average), 3.5, 6),
        ["DynamoDB SuccessfulRequestLatency UpdateItem p50 (ms)"] = (p => p.Operation("SuccessfulRequestLatency", "UpdateItem", Statistic.P50), 4, 6),
        ["DynamoDB SuccessfulRequestLatency DeleteItem p90 (ms)"] = (p => p.Operation("SuccessfulRequestLatency", "DeleteItem", Statistic.P90), 5, 9),
        ["Business TransactionsProcessed per minute"] = (p => p.Business("TransactionsProcessed", Statistic.Sum), 5_000, 38_000),
        ["Business TransactionsFailed per minute"] = (p => p.Business("TransactionsFailed", Statistic.Sum), 5, 150),
        ["Business TransactionLatency p99 (ms)"] = (p => p.Business("TransactionLatency", Statistic.P99), 250, 700),
    };

    /// <summary>Counts CloudWatch does not publish in a minute they are zero: some minutes have no datapoint.</summary>
    private static readonly HashSet<string> Sparse = ["ALB HTTPCode_ELB_5XX_Count"];

    public static TheoryData<string> CatalogueMetrics => new(Catalogue.Keys);

    [Theory]
    [MemberData(nameof(CatalogueMetrics))]
    public void Every_catalogue_metric_answers_a_day_of_minutes_within_a_plausible_range(string metric)
    {
        var (query, min, max) = Catalogue[metric];

        var series = Day.Series(query(Day), TimeSpan.FromDays(1));

        if (Sparse.Contains(metric))
        {
            Assert.InRange(series.Points.Count, 1, 1440);
        }
        else
        {
            Assert.Equal(1440, series.Points.Count);
        }
        Assert.All(series.Points, p => Assert.InRange(p.Value, min, max));
    }

    [Theory]
    [InlineData("ReadThrottleEvents")]
    [InlineData("WriteThrottleEvents")]
    public void Zero_throttle_counts_are_not_published_as_CloudWatch_leaves_them_out(string metric)
    {
        Assert.Empty(Day.Series(Day.Table(metric, Statistic.Sum), TimeSpan.FromDays(1)).Points);
        Assert.Empty(Day.Series(Day.Operation("ThrottledRequests", "GetItem", Statistic.Sum), TimeSpan.FromDays(1)).Points);
    }

    [Fact]
    public void A_zero_5xx_minute_has_no_datapoint_and_is_not_counted_as_a_sample()
    {
        var elb = Day.Series(Day.Alb("HTTPCode_ELB_5XX_Count", Statistic.Sum), TimeSpan.FromDays(1)).Points;
        var samples = Day.Series(Day.Alb("HTTPCode_ELB_5XX_Count", Statistic.SampleCount, 86_400), TimeSpan.FromDays(1)).Points.Single();

        Assert.All(elb, p => Assert.True(p.Value > 0));
        Assert.Equal(elb.Count, samples.Value);
        Assert.True(elb.Count < 1440, "a day has minutes without a load balancer 5xx");
    }

    [Fact]
    public void The_replica_serves_no_reads_because_the_API_talks_to_the_primary_endpoint()
    {
        Assert.Empty(Day.Series(Day.Node("CacheHitRate", "fintech-sandbox-redis-002", Statistic.Average), TimeSpan.FromHours(1)).Points);
        Assert.All(Day.Series(Day.Node("CacheMisses", "fintech-sandbox-redis-002", Statistic.Sum), TimeSpan.FromHours(1)).Points, p => Assert.Equal(0, p.Value));
    }

    [Fact]
    public void Session_reads_are_the_requests_the_cache_missed()
    {
        var requests = Day.Latest(Day.TargetGroup("RequestCount", Statistic.Sum));
        var hitRate = Day.Latest(Day.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average));
        var readUnits = Day.Latest(Day.Table("ConsumedReadCapacityUnits", Statistic.Sum));

        // Eventually consistent GetItem of a small session: half a read unit per miss.
        Assert.InRange(readUnits, requests * (1 - hitRate / 100) * 0.5 - 1, requests * (1 - hitRate / 100) * 0.5 + 1);
        Assert.InRange(readUnits / requests, 0.5 * 0.04, 0.5 * 0.08);
    }

    [Fact]
    public void The_load_balancer_as_a_whole_carries_the_portal_as_well_as_the_API()
    {
        var whole = Day.Latest(Day.Alb("RequestCount", Statistic.Sum));
        var api = Day.Latest(Day.TargetGroup("RequestCount", Statistic.Sum));
        var portal = Day.Latest(SandboxTestPlatform.Query("AWS/ApplicationELB", "RequestCount", Statistic.Sum, 60,
            ("LoadBalancer", Day.Resources.LoadBalancer), ("TargetGroup", Day.Resources.PortalTargetGroup!)));

        Assert.Equal(whole, api + portal);
        Assert.InRange(portal, 60, 300);
    }

    [Fact]
    public void Engine_sizes_follow_the_catalogues_instance_classes()
    {
        var freeable = Day.Latest(Day.Instance("FreeableMemory", "fintech-sandbox-aurora-2", Statistic.Average));
        var memory = FinTech.Portal.Platform.Catalogue.PlatformCatalogue.InstanceClasses[FinTech.Portal.Platform.Catalogue.PlatformCatalogue.SandboxAuroraInstanceClass].MemoryGiB;

        Assert.InRange(freeable / (1024.0 * 1024 * 1024), 0.3 * memory, 0.5 * memory);
    }

    [Fact]
    public void Traffic_follows_the_day_from_the_night_trough_to_the_evening_peak()
    {
        var series = Day.Series(Day.Alb("RequestCount", Statistic.Sum, 3600), TimeSpan.FromDays(1));

        var perSecond = series.Points.ToDictionary(p => p.Timestamp.Hour, p => p.Value / 3600);
        Assert.InRange(perSecond[4], 280, 400);
        Assert.InRange(perSecond[20], 1600, 1950);
        Assert.True(perSecond[10] > 3 * perSecond[4]);
    }

    [Fact]
    public void Weekends_see_less_traffic_than_weekdays()
    {
        var platform = new SandboxTestPlatform(now: new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));

        var days = platform.Series(platform.Alb("RequestCount", Statistic.Sum, 86400), TimeSpan.FromDays(7)).Points;

        Assert.Equal(7, days.Count);
        var weekend = days.Where(p => p.Timestamp.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday).Average(p => p.Value);
        var weekday = days.Where(p => p.Timestamp.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).Average(p => p.Value);
        Assert.True(weekend < 0.85 * weekday, $"weekend {weekend:N0} vs weekday {weekday:N0} requests a day");
    }

    [Fact]
    public void Latency_tail_is_well_above_the_median_and_rises_with_load()
    {
        var p50 = Day.Series(Day.Alb("TargetResponseTime", Statistic.P50, 3600), TimeSpan.FromDays(1)).Points.ToDictionary(p => p.Timestamp.Hour, p => p.Value);
        var p99 = Day.Series(Day.Alb("TargetResponseTime", Statistic.P99, 3600), TimeSpan.FromDays(1)).Points.ToDictionary(p => p.Timestamp.Hour, p => p.Value);

        Assert.All(p50.Keys, hour => Assert.True(p99[hour] > 4 * p50[hour]));
        Assert.True(p99[20] > p99[4] * 1.4, $"p99 at the evening peak {p99[20]:F3} s vs the night {p99[4]:F3} s");
    }

    [Fact]
    public void Counts_add_up_requests_split_into_their_status_codes_and_transactions_are_a_share_of_requests()
    {
        var requests = Day.Latest(Day.Alb("RequestCount", Statistic.Sum));
        var codes = new[] { "HTTPCode_Target_2XX_Count", "HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count" }
            .Sum(code => Day.LatestOrZero(Day.Alb(code, Statistic.Sum)));
        var transactions = Day.Latest(Day.Business("TransactionsProcessed", Statistic.Sum));
        var hits = Day.Latest(Day.Node("CacheHits", "fintech-sandbox-redis-001", Statistic.Sum));
        var misses = Day.Latest(Day.Node("CacheMisses", "fintech-sandbox-redis-001", Statistic.Sum));
        var hitRate = Day.Latest(Day.Node("CacheHitRate", "fintech-sandbox-redis-001", Statistic.Average));

        Assert.Equal(requests, codes);
        Assert.InRange(transactions / requests, 0.3, 0.34);
        Assert.Equal(hitRate, 100 * hits / (hits + misses), 1);
    }

    [Theory]
    [InlineData(60, 15)]
    [InlineData(60, 60 * 24 * 7)]
    [InlineData(300, 60 * 3)]
    [InlineData(300, 60 * 24)]
    [InlineData(3600, 60 * 24)]
    [InlineData(3600, 60 * 24 * 7)]
    [InlineData(86400, 60 * 24 * 7)]
    public void Periods_give_one_aligned_point_per_period_in_ascending_order(int period, int rangeMinutes)
    {
        var query = Day.Alb("TargetResponseTime", Statistic.P99, period);

        var points = Day.Series(query, TimeSpan.FromMinutes(rangeMinutes)).Points;

        Assert.Equal(rangeMinutes * 60 / period, points.Count);
        Assert.All(points, p => Assert.Equal(0, p.Timestamp.ToUnixTimeSeconds() % period));
        Assert.All(points.Zip(points.Skip(1)), pair => Assert.Equal(period, (pair.Second.Timestamp - pair.First.Timestamp).TotalSeconds));
        Assert.Equal(Day.Now - TimeSpan.FromSeconds(period), points[^1].Timestamp);
    }

    [Fact]
    public void An_unaligned_start_is_rounded_down_to_the_period()
    {
        var start = Day.Now.AddHours(-1).AddSeconds(-150);

        var points = Day.Series(Day.Alb("RequestCount", Statistic.Sum, 300), start, Day.Now).Points;

        Assert.Equal(Day.Now.AddHours(-1).AddMinutes(-5), points[0].Timestamp);
        Assert.Equal(13, points.Count);
    }

    [Fact]
    public void More_than_100800_datapoints_come_in_pages_joined_by_NextToken_like_CloudWatch()
    {
        // Five queries of 60 s over 15 days: 108,000 datapoints, more than one call holds.
        var queries = Enumerable.Range(0, 5).Select(i => Day.TargetGroup("RequestCount", Statistic.Sum) with { Id = $"q{i}" }).ToList();
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = queries.Select(q => q.ToDataQuery()).ToList(),
            StartTime = Day.Now.AddDays(-15),
            EndTime = Day.Now,
            ScanBy = ScanBy.TimestampAscending,
        };

        var first = Day.Platform.CloudWatch.GetMetricData(request);
        var second = Day.Platform.CloudWatch.GetMetricData(request with { NextToken = first.NextToken });

        Assert.NotNull(first.NextToken);
        Assert.Equal(GetMetricDataRequest.MaxDatapointsPerCall, first.MetricDataResults.Sum(r => r.Timestamps.Count));
        Assert.Equal(StatusCode.PartialData, first.MetricDataResults[^1].StatusCode);
        Assert.Null(second.NextToken);
        Assert.Equal(108_000 - GetMetricDataRequest.MaxDatapointsPerCall, second.MetricDataResults.Sum(r => r.Timestamps.Count));
        Assert.All(Day.GetMetricData(queries, request.StartTime, request.EndTime), s =>
        {
            Assert.Equal(21_600, s.Points.Count);
            Assert.Equal(StatusCode.Complete, s.Status);
        });
    }

    [Fact]
    public void A_NextToken_from_another_request_is_refused()
    {
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = [Day.TargetGroup("RequestCount", Statistic.Sum).ToDataQuery()],
            StartTime = Day.Now.AddHours(-1),
            EndTime = Day.Now,
            NextToken = "bm90IGEgdG9rZW4=",
        };

        var error = Assert.Throws<ArgumentException>(() => Day.Platform.CloudWatch.GetMetricData(request));

        Assert.Contains("NextToken", error.Message);
    }

    [Fact]
    public async Task MaxDatapoints_pages_the_answer_in_the_order_asked_for()
    {
        var query = Day.TargetGroup("RequestCount", Statistic.Sum).ToDataQuery();
        var request = new GetMetricDataRequest { MetricDataQueries = [query], StartTime = Day.Now.AddMinutes(-10), EndTime = Day.Now, MaxDatapoints = 4 };

        var first = Day.Platform.CloudWatch.GetMetricData(request);
        var joined = (await Day.Platform.CloudWatch.GetAllMetricDataAsync(request)).MetricDataResults.Single();

        Assert.Equal(4, first.MetricDataResults.Single().Timestamps.Count);
        // CloudWatch's default order: newest first.
        Assert.Equal(Day.Now.AddMinutes(-1), first.MetricDataResults.Single().Timestamps[0]);
        Assert.Equal(10, joined.Timestamps.Count);
        Assert.Equal(joined.Timestamps.OrderDescending(), joined.Timestamps);
    }

    [Theory]
    [InlineData(14, 60, true)]
    [InlineData(20, 60, false)]
    [InlineData(20, 300, true)]
    [InlineData(62, 300, true)]
    [InlineData(70, 300, false)]
    [InlineData(70, 3600, true)]
    public void A_period_must_be_what_CloudWatch_still_keeps_for_data_that_old(int daysBack, int period, bool answered)
    {
        var start = Day.Now.AddDays(-daysBack);

        var points = Day.Series(Day.TargetGroup("RequestCount", Statistic.Sum, period), start, start.AddHours(6)).Points;

        Assert.Equal(answered, points.Count > 0);
    }

    [Fact]
    public void Nothing_is_kept_for_longer_than_455_days()
    {
        var points = Day.Series(Day.TargetGroup("RequestCount", Statistic.Sum, 86_400), Day.Now.AddDays(-500), Day.Now).Points;

        Assert.InRange(points.Count, 455, 456);
        Assert.True(points[0].Timestamp >= Day.Now.AddDays(-456));
    }

    [Fact]
    public void Minutes_that_have_not_happened_yet_have_no_datapoints()
    {
        var platform = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromSeconds(30));

        var points = platform.Series(platform.Alb("RequestCount", Statistic.Sum), platform.Now.AddMinutes(-10), platform.Now.AddHours(1)).Points;

        Assert.Equal(10, points.Count);
        Assert.Equal(SandboxTestPlatform.TuesdayMorning.AddMinutes(-1), points[^1].Timestamp);
    }

    [Fact]
    public void A_longer_period_sums_counts_and_averages_levels_of_its_minutes()
    {
        var minutes = Day.Series(Day.Alb("RequestCount", Statistic.Sum), TimeSpan.FromMinutes(5)).Points;
        var cpuMinutes = Day.Series(Day.Ecs("AWS/ECS", "CPUUtilization", Statistic.Average), TimeSpan.FromMinutes(5)).Points;

        var fiveMinutes = Day.Series(Day.Alb("RequestCount", Statistic.Sum, 300), TimeSpan.FromMinutes(5)).Points.Single();
        var cpu = Day.Series(Day.Ecs("AWS/ECS", "CPUUtilization", Statistic.Average, 300), TimeSpan.FromMinutes(5)).Points.Single();
        var cpuMax = Day.Series(Day.Ecs("AWS/ECS", "CPUUtilization", Statistic.Maximum, 300), TimeSpan.FromMinutes(5)).Points.Single();
        var samples = Day.Series(Day.Ecs("AWS/ECS", "CPUUtilization", Statistic.SampleCount, 300), TimeSpan.FromMinutes(5)).Points.Single();

        Assert.Equal(minutes.Sum(p => p.Value), fiveMinutes.Value);
        Assert.Equal(cpuMinutes.Average(p => p.Value), cpu.Value, 9);
        Assert.Equal(cpuMinutes.Max(p => p.Value), cpuMax.Value);
        Assert.Equal(5, samples.Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    [InlineData(90)]
    [InlineData(-60)]
    public void A_period_that_is_not_a_multiple_of_60_seconds_is_refused(int period)
    {
        var error = Assert.Throws<ArgumentException>(() => Day.Series(Day.Alb("RequestCount", Statistic.Sum, period), TimeSpan.FromHours(1)));

        Assert.Contains("multiple of 60 seconds", error.Message);
    }

    [Fact]
    public void More_than_500_queries_in_one_request_are_refused()
    {
        var queries = Enumerable.Range(0, 501).Select(i => Day.Alb("RequestCount", Statistic.Sum) with { Id = $"q{i}" }).ToList();

        var error = Assert.Throws<ArgumentException>(() => Day.GetMetricData(queries, Day.Now.AddHours(-1), Day.Now));

        Assert.Contains("500", error.Message);
    }

    [Theory]
    [InlineData("AWS/ApplicationELB", "NoSuchMetric", "LoadBalancer", "app/fintech-sandbox-alb/50dc6c495c0c9188")]
    [InlineData("AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/someone-elses-alb/1")]
    [InlineData("AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "fintech-sandbox-aurora-9")]
    [InlineData("AWS/ElastiCache", "CacheHitRate", "CacheClusterId", "other-redis-001")]
    [InlineData("AWS/Lambda", "Invocations", "FunctionName", "anything")]
    [InlineData("AWS/ECS", "CPUUtilization", "ClusterName", "fintech")]
    public void An_unknown_metric_or_dimension_answers_an_empty_series_like_CloudWatch(string ns, string metric, string dimension, string value)
    {
        var series = Day.Series(SandboxTestPlatform.Query(ns, metric, Statistic.Average, 60, (dimension, value)), TimeSpan.FromHours(1));

        Assert.Empty(series.Points);
        Assert.Equal(metric, series.Label);
    }

    [Fact]
    public void A_result_carries_the_query_id_and_the_label_and_no_unit_as_GetMetricData_returns_none()
    {
        var query = Day.Alb("TargetResponseTime", Statistic.P99) with { Id = "latency", Label = "API p99" };

        var series = Day.Series(query, TimeSpan.FromMinutes(5));

        Assert.Equal("latency", series.Id);
        Assert.Equal("API p99", series.Label);
        Assert.Equal(StatusCode.Complete, series.Status);
        Assert.DoesNotContain(typeof(MetricDataResult).GetProperties(), p => p.Name == "Unit");
    }

    [Fact]
    public async Task The_CloudWatch_port_answers_every_query_of_a_request_in_order()
    {
        ICloudWatch source = Day.Platform.CloudWatch;
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = [(Day.Alb("RequestCount", Statistic.Sum) with { Id = "a" }).ToDataQuery(), (Day.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum) with { Id = "b" }).ToDataQuery()],
            StartTime = Day.Now.AddMinutes(-30),
            EndTime = Day.Now,
        };

        var result = await source.GetMetricDataAsync(request, CancellationToken.None);

        Assert.Equal(["a", "b"], result.MetricDataResults.Select(s => s.Id));
        Assert.All(result.MetricDataResults, s => Assert.Equal(30, s.Timestamps.Count));
    }

    [Fact]
    public void Metric_math_fills_the_minutes_a_count_was_not_published()
    {
        var request = new GetMetricDataRequest
        {
            MetricDataQueries =
            [
                Day.Table("ReadThrottleEvents", Statistic.Sum).ToDataQuery() with { Id = "r", ReturnData = false },
                Day.Table("WriteThrottleEvents", Statistic.Sum).ToDataQuery() with { Id = "w", ReturnData = false },
                new MetricDataQuery { Id = "throttles", Expression = "FILL(r, 0) + FILL(w, 0)", Period = 60 },
                new MetricDataQuery { Id = "unfilled", Expression = "r + w", Period = 60 },
            ],
            StartTime = Day.Now.AddMinutes(-30),
            EndTime = Day.Now,
        };

        var results = Day.Platform.CloudWatch.GetMetricData(request).MetricDataResults;

        Assert.Equal(["throttles", "unfilled"], results.Select(r => r.Id));
        Assert.Equal(Enumerable.Repeat(0.0, 30), results[0].Values);
        Assert.Empty(results[1].Values);
    }
}
