using System.Diagnostics;
using System.Globalization;
using FinTech.Portal.Logs;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Logs.Sandbox;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Bench;

/// <summary>
/// Logs Insights over the Sandbox's generated logs:
/// <list type="bullet">
/// <item><c>query_24h_s</c>: seconds from StartQuery to a Complete GetQueryResults for
/// <c>stats count(*) by bin(5m), status</c> over 24 hours of the API log group (every event generated and scanned);</item>
/// <item><c>logs_vs_metrics_max_diff_pct</c>: the largest per-minute difference, in percent of the metric,
/// between the 5xx request lines and the <c>HTTPCode_Target_5XX_Count</c> Sum over those 24 hours
/// (which hold a 30-minute error burst).</item>
/// </list>
/// </summary>
public static class LogsBenchmark
{
    private const string Query = "stats count(*) by bin(5m), status";

    public static async Task<int> RunAsync(string[] args)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 22, 0, 0, TimeSpan.Zero));
        var environment = new PortalEnvironment("sandbox", "Sandbox", PlatformBackend.Sandbox, false, new PlatformResources(), 20261124, null);
        var platform = new SandboxPlatform(environment.SandboxSeed, environment.Resources, clock);
        // A day with an incident in it: an error burst in the afternoon.
        clock.Now = new DateTimeOffset(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);
        platform.SetFault(SandboxFault.ErrorBurst, on: true);
        clock.Now = clock.Now.AddMinutes(30);
        platform.SetFault(SandboxFault.ErrorBurst, on: false);
        clock.Now = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var logs = new SandboxCloudWatchLogs(platform, environment);
        var groups = EnvironmentLogGroups.For(environment);
        var end = clock.Now;
        var start = end.AddHours(-24);

        Log("warming up (one hour)");
        await RunQueryAsync(logs, groups.Api, end.AddHours(-1), end, Query);

        Log($"{Query} over 24 hours of {groups.Api}");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var results = await RunQueryAsync(logs, groups.Api, start, end, Query);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        // On a shared machine the wall time also measures the neighbours; the CPU time is this query's own work.
        Log($"{results.Results.Count} rows; {results.Statistics.RecordsScanned:N0} records scanned, {results.Statistics.BytesScanned / 1e6:N0} MB, {seconds:0.00} s wall, {cpu:0.00} s CPU (both cores), load average {LoadAverage()}");

        Log("5xx request lines per minute against HTTPCode_Target_5XX_Count");
        var errors = await RunQueryAsync(logs, groups.Api, start, end, "filter status >= 500 | stats count(*) as n by bin(1m) as minute");
        var logged = errors.Results.ToDictionary(
            r => LogTimestamp.TryParse(r.Single(f => f.Field == "minute").Value, out var t) ? t.ToDateTimeOffset() : throw new FormatException(),
            r => double.Parse(r.Single(f => f.Field == "n").Value, CultureInfo.InvariantCulture));
        // The API's own 5xx (its target group); CloudWatch leaves out minutes without one, which count as zero below.
        var apiErrors = new FinTech.Portal.Platform.CloudWatch.Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count",
            [new("LoadBalancer", platform.Resources.LoadBalancer), new("TargetGroup", platform.Resources.TargetGroup)]);
        var result = platform.CloudWatch.GetMetricData(new FinTech.Portal.Platform.CloudWatch.GetMetricDataRequest
        {
            MetricDataQueries = [FinTech.Portal.Platform.CloudWatch.MetricDataQuery.ForMetric("errors", apiErrors, Statistic.Sum, 60)],
            StartTime = start,
            EndTime = end,
        }).MetricDataResults.Single();
        var metric = result.Timestamps.Zip(result.Values).ToDictionary(p => p.First, p => p.Second);
        var maxDiff = 0.0;
        foreach (var minute in metric.Keys.Union(logged.Keys))
        {
            var expected = metric.GetValueOrDefault(minute);
            var actual = logged.GetValueOrDefault(minute);
            maxDiff = Math.Max(maxDiff, Math.Abs(actual - expected) / Math.Max(expected, 1) * 100);
        }
        Log($"{metric.Count} minutes, {metric.Values.Sum():N0} 5xx in the metric, {logged.Values.Sum():N0} 5xx lines");

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"query_24h_s={seconds:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"logs_vs_metrics_max_diff_pct={maxDiff:0.###}"));
        return 0;
    }

    private static async Task<GetQueryResultsResponse> RunQueryAsync(ICloudWatchLogs logs, string group, DateTimeOffset start, DateTimeOffset end, string query)
    {
        var started = await logs.StartQueryAsync(new StartQueryRequest([group], start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds() - 1, query), CancellationToken.None);
        while (true)
        {
            var results = await logs.GetQueryResultsAsync(new GetQueryResultsRequest(started.QueryId), CancellationToken.None);
            if (results.Status is not (QueryStatus.Running or QueryStatus.Scheduled))
            {
                return results.Status == QueryStatus.Complete ? results : throw new InvalidOperationException($"The query ended {results.Status}.");
            }
            // Poll like the page does (GetQueryResults every few hundred ms would add up to that much; this is finer).
            await Task.Delay(20);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static void Log(string message) => Console.Error.WriteLine($"[logs] {message}");

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
