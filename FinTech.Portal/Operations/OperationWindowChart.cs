using FinTech.Portal.Platform.CloudWatch;
using System.Collections.Concurrent;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations;

/// <summary>The API's 5xx and p99 around a run's window: what a failover did to customers, as a chart.</summary>
public sealed record RunWindowChart(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<ChartSeries> Errors, IReadOnlyList<ChartSeries> Latency, string? Problem);

/// <summary>
/// The run page's live chart, shared: one upstream query per run per <see cref="MaxAge"/>,
/// however many people watch the run (the same rule as the dashboards' shared refresh).
/// </summary>
public sealed class OperationWindowCharts(PlatformRegistry platforms, EnvironmentCatalog environments, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<RunWindowChart> Chart)> _cache = new(StringComparer.Ordinal);

    public Task<RunWindowChart> GetAsync(OperationRun run, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = _cache.AddOrUpdate(run.Id,
            _ => (now, LoadAsync(run, now)),
            (_, existing) => now - existing.At < MaxAge && !(existing.Chart.IsCompleted && run.IsTerminal && existing.At < run.FinishedAt)
                ? existing
                : (now, LoadAsync(run, now)));
        return entry.Chart.WaitAsync(cancellationToken);
    }

    private async Task<RunWindowChart> LoadAsync(OperationRun run, DateTimeOffset now)
    {
        var start = (run.StartedAt ?? run.CreatedAt) - TimeSpan.FromMinutes(10);
        var end = run.FinishedAt is { } finished ? finished + TimeSpan.FromMinutes(5) : now;
        if (end > now)
        {
            end = now;
        }
        try
        {
            var environment = environments.Get(run.Environment);
            var series = await OperationMetrics.PointsAsync(platforms.Connect(environment),
            [
                MetricDataQuery.ForMetric("errors", OperationMetrics.ApiMetric(environment, "HTTPCode_Target_5XX_Count"), Statistic.Sum, 60, "target 5xx per minute"),
                MetricDataQuery.ForMetric("p99", OperationMetrics.ApiMetric(environment, "TargetResponseTime"), Statistic.P99, 60, "p99"),
            ], start, end, CancellationToken.None);
            var errors = series["errors"];
            var p99 = series["p99"].Select(p => new MetricPoint(p.Timestamp, p.Value * 1000)).ToList();
            return new RunWindowChart(start, end, [new ChartSeries("target 5xx / min", errors)], [new ChartSeries("p99", p99)], null);
        }
        catch (PlatformUnavailableException e)
        {
            return new RunWindowChart(start, end, [], [], e.Message);
        }
    }
}
