using System.Collections.Concurrent;
using Dapper;

namespace FinTech.Portal.Operations;

/// <summary>What moved in a watched run.</summary>
public enum RunFeedChange
{
    /// <summary>Its state or its timeline (a call, an event the service reported): reload the run.</summary>
    Run,

    /// <summary>Nothing recorded, but it is running: its window chart has newer minutes (shared, see <see cref="OperationWindowCharts"/>).</summary>
    Chart,
}

/// <summary>
/// Pushes run changes to every open run page. A transition made on this portal task is published
/// at once; everything else (another task's worker, the timeline's calls and service events, a
/// running run's chart) is noticed by one shared check per second of the runs someone here
/// watches, however many people watch them (no database polling per viewer).
/// </summary>
public sealed class OperationRunFeed(OperationStore store, TimeProvider time, ILogger<OperationRunFeed> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Action<RunFeedChange>>> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Version, long LastEntry)> _stamps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pushed = new(StringComparer.Ordinal);

    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a running run's chart is pushed: a little over the shared chart's age, so each push finds it refreshed.</summary>
    public static readonly TimeSpan ChartInterval = OperationWindowCharts.MaxAge + CheckInterval;

    /// <summary>Calls <paramref name="changed"/> (on a pool thread) whenever the run changes, until disposed.</summary>
    public IDisposable Watch(string runId, Action<RunFeedChange> changed)
    {
        var id = Guid.NewGuid();
        _watchers.GetOrAdd(runId, _ => new()).TryAdd(id, changed);
        return new Subscription(() =>
        {
            if (_watchers.TryGetValue(runId, out var watchers))
            {
                watchers.TryRemove(id, out _);
            }
        });
    }

    public int WatchedRuns => _watchers.Count(w => !w.Value.IsEmpty);

    public void Publish(string runId, RunFeedChange change = RunFeedChange.Run)
    {
        if (!_watchers.TryGetValue(runId, out var watchers))
        {
            return;
        }
        _pushed[runId] = time.GetUtcNow();
        foreach (var watcher in watchers.Values)
        {
            try
            {
                watcher(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogWarning(e, "A viewer of run {RunId} failed to take an update.", runId);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking watched runs for changes failed; trying again in {Interval}.", CheckInterval);
            }
        }
    }

    /// <summary>
    /// One shared query for every watched run: publishes those whose version or timeline moved,
    /// and, every <see cref="ChartInterval"/>, the running ones for their chart.
    /// </summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var empty in _watchers.Where(w => w.Value.IsEmpty).Select(w => w.Key).ToList())
        {
            _watchers.TryRemove(empty, out _);
            _stamps.TryRemove(empty, out _);
            _pushed.TryRemove(empty, out _);
        }
        var ids = _watchers.Keys.ToList();
        if (ids.Count == 0)
        {
            return;
        }
        await using var connection = await store.OpenAsync(cancellationToken);
        var parameters = new DynamicParameters();
        var rows = await connection.QueryAsync<(string Id, long Version, string State, long LastEntry)>(new CommandDefinition($"""
            SELECT r.id, r.version, r.state, COALESCE((SELECT MAX(t.id) FROM operation_timeline t WHERE t.run_id = r.id), 0)
            FROM operation_runs r WHERE r.id IN {OperationStore.InList(parameters, "id", ids)}
            """, parameters, cancellationToken: cancellationToken));
        var now = time.GetUtcNow();
        foreach (var (id, version, state, lastEntry) in rows)
        {
            var seen = _stamps.TryGetValue(id, out var previous);
            _stamps[id] = (version, lastEntry);
            if (!seen)
            {
                _pushed[id] = now;
            }
            else if (previous != (version, lastEntry))
            {
                Publish(id, RunFeedChange.Run);
            }
            else if (state is nameof(OperationState.Running) or nameof(OperationState.Verifying)
                && now - _pushed.GetValueOrDefault(id, now) >= ChartInterval)
            {
                Publish(id, RunFeedChange.Chart);
            }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                dispose();
            }
        }
    }
}

/// <summary>Wakes this task's worker when a run becomes ready (an approval), so it does not wait for its next poll.</summary>
public sealed class OperationWorkerSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) =>
        WaitCoreAsync(timeout, time, cancellationToken);

    private async Task<bool> WaitCoreAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timeoutSource.Token);
        var wait = _signal.WaitAsync(timeoutSource.Token);
        var first = await Task.WhenAny(delay, wait);
        await timeoutSource.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return first == wait && wait.IsCompletedSuccessfully;
    }
}
