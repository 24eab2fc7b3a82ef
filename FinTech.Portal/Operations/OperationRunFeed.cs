using System.Collections.Concurrent;
using Dapper;

namespace FinTech.Portal.Operations;

/// <summary>
/// Pushes run changes to every open run page. A change made on this portal task is published at
/// once; changes made by another task (its worker) are noticed by one shared check per second of
/// the versions of the runs someone here watches, however many people watch them (no database
/// polling per viewer).
/// </summary>
public sealed class OperationRunFeed(OperationStore store, TimeProvider time, ILogger<OperationRunFeed> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Action>> _watchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>Calls <paramref name="changed"/> (on a pool thread) whenever the run changes, until disposed.</summary>
    public IDisposable Watch(string runId, Action changed)
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

    public void Publish(string runId)
    {
        if (!_watchers.TryGetValue(runId, out var watchers))
        {
            return;
        }
        foreach (var watcher in watchers.Values)
        {
            try
            {
                watcher();
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

    /// <summary>One shared query for every watched run; publishes those whose version moved.</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var empty in _watchers.Where(w => w.Value.IsEmpty).Select(w => w.Key).ToList())
        {
            _watchers.TryRemove(empty, out _);
            _versions.TryRemove(empty, out _);
        }
        var ids = _watchers.Keys.ToList();
        if (ids.Count == 0)
        {
            return;
        }
        await using var connection = await store.OpenAsync(cancellationToken);
        var parameters = new DynamicParameters();
        var rows = await connection.QueryAsync<(string Id, long Version)>(new CommandDefinition(
            $"SELECT id, version FROM operation_runs WHERE id IN {OperationStore.InList(parameters, "id", ids)}", parameters, cancellationToken: cancellationToken));
        foreach (var (id, version) in rows)
        {
            var previous = _versions.GetValueOrDefault(id, -1);
            _versions[id] = version;
            if (previous >= 0 && previous != version)
            {
                Publish(id);
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
