using System.Globalization;
using FinTech.Portal.Logs;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Logs.Sandbox;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Sandbox;

namespace FinTech.Portal.Tests.Logs;

/// <summary>A Sandbox platform on a fake clock with its CloudWatch Logs.</summary>
internal sealed class SandboxLogsPlatform
{
    public SandboxLogsPlatform(int seed = SandboxTestPlatform.Seed, DateTimeOffset? now = null)
    {
        Sandbox = new SandboxTestPlatform(seed, now);
        Environment = new PortalEnvironment("sandbox", "Sandbox", PlatformBackend.Sandbox, false, Sandbox.Resources, seed, null);
        Logs = new SandboxCloudWatchLogs(Sandbox.Platform, Environment);
        Groups = EnvironmentLogGroups.For(Environment);
    }

    public SandboxTestPlatform Sandbox { get; }

    public PortalEnvironment Environment { get; }

    public SandboxCloudWatchLogs Logs { get; }

    public EnvironmentLogGroups Groups { get; }

    public DateTimeOffset Now => Sandbox.Now;

    public QueryOutcome Query(string query, IReadOnlyCollection<string> groups, DateTimeOffset start, DateTimeOffset end) =>
        new QueryEvaluator(QueryParser.Parse(query), StartQueryRequest.MaxLimit)
            .Run(Logs.Events(groups, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds()), CancellationToken.None);

    public List<Dictionary<string, string>> Rows(string query, IReadOnlyCollection<string> groups, DateTimeOffset start, DateTimeOffset end) =>
        Query(query, groups, start, end).Rows.Select(r => r.ToDictionary(f => f.Field, f => f.Value)).ToList();

    /// <summary>Runs through StartQuery and GetQueryResults until the query ends.</summary>
    public async Task<GetQueryResultsResponse> RunAsync(string query, IReadOnlyList<string> groups, DateTimeOffset start, DateTimeOffset end)
    {
        var started = await Logs.StartQueryAsync(new StartQueryRequest(groups, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds() - 1, query), CancellationToken.None);
        while (true)
        {
            var results = await Logs.GetQueryResultsAsync(new GetQueryResultsRequest(started.QueryId), CancellationToken.None);
            if (results.Status is not (QueryStatus.Running or QueryStatus.Scheduled))
            {
                return results;
            }
            await Task.Yield();
        }
    }
}

/// <summary>
/// These generate hundreds of thousands of log lines each: they run on their own, after the
/// parallel tests, so they never starve the browser tests' timeouts on a busy machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogGenerationCollection
{
    public const string Name = "Log generation";
}

[Collection(LogGenerationCollection.Name)]
public class SandboxLogsTests
{
    private static Dictionary<DateTimeOffset, double> PerMinute(SandboxLogsPlatform platform, string query, DateTimeOffset start, DateTimeOffset end) =>
        platform.Rows(query, [platform.Groups.Api], start, end).ToDictionary(
            r => LogTimestamp.TryParse(r["bin(1m)"], out var t) ? t.ToDateTimeOffset() : throw new FormatException(r["bin(1m)"]),
            r => double.Parse(r["count(*)"], CultureInfo.InvariantCulture));

    [Fact]
    public void The_same_seed_and_history_give_the_same_lines_whatever_range_they_are_asked_in()
    {
        var a = new SandboxLogsPlatform();
        var b = new SandboxLogsPlatform();
        foreach (var platform in new[] { a, b })
        {
            platform.Sandbox.Advance(TimeSpan.FromMinutes(1));
            platform.Sandbox.Platform.SetFault(SandboxFault.ErrorBurst, on: true);
            platform.Sandbox.Advance(TimeSpan.FromMinutes(5));
        }
        var end = a.Now;
        var start = end.AddMinutes(-10);

        var wide = a.Logs.Events(a.Groups.All, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds()).Select(e => (e.Timestamp, e.LogStream, e.Message)).ToList();
        var same = b.Logs.Events(b.Groups.All, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds()).Select(e => (e.Timestamp, e.LogStream, e.Message)).ToList();
        var part = b.Logs.Events(b.Groups.All, start.AddMinutes(3).ToUnixTimeMilliseconds(), start.AddMinutes(4).ToUnixTimeMilliseconds()).Select(e => (e.Timestamp, e.LogStream, e.Message)).ToList();

        Assert.True(wide.Count > 10_000, $"{wide.Count} lines");
        Assert.Equal(wide, same);
        Assert.Equal(wide.Where(e => e.Timestamp >= start.AddMinutes(3).ToUnixTimeMilliseconds() && e.Timestamp < start.AddMinutes(4).ToUnixTimeMilliseconds()), part);
        Assert.True(wide.Zip(wide.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "oldest first");
        var other = new SandboxLogsPlatform(seed: 7).Logs.Events(a.Groups.All, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds()).Take(50).Select(e => e.Message);
        Assert.NotEqual(wide.Take(50).Select(e => e.Message), other);
    }

    [Fact]
    public void Every_event_counts_the_bytes_of_its_message_and_api_lines_are_json_with_their_fields()
    {
        var platform = new SandboxLogsPlatform();
        platform.Sandbox.Platform.SetFault(SandboxFault.ErrorBurst, on: true);
        platform.Sandbox.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Sandbox.Platform.SetFault(SandboxFault.TaskCrashLoop, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(3));

        var events = platform.Logs.Events(platform.Groups.All, platform.Now.AddMinutes(-1).ToUnixTimeMilliseconds(), platform.Now.ToUnixTimeMilliseconds()).ToList();

        Assert.All(events, e => Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(e.Message), e.Size));
        Assert.All(events.Where(e => e.LogGroup == platform.Groups.Api), e =>
        {
            var parsed = TextLogEvent.Discover(e.Message);
            Assert.Equal(parsed.Keys, e.Fields.Select(f => f.Key));
            Assert.All(parsed, field => Assert.Equal(field.Value, e.Fields.Single(f => f.Key == field.Key).Value));
        });
    }

    [Fact]
    public void Nothing_is_logged_after_now()
    {
        var platform = new SandboxLogsPlatform();

        var events = platform.Logs.Events(platform.Groups.All, platform.Now.AddMinutes(-1).ToUnixTimeMilliseconds(), platform.Now.AddHours(1).ToUnixTimeMilliseconds()).ToList();

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(e.Timestamp <= platform.Now.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void Each_minute_has_as_many_5xx_request_lines_as_the_target_5xx_metric_counts_through_an_error_burst()
    {
        var platform = new SandboxLogsPlatform();
        platform.Sandbox.Advance(TimeSpan.FromMinutes(20));
        platform.Sandbox.Platform.SetFault(SandboxFault.ErrorBurst, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(10));
        platform.Sandbox.Platform.SetFault(SandboxFault.ErrorBurst, on: false);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(10));
        var end = platform.Now;
        var start = end.AddMinutes(-40);

        var metric = platform.Sandbox.Series(platform.Sandbox.Alb("HTTPCode_Target_5XX_Count", Statistic.Sum), start, end)
            .Points.ToDictionary(p => p.Timestamp, p => p.Value);
        var logged = PerMinute(platform, "filter status >= 500 | stats count(*) by bin(1m)", start, end);

        Assert.Equal(40, metric.Count);
        Assert.True(metric.Values.Max() > 1_000, "the burst shows in the metric");
        foreach (var minute in metric.Keys.Union(logged.Keys))
        {
            Assert.Equal(metric.GetValueOrDefault(minute), logged.GetValueOrDefault(minute));
        }
    }

    [Fact]
    public void Latency_percentiles_of_the_logged_requests_agree_with_the_p50_and_p99_metrics()
    {
        // The sampled lines are the unbiased sample (every error is logged, so errors are over-represented among all lines).
        var platform = new SandboxLogsPlatform();
        var end = platform.Now;
        var start = end.AddHours(-1);

        var p50 = platform.Sandbox.Series(platform.Sandbox.Alb("TargetResponseTime", Statistic.Parse("p50"), 3600), start, end).Points.Single().Value * 1000;
        var p99 = platform.Sandbox.Series(platform.Sandbox.Alb("TargetResponseTime", Statistic.Parse("p99"), 3600), start, end).Points.Single().Value * 1000;
        var row = Assert.Single(platform.Rows("filter sampleRate = 100 | stats pct(durationMs, 50) as p50, pct(durationMs, 99) as p99, count(*) as n", [platform.Groups.Api], start, end));

        Assert.InRange(double.Parse(row["n"], CultureInfo.InvariantCulture), 30_000, 120_000);
        Assert.InRange(double.Parse(row["p50"], CultureInfo.InvariantCulture), p50 * 0.97, p50 * 1.03);
        Assert.InRange(double.Parse(row["p99"], CultureInfo.InvariantCulture), p99 * 0.95, p99 * 1.05);
    }

    [Fact]
    public void Successful_requests_are_sampled_one_in_a_hundred_and_say_so()
    {
        var platform = new SandboxLogsPlatform();
        var end = platform.Now;
        var start = end.AddMinutes(-10);

        var requests = platform.Sandbox.Series(platform.Sandbox.Alb("RequestCount", Statistic.Sum, 600), start, end).Points.Single().Value;
        var row = Assert.Single(platform.Rows("filter status < 500 | stats count(*) as n, min(sampleRate) as lo, max(sampleRate) as hi, sum(sampleRate) as estimate", [platform.Groups.Api], start, end));

        Assert.Equal("100", row["lo"]);
        Assert.Equal("100", row["hi"]);
        Assert.InRange(double.Parse(row["estimate"], CultureInfo.InvariantCulture), requests * 0.98, requests * 1.01);
    }

    [Fact]
    public void An_error_burst_logs_deadlock_exceptions_with_stack_traces_and_deadlocks_in_the_database_log()
    {
        var platform = new SandboxLogsPlatform();
        var before = platform.Now;
        platform.Sandbox.Platform.SetFault(SandboxFault.ErrorBurst, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(5));

        var quiet = platform.Rows("filter exceptionType = 'Npgsql.PostgresException' | stats count(*) as n", [platform.Groups.Api], before.AddMinutes(-5), before);
        var burst = platform.Rows("filter exceptionType = 'Npgsql.PostgresException' | fields exception | limit 1", [platform.Groups.Api], before, platform.Now);
        var deadlocks = platform.Rows("filter @message like 'ERROR:  deadlock detected' | stats count(*) as n", [platform.Groups.Postgresql], before.AddMinutes(2), platform.Now);

        Assert.True(quiet.Count == 0 || quiet[0]["n"] == "0");
        Assert.StartsWith("Npgsql.PostgresException (0x80004005): 40P01: deadlock detected\n   at Npgsql.", Assert.Single(burst)["exception"]);
        Assert.InRange(double.Parse(deadlocks[0]["n"], CultureInfo.InvariantCulture), 30, 200);
    }

    [Fact]
    public void A_latency_spike_logs_slow_requests()
    {
        var platform = new SandboxLogsPlatform();
        var before = platform.Now;
        var quiet = platform.Query("filter message = 'slow request'", [platform.Groups.Api], before.AddMinutes(-5), before).RecordsMatched;
        platform.Sandbox.Platform.SetFault(SandboxFault.LatencySpike, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(5));

        var spike = platform.Rows("filter message = 'slow request' | stats count(*) as n, min(durationMs) as fastest", [platform.Groups.Api], platform.Now.AddMinutes(-2), platform.Now);

        Assert.InRange(quiet, 0, 500);
        Assert.True(double.Parse(spike[0]["n"], CultureInfo.InvariantCulture) > 10 * Math.Max(quiet, 10), $"{spike[0]["n"]} slow requests in the spike, {quiet} before");
        Assert.InRange(double.Parse(spike[0]["fastest"], CultureInfo.InvariantCulture), 1000, 1100);
    }

    [Fact]
    public void Replica_lag_logs_recovery_conflicts_on_the_reader()
    {
        var platform = new SandboxLogsPlatform();
        platform.Sandbox.Platform.SetFault(SandboxFault.ReplicaLag, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(5));

        var rows = platform.Rows("filter @message like 'conflict with recovery' | stats count(*) as n by @logStream", [platform.Groups.Postgresql], platform.Now.AddMinutes(-3), platform.Now);

        var reader = Assert.Single(rows);
        Assert.Equal(platform.Sandbox.Platform.AuroraInstances[1], reader["@logStream"]);
        Assert.True(double.Parse(reader["n"], CultureInfo.InvariantCulture) >= 6);
    }

    [Fact]
    public void A_failover_logs_the_shutdown_of_the_old_writer_and_the_promotion_of_the_new_one()
    {
        var platform = new SandboxLogsPlatform();
        var promoted = platform.Sandbox.Platform.FailoverAuroraCluster().ToInstance;
        platform.Sandbox.Advance(TimeSpan.FromMinutes(3));

        var rows = platform.Rows(@"parse @message /:(?<level>[A-Z]+):  (?<text>.*)$/ | filter text in ['received fast shutdown request', 'received promote request', 'database system is ready to accept connections'] | display @logStream, text | sort @timestamp asc",
            [platform.Groups.Postgresql], platform.Now.AddMinutes(-3), platform.Now);

        Assert.Equal(
            [
                (platform.Sandbox.Platform.AuroraInstances[0], "received fast shutdown request"),
                (promoted, "received promote request"),
                (promoted, "database system is ready to accept connections"),
            ],
            rows.Select(r => (r["@logStream"], r["text"])));
    }

    [Fact]
    public void A_crash_loop_logs_oom_kills_and_restarts()
    {
        var platform = new SandboxLogsPlatform();
        platform.Sandbox.Platform.SetFault(SandboxFault.TaskCrashLoop, on: true);
        platform.Sandbox.Advance(TimeSpan.FromMinutes(5));
        var start = platform.Now.AddMinutes(-3);

        var kills = platform.Query("filter detail.containers.0.reason like 'OutOfMemoryError' and detail.lastStatus = 'STOPPED'", [platform.Groups.EcsEvents], start, platform.Now).RecordsMatched;
        var starts = platform.Query("filter message like 'Application started'", [platform.Groups.Api], start, platform.Now).RecordsMatched;
        var pending = platform.Sandbox.Series(platform.Sandbox.Ecs("ECS/ContainerInsights", "PendingTaskCount", Statistic.Sum), start, platform.Now).Points.Sum(p => p.Value);

        Assert.True(kills > 0);
        Assert.Equal(pending, kills);
        Assert.Equal(kills, starts);
    }

    [Fact]
    public async Task StartQuery_runs_in_the_background_and_GetQueryResults_returns_rows_and_statistics()
    {
        var platform = new SandboxLogsPlatform();

        var results = await platform.RunAsync("filter status >= 500 | fields @timestamp, status, route | limit 5", [platform.Groups.Api], platform.Now.AddMinutes(-15), platform.Now);

        Assert.Equal(QueryStatus.Complete, results.Status);
        Assert.Equal(5, results.Results.Count);
        Assert.All(results.Results, r => Assert.Equal(["@timestamp", "status", "route"], r.Select(f => f.Field)));
        Assert.True(results.Statistics.RecordsScanned > results.Statistics.RecordsMatched);
        Assert.True(results.Statistics.BytesScanned > 200 * results.Statistics.RecordsScanned);
    }

    [Fact]
    public async Task StartQuery_refuses_a_malformed_query_an_unknown_group_and_a_backwards_range()
    {
        var platform = new SandboxLogsPlatform();
        var now = platform.Now.ToUnixTimeSeconds();

        var malformed = await Assert.ThrowsAsync<MalformedQueryException>(() =>
            platform.Logs.StartQueryAsync(new StartQueryRequest([platform.Groups.Api], now - 60, now, "filter status >="), CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<InvalidLogsRequestException>(() =>
            platform.Logs.StartQueryAsync(new StartQueryRequest(["/nope"], now - 60, now, "fields @message"), CancellationToken.None));
        var backwards = await Assert.ThrowsAsync<InvalidLogsRequestException>(() =>
            platform.Logs.StartQueryAsync(new StartQueryRequest([platform.Groups.Api], now, now - 60, "fields @message"), CancellationToken.None));

        Assert.Equal(16, malformed.Location.StartCharOffset);
        Assert.Equal("ResourceNotFoundException", unknown.ErrorCode);
        Assert.Equal("InvalidParameterException", backwards.ErrorCode);
    }

    [Fact]
    public async Task StopQuery_cancels_a_running_query()
    {
        var platform = new SandboxLogsPlatform();
        var started = await platform.Logs.StartQueryAsync(new StartQueryRequest([platform.Groups.Api], platform.Now.AddDays(-30).ToUnixTimeSeconds(), platform.Now.ToUnixTimeSeconds(), "stats count(*) by status"), CancellationToken.None);

        var stopped = await platform.Logs.StopQueryAsync(new StopQueryRequest(started.QueryId), CancellationToken.None);
        var results = await platform.Logs.GetQueryResultsAsync(new GetQueryResultsRequest(started.QueryId), CancellationToken.None);
        var again = await platform.Logs.StopQueryAsync(new StopQueryRequest(started.QueryId), CancellationToken.None);

        Assert.True(stopped.Success);
        Assert.Equal(QueryStatus.Cancelled, results.Status);
        Assert.False(again.Success);
    }

    [Fact]
    public async Task FilterLogEvents_pages_through_a_group_with_a_filter_pattern()
    {
        var platform = new SandboxLogsPlatform();
        var start = platform.Now.AddMinutes(-5).ToUnixTimeMilliseconds();
        var end = platform.Now.ToUnixTimeMilliseconds();
        var expected = platform.Logs.Events([platform.Groups.Api], start, end).Where(e => e.TryGet("status", out var s) && (double)s! >= 400).Select(e => e.Message).ToList();

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await platform.Logs.FilterLogEventsAsync(new FilterLogEventsRequest(platform.Groups.Api, start, end, "{ $.status >= 400 }", 100, token), CancellationToken.None);
            Assert.InRange(page.Events.Count, 0, 100);
            seen.AddRange(page.Events.Select(e => e.Message));
            token = page.NextToken;
        }
        while (token is not null);

        Assert.True(expected.Count > 100);
        Assert.Equal(expected, seen);
        var terms = await platform.Logs.FilterLogEventsAsync(new FilterLogEventsRequest(platform.Groups.Api, start, end, "\"request failed\" -deadlock"), CancellationToken.None);
        Assert.All(terms.Events, e => Assert.Contains("\"status\":5", e.Message));
    }
}
