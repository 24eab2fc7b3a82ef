using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.WriteProbe;

/// <summary>The outcome of one probe write.</summary>
public sealed record ProbeWriteResult(WriteProbeTarget Target, bool Succeeded, double LatencyMilliseconds);

/// <summary>
/// Once a second: one small write to each target (the Aurora writer, the Redis primary), at the same time, each within
/// <see cref="WriteProbeCanaryOptions.WriteTimeout"/>; then one <c>PutMetricData</c> with the second's
/// <see cref="PlatformCatalogue.WriteProbeAttempts"/>, <see cref="PlatformCatalogue.WriteProbeFailures"/> (0 included:
/// CloudWatch cannot tell a missing zero from a missing second) and <see cref="PlatformCatalogue.WriteProbeLatency"/>
/// per <c>Target</c>, at <c>StorageResolution</c> 1. This is what <c>AwsWriteProbe</c> reads back as failover evidence.
/// A failed write is logged with the client's message (metrics carry none); a failed publication loses that second's
/// sample and the writes go on. Each published second is recorded in the heartbeat file the container health check
/// reads (<see cref="WriteProbeHealthCheck"/>).
/// </summary>
public sealed class WriteProbeCanary(
    IEnumerable<IProbeWriter> writers,
    AwsServiceClient cloudWatch,
    IOptions<WriteProbeCanaryOptions> options,
    TimeProvider time,
    ILogger<WriteProbeCanary> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private PeriodicTimer? _timer;

    /// <summary>The seconds count from the start (ExecuteAsync itself runs later, on a thread of its own).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(Interval, time);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = _timer ?? new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ProbeOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The write-probe canary could not publish its metrics for this second: {Reason}", e.Message);
            }
        }
    }

    /// <summary>One second's writes and their metrics. Throws when the metrics could not be published.</summary>
    public async Task<IReadOnlyList<ProbeWriteResult>> ProbeOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var second = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var results = await Task.WhenAll(writers.Select(w => MeasureAsync(w, cancellationToken)));
        await cloudWatch.InvokeAsync("PutMetricData", PutMetricData(second, results), cancellationToken);
        if (options.Value.HeartbeatFile is { Length: > 0 } heartbeat)
        {
            try
            {
                WriteProbeHealthCheck.Write(heartbeat, second);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The second is published; only the health check will miss it (and fail if this lasts).
                logger.LogWarning("The write-probe canary could not record its heartbeat at {File}: {Reason}", heartbeat, e.Message);
            }
        }
        return results;
    }

    private async Task<ProbeWriteResult> MeasureAsync(IProbeWriter writer, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.WriteTimeout);
        bool succeeded;
        try
        {
            await writer.WriteAsync(timeout.Token);
            succeeded = true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            succeeded = false;
            var reason = e is OperationCanceledException ? $"no answer within {options.Value.WriteTimeout.TotalMilliseconds:0} ms" : e.Message;
            logger.LogWarning("Write probe to the {Target} failed: {Reason}", writer.Target, reason);
        }
        return new ProbeWriteResult(writer.Target, succeeded, Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3));
    }

    /// <summary>The awsQuery input of one second's metrics: three datums per target.</summary>
    internal static JsonObject PutMetricData(DateTimeOffset second, IReadOnlyList<ProbeWriteResult> results)
    {
        var timestamp = second.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        JsonObject Datum(string metric, WriteProbeTarget target, double value, string unit) => new()
        {
            ["MetricName"] = metric,
            ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "Target", ["Value"] = target.ToString() }),
            ["Timestamp"] = timestamp,
            ["Value"] = value,
            ["Unit"] = unit,
            ["StorageResolution"] = 1,
        };
        var data = new JsonArray();
        foreach (var result in results)
        {
            data.Add(Datum(PlatformCatalogue.WriteProbeAttempts, result.Target, 1, "Count"));
            data.Add(Datum(PlatformCatalogue.WriteProbeFailures, result.Target, result.Succeeded ? 0 : 1, "Count"));
            data.Add(Datum(PlatformCatalogue.WriteProbeLatency, result.Target, result.LatencyMilliseconds, "Milliseconds"));
        }
        Debug.Assert(data.Count <= 1000, "PutMetricData takes at most 1,000 datums.");
        return new JsonObject { ["Namespace"] = PlatformCatalogue.WriteProbeNamespace, ["MetricData"] = data };
    }
}
