using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// Shares the refresh of a dashboard between everyone watching it (ARCHITECTURE decision 2):
/// per (environment, dashboard, time range) one refresh loop runs while at least one viewer is
/// subscribed, queries upstream once per interval and pushes the snapshot to every viewer. The
/// loop stops when the last viewer leaves, so an idle portal costs nothing upstream.
/// </summary>
public sealed class DashboardRefreshHub : IAsyncDisposable
{
    private readonly PlatformRegistry _platforms;
    private readonly EnvironmentCatalog _environments;
    private readonly TimeProvider _time;
    private readonly ILogger<DashboardRefreshHub> _logger;
    private readonly TimeSpan _interval;
    private readonly DashboardRefresher _refresher;
    private readonly PortalMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Dictionary<DashboardKey, Feed> _feeds = [];
    private int _runningLoops;
    private long _refreshes;

    public DashboardRefreshHub(
        PlatformRegistry platforms,
        EnvironmentCatalog environments,
        TimeProvider time,
        IOptions<DashboardOptions> options,
        PortalMetrics metrics,
        ILogger<DashboardRefreshHub> logger)
    {
        _metrics = metrics;
        _platforms = platforms;
        _environments = environments;
        _time = time;
        _logger = logger;
        _interval = options.Value.RefreshInterval;
        _refresher = new DashboardRefresher(time, options.Value.UpstreamTimeout, metrics);
    }

    /// <summary>
    /// Refresh loops running right now (for tests and the benchmark). A loop counts until it has
    /// returned, not only until its last viewer left, so zero means nothing can query upstream.
    /// </summary>
    public int ActiveFeeds => Volatile.Read(ref _runningLoops);

    /// <summary>Refreshes completed since start, over every dashboard (for the benchmark and telemetry).</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>
    /// Starts receiving snapshots of <paramref name="key"/>. The latest snapshot, if any, is
    /// delivered at once. <paramref name="onSnapshot"/> runs on the hub's loop: it must not block
    /// (components hand it to <c>InvokeAsync</c>). Dispose the result to stop watching.
    /// </summary>
    public IDisposable Subscribe(DashboardKey key, Action<DashboardSnapshot> onSnapshot)
    {
        var environment = _environments.Get(key.Environment);
        var dashboard = DashboardCatalog.Find(environment, key.Dashboard)
            ?? throw new KeyNotFoundException($"There is no dashboard '{key.Dashboard}'.");
        var range = TimeRange.Find(key.Range)
            ?? throw new KeyNotFoundException($"There is no time range '{key.Range}'.");

        var subscriber = new Subscriber(onSnapshot);
        Feed feed;
        DashboardSnapshot? latest;
        lock (_gate)
        {
            if (!_feeds.TryGetValue(key, out feed!))
            {
                feed = new Feed(key, dashboard, range, _platforms.Connect(environment));
                _feeds[key] = feed;
                Interlocked.Increment(ref _runningLoops);
                feed.Loop = Task.Run(() => RunAsync(feed));
            }
            feed.Subscribers.Add(subscriber);
            latest = feed.Latest;
        }
        if (latest is not null)
        {
            Deliver(subscriber, latest);
        }
        return new Subscription(this, feed, subscriber);
    }

    private void Unsubscribe(Feed feed, Subscriber subscriber)
    {
        lock (_gate)
        {
            if (!feed.Subscribers.Remove(subscriber) || feed.Subscribers.Count > 0)
            {
                return;
            }
            // A viewer leaving after the hub was disposed (a circuit torn down at shutdown) finds
            // its feed already stopped and gone; another feed may have the key by now.
            if (!_feeds.TryGetValue(feed.Key, out var current) || !ReferenceEquals(current, feed))
            {
                return;
            }
            _feeds.Remove(feed.Key);
        }
        feed.Stop.Cancel();
    }

    private async Task RunAsync(Feed feed)
    {
        _metrics.RefreshLoopStarted();
        try
        {
            await RefreshUntilStoppedAsync(feed);
        }
        finally
        {
            Interlocked.Decrement(ref _runningLoops);
            _metrics.RefreshLoopStopped();
        }
    }

    private async Task RefreshUntilStoppedAsync(Feed feed)
    {
        var token = feed.Stop.Token;
        while (true)
        {
            try
            {
                var started = _time.GetTimestamp();
                var snapshot = await _refresher.RefreshAsync(feed.Platform, feed.Dashboard, feed.Range, feed.Key, feed.Latest, token);
                _metrics.Refreshed(feed.Key.Dashboard, feed.Key.Range, _time.GetElapsedTime(started));
                Subscriber[] subscribers;
                lock (_gate)
                {
                    feed.Latest = snapshot;
                    subscribers = [.. feed.Subscribers];
                }
                Interlocked.Increment(ref _refreshes);
                foreach (var subscriber in subscribers)
                {
                    Deliver(subscriber, snapshot);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The refresher turns upstream failures into panel states; reaching here is a
                // bug. Keep the loop alive so the dashboard recovers at the next interval.
                _metrics.RefreshFailed(feed.Key.Dashboard);
                _logger.LogError(error, "Refreshing dashboard {Dashboard} of {Environment} failed", feed.Key.Dashboard, feed.Key.Environment);
            }
            try
            {
                await Task.Delay(_interval, _time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Deliver(Subscriber subscriber, DashboardSnapshot snapshot)
    {
        try
        {
            subscriber.OnSnapshot(snapshot);
        }
        catch (Exception error)
        {
            // One viewer's broken circuit must not stop the others' updates.
            _logger.LogWarning(error, "A dashboard viewer failed to take a snapshot");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Feed[] feeds;
        lock (_gate)
        {
            feeds = [.. _feeds.Values];
            _feeds.Clear();
        }
        foreach (var feed in feeds)
        {
            await feed.Stop.CancelAsync();
            if (feed.Loop is not null)
            {
                await feed.Loop;
            }
            feed.Stop.Dispose();
        }
    }

    private sealed class Feed(DashboardKey key, DashboardDefinition dashboard, TimeRange range, PlatformConnection platform)
    {
        public DashboardKey Key { get; } = key;
        public DashboardDefinition Dashboard { get; } = dashboard;
        public TimeRange Range { get; } = range;
        public PlatformConnection Platform { get; } = platform;
        public List<Subscriber> Subscribers { get; } = [];
        public CancellationTokenSource Stop { get; } = new();
        public Task? Loop { get; set; }
        public DashboardSnapshot? Latest { get; set; }
    }

    private sealed class Subscriber(Action<DashboardSnapshot> onSnapshot)
    {
        public Action<DashboardSnapshot> OnSnapshot { get; } = onSnapshot;
    }

    private sealed class Subscription(DashboardRefreshHub hub, Feed feed, Subscriber subscriber) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Unsubscribe(feed, subscriber);
            }
        }
    }
}
