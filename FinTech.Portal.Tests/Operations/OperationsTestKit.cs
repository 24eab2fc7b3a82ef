using FinTech.Portal.Platform.CloudWatch;
using System.Collections.Concurrent;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Audit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Operations;

/// <summary>
/// The operations engine over one database, wired as the portal wires it but without a host: a
/// fake clock, a scripted platform (alarms, metrics) and <see cref="WidgetRestart"/>, a small kind
/// that counts its actions. Environments: <c>sandbox</c> (non-production) and <c>prod</c>.
/// </summary>
public sealed class OperationsTestKit : IDisposable
{
    public OperationsTestKit(PortalDatabase database, OperationsOptions? options = null, AuditTestKit? audit = null, string instance = "portal-test-1", WidgetRestart? kind = null, bool sandbox = false, OperationsTestKit? samePlatformAs = null,
        FinTech.Portal.Operations.Deployments.DeploymentOptions? deployments = null,
        Func<FinTech.Portal.Platform.SecretsManager.ISecretsManager, FinTech.Portal.Platform.SecretsManager.ISecretsManager>? secretsManager = null)
    {
        DeploymentOptions = deployments ?? new FinTech.Portal.Operations.Deployments.DeploymentOptions { BakeTime = TimeSpan.FromMinutes(2) };
        Audit = audit ?? new AuditTestKit(database, instance);
        Options = options ?? new OperationsOptions();
        var platformOptions = Microsoft.Extensions.Options.Options.Create(new PlatformOptions
        {
            Environments =
            {
                ["sandbox"] = new EnvironmentOptions { DisplayName = "Sandbox" },
                ["prod"] = new EnvironmentOptions { DisplayName = "Production", IsProduction = true },
            },
            DefaultEnvironment = "sandbox",
        });
        foreach (var environment in platformOptions.Value.Environments.Values)
        {
            environment.Resources.ApplySandboxDefaults();
        }
        Environments = new EnvironmentCatalog(platformOptions);
        var optionsWrapper = Microsoft.Extensions.Options.Options.Create(Options);
        Kind = kind ?? new WidgetRestart();
        List<IOperationKind> kinds = [Kind, new WidgetRestart("widget-cache-flush")];
        if (samePlatformAs is not null)
        {
            // Another portal task in front of the same platform.
            Platforms = samePlatformAs.Platforms;
            SandboxPlatforms = samePlatformAs.SandboxPlatforms;
            kinds = [.. samePlatformAs.Kinds.All];
            Kind = samePlatformAs.Kind;
        }
        else if (sandbox)
        {
            // The real simulated platform, one per environment, on the kit's clock.
            var platforms = Environments.All.ToDictionary(e => e.Key, e => new FinTech.Portal.Sandbox.SandboxPlatform(e.SandboxSeed, e.Resources, Time));
            SandboxPlatforms = platforms;
            Platforms = new PlatformRegistry(Environments,
            [
                PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Sandbox, e => platforms[e.Key].CloudWatch),
                PlatformPortRegistration.For<FinTech.Portal.Platform.Rds.IRds>(PlatformBackend.Sandbox, e => platforms[e.Key].Rds),
                PlatformPortRegistration.For<FinTech.Portal.Platform.ElastiCache.IElastiCache>(PlatformBackend.Sandbox, e => platforms[e.Key].ElastiCache),
                PlatformPortRegistration.For<IWriteProbe>(PlatformBackend.Sandbox, e => platforms[e.Key].WriteProbe),
                PlatformPortRegistration.For<FinTech.Portal.Platform.Ecs.IEcs>(PlatformBackend.Sandbox, e => platforms[e.Key].Ecs),
                PlatformPortRegistration.For<FinTech.Portal.Platform.Ecr.IEcr>(PlatformBackend.Sandbox, e => platforms[e.Key].Ecr),
                // A test may put itself between the engine and Secrets Manager (another rotation starting at the same moment).
                PlatformPortRegistration.For(PlatformBackend.Sandbox, e => (secretsManager ?? (port => port))(platforms[e.Key].SecretsManager)),
            ]);
            kinds.Add(new FinTech.Portal.Operations.Failover.AuroraFailoverTest(Platforms, optionsWrapper));
            kinds.Add(new FinTech.Portal.Operations.Failover.RedisFailoverTest(Platforms, optionsWrapper));
            kinds.Add(new FinTech.Portal.Operations.Rotations.SecretRotation(Platforms, new FinTech.Portal.Operations.Rotations.SecretConsumers(), optionsWrapper));
        }
        else
        {
            Platforms = new PlatformRegistry(Environments,
            [
                PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Sandbox, _ => Alarms),
            ]);
        }
        var portalInstance = new PortalInstance(Microsoft.Extensions.Options.Options.Create(new HostingOptions { InstanceId = instance }));
        Store = new OperationStore(database);
        if (sandbox && samePlatformAs is null)
        {
            var history = new FinTech.Portal.Operations.Deployments.DeploymentHistory(Store);
            var deploymentOptions = Microsoft.Extensions.Options.Options.Create(DeploymentOptions);
            kinds.Add(new FinTech.Portal.Operations.Deployments.EcsDeployment(Platforms, history, deploymentOptions));
            kinds.Add(new FinTech.Portal.Operations.Deployments.EcsRollback(Platforms, history, deploymentOptions));
        }
        IdentityAudit = new IdentityAudit(Audit.Trail, Environments);
        Authorization = new PortalAuthorization(IdentityAudit,
            new PortalSessions(database, Time, Microsoft.Extensions.Options.Options.Create(new PortalIdentityOptions()), IdentityAudit, NullLogger<PortalSessions>.Instance), NullLogger<PortalAuthorization>.Instance);
        Feed = new OperationRunFeed(Store, Time, NullLogger<OperationRunFeed>.Instance);
        Transitions = new OperationTransitions(Store, Audit.Trail, IdentityAudit, Time, Feed, NullLogger<OperationTransitions>.Instance);
        Preflight = new OperationPreflight(Store, Platforms, Time);
        Kinds = new OperationKinds(kinds);
        Evidence = new OperationEvidence(Store, Audit.Store, Audit.Verifier, Audit.Trail, Authorization);
        Signal = new OperationWorkerSignal();
        Worker = new OperationWorker(Store, Transitions, Preflight, Kinds, Environments, Evidence, Signal, portalInstance, optionsWrapper, Time,
            NullLogger<OperationWorker>.Instance);
    }

    public static readonly DateTimeOffset Start = AuditTestKit.Start;

    public AuditTestKit Audit { get; }
    public FakeTimeProvider Time => Audit.Time;
    public OperationsOptions Options { get; }
    public FinTech.Portal.Operations.Deployments.DeploymentOptions DeploymentOptions { get; }
    public EnvironmentCatalog Environments { get; }
    public PlatformRegistry Platforms { get; }
    public ScriptedAlarms Alarms { get; } = new();

    /// <summary>The Sandbox platform of each environment, when the kit was made with <c>sandbox: true</c>.</summary>
    public IReadOnlyDictionary<string, FinTech.Portal.Sandbox.SandboxPlatform> SandboxPlatforms { get; } = new Dictionary<string, FinTech.Portal.Sandbox.SandboxPlatform>();
    public WidgetRestart Kind { get; }
    public OperationStore Store { get; }
    public IdentityAudit IdentityAudit { get; }
    public PortalAuthorization Authorization { get; }
    public OperationRunFeed Feed { get; }
    public OperationTransitions Transitions { get; }
    public OperationPreflight Preflight { get; }
    public OperationKinds Kinds { get; }
    public OperationEvidence Evidence { get; }
    public OperationWorkerSignal Signal { get; }
    public OperationWorker Worker { get; }

    public Task MigrateAsync() => Audit.Migrations.ApplyAsync(CancellationToken.None);

    /// <summary>The engine as the portal registers it, with this kit's instances, for pages rendered with bUnit (the caller is the signed-in person).</summary>
    public void AddServicesTo(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Store);
        services.AddSingleton(Transitions);
        services.AddSingleton(Preflight);
        services.AddSingleton(Kinds);
        services.AddSingleton(Evidence);
        services.AddSingleton(Signal);
        services.AddSingleton(Feed);
        services.AddSingleton(Environments);
        services.AddSingleton(Platforms);
        services.AddSingleton(Authorization);
        services.AddSingleton(Audit.Trail);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options));
        services.AddSingleton<Microsoft.AspNetCore.Http.IHttpContextAccessor, Microsoft.AspNetCore.Http.HttpContextAccessor>();
        services.AddScoped(PortalCaller.FromScope);
        services.AddScoped<OperationsService>();
    }

    public static ClaimsPrincipal Principal(SandboxPersona persona) =>
        PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], Start);

    public static PortalCaller CallerFor(SandboxPersona persona) => new(() => Task.FromResult(Principal(persona)), "10.0.0.9");

    /// <summary>The service as <paramref name="persona"/> sees it (one scope per person).</summary>
    public OperationsService As(SandboxPersona persona) =>
        new(CallerFor(persona), Store, Transitions, Preflight, Kinds, Environments, Authorization, Audit.Trail, Signal,
            Microsoft.Extensions.Options.Options.Create(Options), Time);

    public static OperationRequestForm Form(string environment = "prod", string target = "widget-1", string kind = WidgetRestart.DefaultKey, bool emergency = false) => new()
    {
        Kind = kind,
        Environment = environment,
        Target = target,
        Reason = "Quarterly resilience test of the widget tier",
        ChangeTicket = "CHG0012345",
        Emergency = emergency,
    };

    public async Task<IReadOnlyList<AuditEvent>> EventsAsync(string? eventTypePrefix = null)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in Audit.Store.StreamAsync(new AuditFilter(null, null, null, null, null, null, null, null), CancellationToken.None))
        {
            if (eventTypePrefix is null || e.EventType.StartsWith(eventTypePrefix, StringComparison.Ordinal))
            {
                events.Add(e);
            }
        }
        return events.OrderBy(e => e.Sequence).ToList();
    }

    /// <summary>
    /// Runs the worker until no run is ready while simulated time moves to each moment the worker
    /// waits for (a failover takes its 20-60 simulated seconds). Stops after <paramref name="limit"/> of simulated time.
    /// </summary>
    public async Task RunWorkerAsync(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        using var pump = new ClockPump(Worker, Time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => Worker.RunUntilIdleAsync(stop.Token), CancellationToken.None);
        var end = Time.GetUtcNow() + limit;
        while (await pump.StepAsync(work, end))
        {
        }
        await stop.CancelAsync();
        await work.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes once <paramref name="runId"/> meets <paramref name="condition"/>, checked now and on every change the
    /// run feed publishes for it (each transition on this kit's worker): a wait on a signal, not a poll. Dispose to stop watching.
    /// </summary>
    public RunWatch WatchRun(string runId, Func<OperationRun, bool> condition) => new(Store, Feed, runId, condition);

    public void Dispose() => Audit.Dispose();
}

/// <summary>See <see cref="OperationsTestKit.WatchRun"/>.</summary>
public sealed class RunWatch : IDisposable
{
    private readonly TaskCompletionSource _met = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly OperationStore _store;
    private readonly string _runId;
    private readonly Func<OperationRun, bool> _condition;
    private readonly IDisposable _watch;

    public RunWatch(OperationStore store, OperationRunFeed feed, string runId, Func<OperationRun, bool> condition)
    {
        (_store, _runId, _condition) = (store, runId, condition);
        _watch = feed.Watch(runId, change => _ = CheckAsync());
        _ = CheckAsync();
    }

    public Task Task => _met.Task;

    private async Task CheckAsync()
    {
        try
        {
            if (await _store.GetAsync(_runId, CancellationToken.None) is { } run && _condition(run))
            {
                _met.TrySetResult();
            }
        }
        catch (Exception e)
        {
            _met.TrySetException(e);
        }
    }

    public void Dispose() => _watch.Dispose();
}

/// <summary>
/// A small kind for the engine's tests: "restarts a widget". It locks the widget and a shared
/// dependency, describes the widget from <see cref="Facts"/> (tests change them to make the
/// target drift), records its call before making it, and counts the actions per run so a test
/// can prove an action ran once. <see cref="DuringAction"/> lets a test act mid-run.
/// </summary>
public sealed class WidgetRestart(string key = WidgetRestart.DefaultKey, int targets = 2, bool sharedDependency = true) : IOperationKind
{
    public const string DefaultKey = "widget-restart";
    public const string SharedDependency = "shared-queue";

    public ConcurrentDictionary<string, int> Actions { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Facts { get; } = new(StringComparer.Ordinal) { ["status"] = "available", ["version"] = "42" };

    public Func<OperationExecution, Task>? DuringAction { get; set; }

    public bool FailPreflight { get; set; }

    public string Key => key;
    public string DisplayName => key == DefaultKey ? "Widget restart" : "Widget cache flush";
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.Zero;

    public IReadOnlyList<string> Targets(PortalEnvironment environment) => Enumerable.Range(1, targets).Select(n => $"widget-{n}").ToList();

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) => sharedDependency
        ? [$"{environment.Key}/widget/{target}", $"{environment.Key}/queue/{SharedDependency}"]
        : [$"{environment.Key}/widget/{target}"];

    /// <summary>The kind's default stop conditions (a test empties them to prove a run never goes unwatched).</summary>
    public IReadOnlyList<string> StopConditions { get; set; } = [ScriptedAlarms.StopAlarm];

    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) => StopConditions;

    public Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new TargetSnapshot(new Dictionary<string, string>(Facts)));

    public Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PreflightCheck>>(
            [new PreflightCheck("Widget available", !FailPreflight && Facts["status"] == "available", $"Widget is {(FailPreflight ? "degraded" : Facts["status"])}.")]);

    public Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new OperationPlan([$"Restart {context.Target}."], new Dictionary<string, string> { ["downtime"] = "0 s" }));

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        if (!execution.Checkpoint.ContainsKey("restartedAt"))
        {
            await execution.RecordCallAsync("restartedAt", $"RestartWidget({execution.Target})", cancellationToken);
            Actions.AddOrUpdate(execution.Run.Id, 1, (_, n) => n + 1);
        }
        if (DuringAction is { } during)
        {
            await during(execution);
        }
        await execution.RecordEventAsync("restarted", execution.Time.GetUtcNow(), $"{execution.Target} restarted", cancellationToken);
        await execution.CheckAsync(force: true, cancellationToken);
    }

    public Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken) =>
        Task.FromResult(new OperationMeasurements(new Dictionary<string, string> { ["restartSeconds"] = "3" }, true, "Meets the objective: restarted in 3 s."));
}

/// <summary>Alarms (and flat metrics) of the scripted platform; a test flips <see cref="StopAlarm"/> to ALARM.</summary>
public sealed class ScriptedAlarms : ICloudWatch
{
    public const string StopAlarm = "fintech-widget-errors-high";

    public StateValue StopAlarmState { get; set; } = StateValue.Ok;

    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeAlarmsResponse
        {
            MetricAlarms =
            [
                new MetricAlarm
                {
                    AlarmName = StopAlarm,
                    AlarmArn = $"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:{StopAlarm}",
                    AlarmDescription = "Widget errors above 5 %",
                    StateValue = StopAlarmState,
                    StateReason = StopAlarmState == StateValue.Alarm ? "Threshold Crossed: 3 datapoints above 5" : "Threshold not crossed",
                    StateUpdatedTimestamp = DateTimeOffset.UnixEpoch,
                    Namespace = "FinTech/Widgets",
                    MetricName = "Errors",
                    Statistic = "Average",
                    Period = 60,
                    EvaluationPeriods = 3,
                    Threshold = 5,
                    ComparisonOperator = ComparisonOperator.GreaterThanThreshold,
                },
            ],
            CompositeAlarms = [],
        });

    public Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new GetMetricDataResponse
        {
            MetricDataResults = request.MetricDataQueries
                .Select(q => new MetricDataResult { Id = q.Id, Label = q.Label, Timestamps = [request.StartTime], Values = [1] })
                .ToList(),
        });
}

/// <summary>
/// Moves a fake clock exactly as far as the worker waits: each time a run sets a timer
/// (<see cref="OperationWorker.WaitingOnClock"/>), the clock advances to its due moment. No
/// real-time delay decides when the clock moves, so the worker is always waiting when it does.
/// </summary>
/// <summary>
/// A worker running on the kit's fake clock, for tests that act mid-run: the clock moves from one
/// wait of the worker to the next (never by a real-time delay), and a condition is checked while
/// the worker is parked on the clock.
/// </summary>
public sealed class WorkerOnClock : IAsyncDisposable
{
    private readonly FakeTimeProvider _time;
    private readonly ClockPump _pump;
    private readonly CancellationTokenSource _stop = new();

    public WorkerOnClock(OperationWorker worker, FakeTimeProvider time)
    {
        _time = time;
        // Subscribed before the worker starts, so that its first wait is not missed.
        _pump = new ClockPump(worker, time);
        Work = Task.Run(() => worker.RunUntilIdleAsync(_stop.Token), CancellationToken.None);
    }

    public Task Work { get; }

    /// <summary>Moves the clock until <paramref name="condition"/> holds; false when the work ended or <paramref name="limit"/> passed first.</summary>
    public async Task<bool> RunUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var end = _time.GetUtcNow() + limit;
        while (!await condition())
        {
            if (!await _pump.StepAsync(Work, end))
            {
                return await condition();
            }
        }
        return true;
    }

    /// <summary>Moves the clock until the worker is idle or <paramref name="limit"/> passed.</summary>
    public Task RunToEndAsync(TimeSpan limit) => RunUntilAsync(() => Task.FromResult(Work.IsCompleted), limit);

    /// <summary>The portal task dies: its work stops where it is, and its lease stays until it lapses.</summary>
    public async Task CrashAsync()
    {
        await _stop.CancelAsync();
        await Work.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        await CrashAsync();
        _pump.Dispose();
        _stop.Dispose();
    }
}

