using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Audit;

/// <summary>What the portal records on its own: views of production dashboards, its start and stop, periodic anchors.</summary>
public sealed class AuditRecordingTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private AuditTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = new AuditTestKit(_database.Database);
        await _kit.Migrations.ApplyAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_views_are_recorded_for_production_environments_only()
    {
        var views = new AuditedViews(_kit.Trail);
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim("oid", "user-carol"), new Claim("name", "Carol SRE"), new Claim(ClaimTypes.Role, "Operator")], "test"));

        var production = await views.DashboardViewedAsync(user, "10.1.2.3", Environment("prod", isProduction: true), "overview", CancellationToken.None);
        var sandbox = await views.DashboardViewedAsync(user, "10.1.2.3", Environment("sandbox", isProduction: false), "overview", CancellationToken.None);

        Assert.NotNull(production);
        Assert.Null(sandbox);
        var viewed = Assert.Single((await _kit.Store.SearchAsync(AuditFilter.None, null, 10, CancellationToken.None)).Events);
        Assert.Equal((AuditEventTypes.DashboardViewed, "prod", "overview", "user-carol", "10.1.2.3"),
            (viewed.EventType, viewed.Environment, viewed.Target, viewed.Actor.UserId, viewed.Actor.SourceIp));
    }

    [Fact]
    public async Task The_portal_records_its_start_its_configuration_and_its_stop()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Audit:RetentionDays"] = "500" }).Build();
        var lifecycle = new AuditLifecycle(_kit.Trail, _database.Database, new PortalInstance(Options.Create(new HostingOptions { InstanceId = "task-7" })),
            configuration, new HostingEnvironment { EnvironmentName = "Production" });

        await lifecycle.StartAsync(CancellationToken.None);
        await lifecycle.StopAsync(CancellationToken.None);

        var events = (await _kit.Store.SearchAsync(AuditFilter.None, null, 10, CancellationToken.None)).Events;
        Assert.Equal([AuditEventTypes.PortalStopped, AuditEventTypes.PortalConfiguration, AuditEventTypes.PortalStarted], events.Select(e => e.EventType));
        Assert.All(events, e => Assert.Equal("task-7", e.Target));
        Assert.Equal("500", events[1].Parameters["Audit:RetentionDays"]);
        Assert.Equal("Production", events[2].Parameters["hostEnvironment"]);
    }

    [Fact]
    public async Task The_chain_head_is_anchored_when_the_interval_elapses()
    {
        await _kit.RecordManyAsync(3);
        var anchored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var anchoring = Anchoring(new SignallingLogger<AuditAnchoring>(message =>
        {
            if (message.StartsWith("Audit chain anchored at #", StringComparison.Ordinal))
            {
                anchored.TrySetResult();
            }
        }));
        _kit.Time.AutoAdvanceAmount = TimeSpan.Zero;
        var armed = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        ((WatchedClock)_kit.Time).TimerArmed += due => armed.TrySetResult(due);
        await anchoring.StartAsync(CancellationToken.None);

        // The service arms its interval timer on a background thread: move the clock to its first
        // tick once it is armed, and wait for the anchoring that tick starts to be recorded.
        var due = await armed.Task.WaitAsync(HangGuard);
        _kit.Time.Advance(due - _kit.Time.GetUtcNow());
        await anchored.Task.WaitAsync(HangGuard);
        Assert.Equal(AuditEventTypes.AuditAnchored, (await _kit.Store.GetHeadAsync(CancellationToken.None))?.EventType);
        await anchoring.StopAsync(CancellationToken.None);

        var anchor = Assert.Single(await _kit.Anchors.ReadAllAsync(CancellationToken.None));
        Assert.Equal(3, anchor.Sequence);
        Assert.Equal("task-1", anchor.Instance);
    }

    [Fact]
    public async Task An_idle_chain_is_not_anchored_again_and_a_new_event_is()
    {
        await _kit.RecordManyAsync(3);
        using var anchoring = Anchoring();

        await anchoring.AnchorIfChangedAsync(CancellationToken.None);
        await anchoring.AnchorIfChangedAsync(CancellationToken.None);
        await _kit.Trail.RecordAsync(AuditTestKit.Entry(9), CancellationToken.None);
        await anchoring.AnchorIfChangedAsync(CancellationToken.None);

        var anchors = await _kit.Anchors.ReadAllAsync(CancellationToken.None);
        Assert.Equal([3L, 5L], anchors.Select(a => a.Sequence));
        Assert.True((await _kit.Verifier.VerifyAsync(null, null, CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task A_failing_anchor_sink_is_recorded_and_shown_and_never_stops_recording()
    {
        var status = new AuditAnchorStatus();
        var anchoring = new AuditAnchoring(_kit.Store, _kit.Trail, new UnreachableSink(), status,
            new PortalInstance(Options.Create(new HostingOptions { InstanceId = "task-1" })),
            _kit.Time, Options.Create(new AuditOptions { AnchorSink = AuditAnchorSinkKind.CloudWatchLogs }), NullLogger<AuditAnchoring>.Instance);
        await _kit.Trail.RecordAsync(new AuditEntry(AuditEventTypes.PortalStarted, AuditActor.System, AuditOutcome.Succeeded), CancellationToken.None);

        var error = await Assert.ThrowsAsync<AuditAnchorSinkException>(() => anchoring.AnchorNowAsync(AuditActor.System, CancellationToken.None));
        await anchoring.AnchorIfChangedAsync(CancellationToken.None);
        await _kit.Trail.RecordAsync(new AuditEntry(AuditEventTypes.PortalStopped, AuditActor.System, AuditOutcome.Succeeded), CancellationToken.None);

        Assert.Equal("The CloudWatchLogs anchor sink failed: CloudWatch Logs could not be reached", error.Message);
        Assert.True(status.IsFailing);
        Assert.Equal(error.Message, status.LastProblem);
        var events = (await _kit.Store.SearchAsync(AuditFilter.None, null, 10, CancellationToken.None)).Events;
        Assert.Equal([AuditEventTypes.PortalStopped, AuditEventTypes.AuditAnchored, AuditEventTypes.AuditAnchored, AuditEventTypes.PortalStarted], events.Select(e => e.EventType));
        Assert.All(events.Where(e => e.EventType == AuditEventTypes.AuditAnchored), e => Assert.Equal(AuditOutcome.Failed, e.Outcome));
        Assert.Equal(error.Message, events[1].Parameters["reason"]);
    }

    private sealed class UnreachableSink : IAuditAnchorSink
    {
        public Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken) =>
            throw new FinTech.Portal.Platform.PlatformUnavailableException("CloudWatch Logs could not be reached");

        public Task<IReadOnlyList<AuditAnchor>> ReadAllAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AuditAnchor>>([]);
    }

    private AuditAnchoring Anchoring(ILogger<AuditAnchoring>? logger = null) =>
        new(_kit.Store, _kit.Trail, _kit.Anchors, _kit.AnchorStatus, new PortalInstance(Options.Create(new HostingOptions { InstanceId = "task-1" })),
            _kit.Time, Options.Create(new AuditOptions { AnchorInterval = TimeSpan.FromMinutes(5) }), logger ?? NullLogger<AuditAnchoring>.Instance);

    private static PortalEnvironment Environment(string key, bool isProduction) =>
        new(key, key, PlatformBackend.Sandbox, isProduction, PlatformResources.Sandbox(), 1, null);

    /// <summary>A guard against a hang, not a pause: the waits above end on the clock's and the service's signals.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>Hands each formatted message to <paramref name="logged"/>, as it is logged.</summary>
    private sealed class SignallingLogger<T>(Action<string> logged) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logged(formatter(state, exception));
    }
}
