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
        Hub = new DashboardRefreshHub(
            new PlatformRegistry(Catalog, [.. Platform.AsPorts()]),
            Catalog,
            Time,
            Options.Create(new DashboardOptions { RefreshInterval = Interval, UpstreamTimeout = TimeSpan.FromSeconds(5) }),
            new PortalMetrics(Meter),
            NullLogger<DashboardRefreshHub>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 3, 0, 0, TimeSpan.Zero));

    public ScriptedPlatform Platform { get; } = new();

    /// <summary>This fixture's own meter (named like the portal's), so a test listens to its hub only.</summary>
    public System.Diagnostics.Metrics.Meter Meter { get; } = new(PortalMetrics.MeterName);

    public EnvironmentCatalog Catalog { get; }

    public DashboardRefreshHub Hub { get; }

    public static DashboardKey Overview(string range = "1h") => new("sandbox", "overview", range);

    /// <summary>
    /// Moves simulated time on a second at a time until the hub's loop reaches a state. Small
    /// steps, because the loop may not have armed its next delay yet when a test first looks.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> until)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!until())
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>Waits (in real time, bounded) for the hub's background loop to reach a state.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Meter.Dispose();
    }
}
