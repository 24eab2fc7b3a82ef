using FinTech.Portal.Dashboards;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Dashboards;

/// <summary>A refresh hub over a <see cref="ScriptedPlatform"/> on simulated time.</summary>
internal sealed class HubFixture : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public HubFixture()
    {
        var options = Options.Create(new PlatformOptions
        {
            Environments = { ["sandbox"] = new EnvironmentOptions { DisplayName = "Sandbox" } },
        });
        options.Value.Environments["sandbox"].Resources.ApplySandboxDefaults();
        Catalog = new EnvironmentCatalog(options);
        Time.TimerArmed += due =>
        {
            lock (_dues)
            {
                _dues.Add(due);
            }
            Pulse();
        };
        // Every step of the hub's loop records a measurement (loop started, refreshed, loop stopped)
        // or arms a timer: the signals a wait re-checks its condition on.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => Pulse());
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Pulse());
        _listener.Start();
        Hub = new DashboardRefreshHub(
            new PlatformRegistry(Catalog, [.. Platform.AsPorts()]),
            Catalog,
            Time,
            Options.Create(new DashboardOptions { RefreshInterval = Interval, UpstreamTimeout = TimeSpan.FromSeconds(5) }),
            new PortalMetrics(Meter),
            NullLogger<DashboardRefreshHub>.Instance);
    }

    public WatchedClock Time { get; } = new(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero));

    /// <summary>A guard against a hang, not a pause: waits end on the hub's signals.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private readonly SortedSet<DateTimeOffset> _dues = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Pulse() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>The earliest armed timer not yet due, if any.</summary>
    private DateTimeOffset? NextDue()
    {
        lock (_dues)
        {
            _dues.RemoveWhere(due => due <= Time.GetUtcNow());
            return _dues.Count > 0 ? _dues.Min : null;
        }
    }

    public ScriptedPlatform Platform { get; } = new();

    /// <summary>This fixture's own meter (named like the portal's), so a test listens to its hub only.</summary>
    public System.Diagnostics.Metrics.Meter Meter { get; } = new(PortalMetrics.MeterName);

    public EnvironmentCatalog Catalog { get; }

    public DashboardRefreshHub Hub { get; }

    public static DashboardKey Overview(string range = "1h") => new("sandbox", "overview", range);

    /// <summary>
    /// Moves simulated time to each timer the hub arms (its next refresh, an upstream call's
    /// timeout) until the hub's loop reaches a state: never further than the loop waits, and never
    /// before it waits.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> until)
    {
        while (!until())
        {
            DateTimeOffset? next = null;
            await WaitUntilAsync(() => until() || (next = NextDue()) is not null);
            if (next is { } due)
            {
                Time.Advance(due - Time.GetUtcNow());
            }
        }
    }

    /// <summary>
    /// Waits for the hub's background loop to reach a state: the condition is checked now and again
    /// each time the loop records a measurement or arms a timer, not on a real-time poll.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }
            try
            {
                await changed.WaitAsync(guard.Token);
            }
            catch (OperationCanceledException) when (guard.IsCancellationRequested)
            {
                throw new TimeoutException($"The hub did not reach the state within {HangGuard.TotalSeconds:0} s.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        _listener.Dispose();
        Meter.Dispose();
    }
}
