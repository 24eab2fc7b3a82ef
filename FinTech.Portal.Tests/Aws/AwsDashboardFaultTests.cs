using System.Collections.Concurrent;
using Amazon.Runtime;
using Bunit;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// AWS faults as a dashboard lives through them: the portal's Aws backend (configured as in
/// production, pointed at <see cref="AwsTestEndpoint"/> with <c>AWS_ENDPOINT_URL</c>) under the
/// dashboards' refresh. Transient faults are retried within the budget; a fault that outlasts the
/// retries leaves the panels stale with the reason while the other sources stay current; a storm of
/// 1,000 faults over live dashboards opens no circuit and logs no unhandled exception.
/// </summary>
public sealed class AwsDashboardFaultTests : IAsyncLifetime
{
    private const string Env = "prod";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 30, TimeSpan.Zero);
    private AwsTestEndpoint _endpoint = null!;

    public async Task InitializeAsync()
    {
        _endpoint = await AwsTestEndpoint.StartAsync();
        AwsTestPlatform.Serve(_endpoint);
    }

    public async Task DisposeAsync()
    {
        Assert.True(_endpoint.Rejections.IsEmpty, string.Join("\n", _endpoint.Rejections));
        await _endpoint.DisposeAsync();
    }

    [Theory]
    [InlineData(AwsFault.Throttle)]
    [InlineData(AwsFault.ServerError)]
    [InlineData(AwsFault.Slow)]
    [InlineData(AwsFault.Malformed)]
    public async Task A_transient_fault_on_the_metrics_is_retried_and_the_panels_stay_current(AwsFault fault)
    {
        using var portal = Portal(AttemptTimeoutFor(fault));
        var overview = await portal.RefreshAsync(null);
        var faults = 2;
        _endpoint.FaultFor = call => call.Operation == "GetMetricData" && Interlocked.Decrement(ref faults) >= 0 ? fault : null;
        var before = _endpoint.CallsOf("GetMetricData").Count;

        var next = await portal.RefreshAsync(overview);

        Assert.All(next.Panels.Values, p => Assert.Equal((PanelState.Current, null), (p.State, p.Problem)));
        Assert.Equal(3, _endpoint.CallsOf("GetMetricData").Count - before);
    }

    [Theory]
    [InlineData(AwsFault.Throttle, "Metrics unavailable: CloudWatch throttled GetMetricData for 'prod' (Throttling) after 3 attempts")]
    [InlineData(AwsFault.ServerError, "Metrics unavailable: CloudWatch failed GetMetricData for 'prod' (InternalFailure, HTTP 500) after 3 attempts")]
    [InlineData(AwsFault.Slow, "Metrics unavailable: CloudWatch did not answer GetMetricData for 'prod' within 0.5 s (3 attempts)")]
    [InlineData(AwsFault.Malformed, "Metrics unavailable: CloudWatch GetMetricData answered with a malformed reply")]
    public async Task A_fault_that_outlasts_the_retries_leaves_the_panels_stale_with_the_reason_and_the_topology_current(AwsFault fault, string reason)
    {
        using var portal = Portal(AttemptTimeoutFor(fault));
        var first = await portal.RefreshAsync(null);
        _endpoint.FaultFor = call => call.Operation == "GetMetricData" ? fault : null;
        var before = _endpoint.CallsOf("GetMetricData").Count;
        portal.Time.Advance(TimeSpan.FromSeconds(15));

        var stale = await portal.RefreshAsync(first);

        Assert.Equal(3, _endpoint.CallsOf("GetMetricData").Count - before);
        Assert.All(stale.Panels.Values, p =>
        {
            Assert.Equal(PanelState.Stale, p.State);
            Assert.Equal(first.RefreshedAt, p.DataAsOf);
            Assert.StartsWith(reason, p.Problem, StringComparison.Ordinal);
        });
        Assert.Equal((PanelState.Current, PanelState.Current, PanelState.Current),
            (stale.Topology.Service.State, stale.Topology.Database.State, stale.Alarms.State));

        // What the SRE sees: the last data, marked stale, and why.
        await using var bunit = PortalBunit.Create();
        var latency = DashboardCatalog.Find(portal.Environment, "overview")!.Panels.First(p => p.Id == "latency");
        var panel = bunit.Render<DashboardPanel>(p => p
            .Add(x => x.Definition, latency).Add(x => x.Data, stale.Panel("latency"))
            .Add(x => x.Start, stale.WindowStart).Add(x => x.End, stale.WindowEnd));
        Assert.Equal("Stale", panel.Find("[data-testid=panel-latency]").GetAttribute("data-state"));
        Assert.Contains(reason, panel.Find("[data-testid=panel-problem]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(panel.FindAll("polyline"));
    }

    [Fact]
    public async Task An_ECS_outage_leaves_the_service_stale_and_never_blanks_the_metrics_or_the_database()
    {
        using var portal = Portal();
        var first = await portal.RefreshAsync(null);
        _endpoint.FaultFor = call => call.Operation == "DescribeServices" ? AwsFault.ServerError : null;

        var next = await portal.RefreshAsync(first);

        Assert.True(next.Topology.Service.State == PanelState.Stale, next.Topology.Service.Problem);
        Assert.StartsWith("The ECS service could not be read: ECS failed DescribeServices for 'prod' (InternalFailure, HTTP 500)", next.Topology.Service.Problem, StringComparison.Ordinal);
        Assert.Equal("fintech-prod-api", next.Topology.Service.Value!.ServiceName);
        Assert.Equal(PanelState.Current, next.Topology.Database.State);
        Assert.All(next.Panels.Values, p => Assert.Equal(PanelState.Current, p.State));
    }

    [Fact]
    public async Task A_thousand_injected_faults_over_live_dashboards_open_no_circuit_and_log_no_unhandled_exception()
    {
        // Attempts may take a second here, so that a loaded test machine adds no timeouts of its own;
        // a slow reply (one fault in twenty) takes a little longer than that.
        using var portal = Portal(attemptTimeout: TimeSpan.FromSeconds(1));
        _endpoint.SlowDelay = TimeSpan.FromSeconds(1.5);
        AwsFault[] kinds =
        [
            .. Enumerable.Repeat(new[] { AwsFault.Throttle, AwsFault.ServerError, AwsFault.Malformed, AwsFault.Throttle, AwsFault.ServerError }, 4).SelectMany(k => k).SkipLast(1),
            AwsFault.Slow,
        ];
        var perService = new ConcurrentDictionary<string, int>();
        var injected = 0;
        // Every fourth request of each service fails, throttled, 500, garbled or (one in twenty) slow: a
        // steady quarter of failures, as AWS has on a bad day, never the half that opens a circuit.
        _endpoint.FaultFor = call =>
        {
            var n = perService.AddOrUpdate(call.Service, 1, (_, c) => c + 1);
            if (n % 4 != 0)
            {
                return null;
            }
            var k = Interlocked.Increment(ref injected);
            return k <= 1_000 ? kinds[k % kinds.Length] : null;
        };
        var seen = new ConcurrentQueue<DashboardSnapshot>();
        var keys = new[] { "overview", "database", "cache", "sessions" }.Select(d => new DashboardKey(Env, d, "1h")).ToList();
        await using var hub = new DashboardRefreshHub(portal.Registry, portal.Catalog, TimeProvider.System,
            Options.Create(new DashboardOptions { RefreshInterval = TimeSpan.FromMilliseconds(50), UpstreamTimeout = TimeSpan.FromSeconds(10) }),
            portal.Metrics, portal.Services.GetRequiredService<ILogger<DashboardRefreshHub>>());
        // Every pushed snapshot wakes the waits below: faults are only counted during refreshes, each ending in one.
        var pushed = new SemaphoreSlim(0);
        var subscriptions = keys.Select(k => hub.Subscribe(k, snapshot =>
        {
            seen.Enqueue(snapshot);
            pushed.Release();
        })).ToList();

        await WaitUntilAsync(() => _endpoint.FaultCount >= 1_000, pushed, TimeSpan.FromSeconds(120));
        // The storm is over: every dashboard comes back current by itself.
        var calm = DateTimeOffset.UtcNow;
        await WaitUntilAsync(() => keys.All(k => seen.Any(s => s.Key == k && s.RefreshedAt > calm.AddSeconds(1) && AllCurrent(s))), pushed, TimeSpan.FromSeconds(30));
        subscriptions.ForEach(s => s.Dispose());

        Assert.Equal(1_000, _endpoint.FaultCount);
        var problems = seen.SelectMany(Problems).Distinct().ToList();
        Assert.False(problems.Any(p => p.Contains("are paused", StringComparison.Ordinal)), string.Join("\n", problems));
        Assert.DoesNotContain(problems, p => p.Contains("unexpected error", StringComparison.Ordinal));
        Assert.All(seen.SelectMany(s => s.Panels.Values), p => Assert.True(p.State == PanelState.Current || p.Problem is not null, $"{p.State} without a reason"));
        Assert.Empty(portal.Logs.Where(l => l.Level >= LogLevel.Error || l.Exception is not null).Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Exception}"));
        Assert.All(new[] { AwsClients.CloudWatch, AwsClients.Ecs, AwsClients.Rds, AwsClients.ElastiCache },
            model => Assert.InRange(portal.Clients.For(portal.Environment, model).RetryBudgetAvailable, 0, portal.AwsOptions.RetryBudget));
    }

    /// <summary>Slow replies are tested against half-second attempts, to keep the waiting short.</summary>
    private static TimeSpan? AttemptTimeoutFor(AwsFault fault) => fault == AwsFault.Slow ? TimeSpan.FromSeconds(0.5) : null;

    private static bool AllCurrent(DashboardSnapshot snapshot) =>
        snapshot.Panels.Values.All(p => p.State == PanelState.Current) && snapshot.Alarms.State == PanelState.Current;

    private static IEnumerable<string> Problems(DashboardSnapshot snapshot) =>
        snapshot.Panels.Values.Select(p => p.Problem)
            .Append(snapshot.Alarms.Problem)
            .Append(snapshot.Topology.Service.Problem).Append(snapshot.Topology.Database.Problem)
            .Append(snapshot.Topology.Cache.Problem).Append(snapshot.Topology.Sessions.Problem)
            .OfType<string>();

    /// <summary>Checks <paramref name="condition"/> each time <paramref name="changed"/> is released, until it holds or <paramref name="limit"/> passes.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, SemaphoreSlim changed, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (!condition())
        {
            await changed.WaitAsync(timeout.Token);
        }
    }

    /// <summary>
    /// The portal's platform and Aws backend as <c>AddPlatform</c> and <c>AddAws</c> build them for an
    /// Aws environment, with the default Aws options (attempts, retry budget, circuit breaker) but for
    /// shorter waits: backoff of a few milliseconds, attempts that time out after 2 s unless told otherwise
    /// (a slow reply takes 3 s).
    /// </summary>
    private AwsPortal Portal(TimeSpan? attemptTimeout = null)
    {
        var builder = Host.CreateApplicationBuilder();
        var settings = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = _endpoint.Url.ToString(),
            ["Aws:BaseDelay"] = "00:00:00.001",
            ["Aws:MaxBackoff"] = "00:00:00.005",
            ["Aws:AttemptTimeout"] = (attemptTimeout ?? TimeSpan.FromSeconds(2)).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            [$"Platform:Environments:{Env}:Backend"] = "Aws",
            [$"Platform:Environments:{Env}:IsProduction"] = "true",
            [$"Platform:Environments:{Env}:Aws:AccountId"] = AwsTestHarness.AccountId,
            [$"Platform:Environments:{Env}:Aws:Region"] = AwsTestEndpoint.Region,
            [$"Platform:Environments:{Env}:Aws:RoleArn"] = AwsTestHarness.RoleArn,
            [$"Platform:Environments:{Env}:Resources:LoadBalancer"] = "app/fintech-prod-alb/0123456789abcdef",
            [$"Platform:Environments:{Env}:Resources:TargetGroup"] = "targetgroup/fintech-prod-api/0123456789abcdef",
            [$"Platform:Environments:{Env}:Resources:EcsCluster"] = "fintech-prod",
            [$"Platform:Environments:{Env}:Resources:EcsService"] = "fintech-prod-api",
            [$"Platform:Environments:{Env}:Resources:AuroraCluster"] = "fintech-prod-aurora",
            [$"Platform:Environments:{Env}:Resources:AuroraInstanceClass"] = "db.r6g.large",
            [$"Platform:Environments:{Env}:Resources:AuroraCredentialsSecret"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
            [$"Platform:Environments:{Env}:Resources:RedisAuthTokenSecret"] = "fintech/prod/redis/auth-token",
            [$"Platform:Environments:{Env}:Resources:Secrets:0"] = "rds!cluster-3f1e2d4c-5b6a-4789-9abc-def012345678",
            [$"Platform:Environments:{Env}:Resources:ApiServiceSecrets:0"] = "fintech/prod/redis/auth-token",
            [$"Platform:Environments:{Env}:Resources:ApiServiceSecrets:1"] = "fintech/prod/api/external-api-keys",
            [$"Platform:Environments:{Env}:Resources:AuroraInstances:0"] = "fintech-prod-aurora-1",
            [$"Platform:Environments:{Env}:Resources:AuroraInstances:1"] = "fintech-prod-aurora-2",
            [$"Platform:Environments:{Env}:Resources:RedisReplicationGroup"] = "fintech-prod-redis",
            [$"Platform:Environments:{Env}:Resources:RedisNodes:0"] = "fintech-prod-redis-001",
            [$"Platform:Environments:{Env}:Resources:RedisNodes:1"] = "fintech-prod-redis-002",
            [$"Platform:Environments:{Env}:Resources:SessionTable"] = "fintech-prod-sessions",
            [$"Platform:Environments:{Env}:Resources:AlarmNamePrefix"] = "fintech-prod-",
        };
        _endpoint.SlowDelay = TimeSpan.FromSeconds(3);
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new CollectingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.AddPlatform();
        builder.AddAws();
        builder.Services.AddSingleton(sp => new AwsCredentialSource(
            () => new BasicAWSCredentials(AwsTestEndpoint.AccessKey, AwsTestEndpoint.SecretKey),
            sp.GetRequiredService<AwsEndpoints>(), sp.GetRequiredService<IOptions<AwsOptions>>().Value));
        return new AwsPortal(builder.Build(), logs);
    }

    private sealed class AwsPortal(IHost host, CollectingLoggerProvider logs) : IDisposable
    {
        public IServiceProvider Services => host.Services;

        /// <summary>The portal's own metrics, on a meter of this test's (the host registers no telemetry).</summary>
        public PortalMetrics Metrics { get; } = new(new System.Diagnostics.Metrics.Meter("FinTech.Portal.Tests.AwsDashboardFaults"));
        public FakeTimeProvider Time { get; } = new(Now);
        public PlatformRegistry Registry => host.Services.GetRequiredService<PlatformRegistry>();
        public EnvironmentCatalog Catalog => host.Services.GetRequiredService<EnvironmentCatalog>();
        public AwsClients Clients => host.Services.GetRequiredService<AwsClients>();
        public AwsOptions AwsOptions => host.Services.GetRequiredService<IOptions<AwsOptions>>().Value;
        public PortalEnvironment Environment => Catalog.Get(Env);
        public IReadOnlyCollection<CollectingLoggerProvider.Entry> Logs => logs.Entries;

        /// <summary>One refresh of the Overview, as the hub makes it, on the test's clock.</summary>
        public Task<DashboardSnapshot> RefreshAsync(DashboardSnapshot? previous)
        {
            var range = TimeRange.Default;
            return new DashboardRefresher(Time, TimeSpan.FromSeconds(30), Metrics).RefreshAsync(Registry.Connect(Environment),
                DashboardCatalog.Find(Environment, "overview")!, range, new DashboardKey(Env, "overview", range.Key), previous, CancellationToken.None);
        }

        public void Dispose() => host.Dispose();
    }

    /// <summary>Keeps every log entry, to prove that nothing was logged as an error.</summary>
    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

        public ConcurrentQueue<Entry> Queue { get; } = new();

        public IReadOnlyCollection<Entry> Entries => Queue;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Queue);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> queue) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                queue.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
