using System.Text.Json;
using System.Text.Json.Serialization;
using FinTech.Portal.Hosting;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Audit;

/// <summary>A chain head written outside the database: a later rewrite of the whole table no longer matches it.</summary>
public sealed record AuditAnchor(
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("anchoredAt")] DateTimeOffset AnchoredAt,
    [property: JsonPropertyName("instance")] string Instance);

/// <summary>Somewhere the database's administrators cannot rewrite (a file here; CloudWatch Logs or S3 Object Lock on AWS).</summary>
public interface IAuditAnchorSink
{
    Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken);

    /// <summary>Every anchor written, oldest first.</summary>
    Task<IReadOnlyList<AuditAnchor>> ReadAllAsync(CancellationToken cancellationToken);
}

/// <summary>One JSON object per line, appended and flushed to disk.</summary>
public sealed class FileAuditAnchorSink : IAuditAnchorSink
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public FileAuditAnchorSink(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public FileAuditAnchorSink(IOptions<AuditOptions> options, IHostEnvironment host)
        : this(System.IO.Path.Combine(host.ContentRootPath, options.Value.AnchorFile))
    {
    }

    public string Path { get; }

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken)
    {
        var line = JsonSerializer.Serialize(anchor) + "\n";
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line), cancellationToken);
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<AuditAnchor>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        var anchors = new List<AuditAnchor>();
        foreach (var line in await File.ReadAllLinesAsync(Path, cancellationToken))
        {
            if (line.Length > 0)
            {
                anchors.Add(JsonSerializer.Deserialize<AuditAnchor>(line)
                    ?? throw new InvalidDataException($"The anchor file {Path} holds a line that is not an anchor."));
            }
        }
        return anchors;
    }
}

/// <summary>
/// Writes the chain head to the anchor sink on demand and every <see cref="AuditOptions.AnchorInterval"/>,
/// then records <c>audit.anchored</c>. A periodic tick with nothing new since the last anchor
/// (only that anchor's own event) writes nothing, so an idle portal does not grow its trail.
/// </summary>
public sealed class AuditAnchoring(
    AuditStore store,
    AuditTrail trail,
    IAuditAnchorSink sink,
    AuditAnchorStatus status,
    PortalInstance instance,
    TimeProvider time,
    IOptions<AuditOptions> options,
    ILogger<AuditAnchoring> logger) : BackgroundService
{
    private long _lastAnchoredSequence = -1;

    /// <summary>Anchors the current head; returns null when the chain is empty.</summary>
    public async Task<AuditAnchor?> AnchorNowAsync(AuditActor actor, CancellationToken cancellationToken)
    {
        var head = await store.GetHeadAsync(cancellationToken);
        if (head is null)
        {
            return null;
        }
        var anchor = new AuditAnchor(head.Sequence, head.Hash, time.GetUtcNow(), instance.Id);
        try
        {
            await sink.WriteAsync(anchor, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A failing sink never stops the trail: the failure is logged, shown on the audit page
            // and recorded itself; the next anchor covers everything since.
            var problem = $"The {options.Value.AnchorSink} anchor sink failed: {e.Message}";
            logger.LogError(e, "Writing audit anchor #{Sequence} to the {Sink} sink failed", head.Sequence, options.Value.AnchorSink);
            status.Failed(time.GetUtcNow(), problem);
            await trail.RecordAsync(new AuditEntry(
                AuditEventTypes.AuditAnchored, actor, AuditOutcome.Failed,
                Target: "audit-chain",
                Parameters: new Dictionary<string, string?>
                {
                    ["sequence"] = head.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["sink"] = options.Value.AnchorSink.ToString(),
                    ["reason"] = problem.Length > 500 ? problem[..500] : problem,
                }), cancellationToken);
            throw new AuditAnchorSinkException(problem, e);
        }
        status.Written(anchor);
        _lastAnchoredSequence = head.Sequence;
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.AuditAnchored, actor, AuditOutcome.Succeeded,
            Target: "audit-chain",
            Parameters: new Dictionary<string, string?>
            {
                ["sequence"] = head.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["hash"] = head.Hash,
                ["sink"] = options.Value.AnchorSink.ToString(),
            }), cancellationToken);
        logger.LogInformation("Audit chain anchored at #{Sequence} in the {Sink} sink", head.Sequence, options.Value.AnchorSink);
        return anchor;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AnchorInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await AnchorIfChangedAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the portal.stopped event is anchored by the next start's verification.
        }
    }

    internal async Task AnchorIfChangedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var head = await store.GetHeadAsync(cancellationToken);
            var nothingNew = head is null || head.Sequence == _lastAnchoredSequence
                || (head.Sequence == _lastAnchoredSequence + 1 && head.EventType == AuditEventTypes.AuditAnchored);
            if (!nothingNew)
            {
                await AnchorNowAsync(AuditActor.System, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nobody waits on a periodic anchor: say so loudly and try again at the next tick.
            logger.LogError(e, "Anchoring the audit chain failed; retrying in {Interval}", options.Value.AnchorInterval);
        }
    }
}

/// <summary>The anchor sink could not take an anchor; the trail itself is unaffected.</summary>
public sealed class AuditAnchorSinkException(string message, Exception inner) : IOException(message, inner);

/// <summary>The last anchor written and the last sink failure, for the audit page.</summary>
public sealed class AuditAnchorStatus
{
    private readonly Lock _gate = new();

    public AuditAnchor? LastWritten { get; private set; }

    public DateTimeOffset? FailingSince { get; private set; }

    public string? LastProblem { get; private set; }

    /// <summary>True while the last attempt failed.</summary>
    public bool IsFailing => FailingSince is not null;

    public void Written(AuditAnchor anchor)
    {
        lock (_gate)
        {
            LastWritten = anchor;
            FailingSince = null;
            LastProblem = null;
        }
    }

    public void Failed(DateTimeOffset at, string problem)
    {
        lock (_gate)
        {
            FailingSince ??= at;
            LastProblem = problem;
        }
    }
}
