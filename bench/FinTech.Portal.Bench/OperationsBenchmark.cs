using FinTech.Portal.Platform.CloudWatch;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Bench;

/// <summary>
/// The operations engine on a throwaway PostgreSQL, in real time, with several "portal tasks"
/// (each its own connection pool, audit trail, service and worker) sharing one database:
/// <list type="bullet">
/// <item><c>duplicate_runs</c>: 100 concurrent identical requests from 4 tasks; runs created (goal 1);</item>
/// <item><c>double_executions</c>: 200 runs, 4 competing workers, a worker stopped abruptly
/// every 1.5 s mid-run and replaced by a new one; runs whose action the platform saw more than
/// once (goal 0);</item>
/// <item><c>claim_p99_ms</c>: p99 of approval committed → action started, 100 production runs
/// approved one by one while 4 workers compete (goal ≤ 1000);</item>
/// <item><c>rollback_s_p99</c>: Sandbox seconds from a failed bake to the last verified revision
/// serving again (goal ≤ 120), see <see cref="RollbackBenchmark"/>;</item>
/// <item><c>secret_value_leaks</c>: the real portal (on the same PostgreSQL, a fake clock) runs 100
/// secret rotations in four Sandbox environments; then every page and export it serves, every row
/// of its database and every log line are searched for every value the Sandbox's secrets held (goal 0);</item>
/// </list>
/// </summary>
public static class OperationsBenchmark
{
    private const int Tasks = 4;

    public static async Task<int> RunAsync(string[] args)
    {
        var total = Stopwatch.StartNew();
        Log("starting a throwaway PostgreSQL server");
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync("operations_bench");
        var platform = new BenchPlatform();
        var portals = Enumerable.Range(1, Tasks).Select(n => new BenchPortal(connectionString, $"bench-{n}", platform)).ToList();
        await new MigrationRunner(portals[0].Database, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);

        var duplicates = await DuplicateRunsAsync(portals);
        Log($"duplicate_runs: {duplicates} run(s) from 100 identical requests");
        var doubles = await DoubleExecutionsAsync(portals, platform);
        Log($"double_executions: {doubles}");
        var claimP99 = await ClaimLatencyAsync(portals, platform);
        var rollbackP99 = await RollbackSecondsP99Async(server);

        foreach (var portal in portals)
        {
            await portal.DisposeAsync();
        }
        var leaks = await SecretValueLeaksAsync(await server.CreateDatabaseAsync("rotations_bench"));
        Log($"total {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"duplicate_runs={duplicates}");
        Console.WriteLine($"double_executions={doubles}");
        Console.WriteLine(FormattableString.Invariant($"claim_p99_ms={claimP99:F0}"));
        Console.WriteLine(FormattableString.Invariant($"rollback_s_p99={rollbackP99:F0}"));
        Console.WriteLine($"secret_value_leaks={leaks}");
        return 0;
    }

    /// <summary><c>rollback_s_p99</c>: Sandbox seconds from a failed bake to the verified revision serving (goal ≤ 120); see <see cref="RollbackBenchmark"/>.</summary>
    private static Task<double> RollbackSecondsP99Async(PostgresServer server)
    {
        Log("rollback: failed bakes on Sandbox environments, rolled back to the verified revision");
        return RollbackBenchmark.RunAsync(server);
    }

    /// <summary>
    /// 100 rotations through the engine of the real portal, then the occurrences of every value the
    /// Sandbox's secrets have held in its pages, exports, database and logs.
    /// </summary>
    private static async Task<int> SecretValueLeaksAsync(string connectionString)
    {
        const int Rotations = 100;
        string[] environments = ["sandbox-1", "sandbox-2", "sandbox-3", "sandbox-4"];
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["Database:ConnectionString"] = connectionString,
            ["Platform:DefaultEnvironment"] = environments[0],
            ["Operations:Rotation:VerificationWindow"] = "00:00:00",
        };
        for (var i = 0; i < environments.Length; i++)
        {
            settings[$"Platform:Environments:{environments[i]}:DisplayName"] = $"Sandbox {i + 1}";
            settings[$"Platform:Environments:{environments[i]}:SandboxSeed"] = (20261124 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"Operations:Environments:{environments[i]}:SkipApproval"] = "true";
        }
        using var portal = new FinTech.Portal.Tests.Operations.Rotations.SecretLeakPortal(settings);
        _ = portal.RootUri;
        var watch = Stopwatch.StartNew();
        var store = portal.Services.GetService(typeof(OperationStore)) as OperationStore ?? throw new InvalidOperationException("No OperationStore.");
        var signal = portal.Services.GetService(typeof(OperationWorkerSignal)) as OperationWorkerSignal ?? throw new InvalidOperationException("No worker signal.");
        // The secrets that rotate in every Sandbox environment (the database's and the cache's share the API service, so they take turns).
        var secrets = environments.SelectMany(e => new[]
        {
            (Environment: e, Secret: portal.Platform(e).Resources.AuroraCredentialsSecret!),
            (Environment: e, Secret: portal.Platform(e).Resources.RedisAuthTokenSecret!),
            (Environment: e, Secret: "fintech/sandbox/edge/origin-verify"),
        }).ToList();
        var active = new Dictionary<(string, string), string>();
        int requested = 0, succeeded = 0, failed = 0;
        var requester = portal.As(BenchPortal.Olivia);
        // The clock moves to each moment the portal's worker waits for (ClockPump); a run that
        // changes (the run feed) lets the loop count it and request the next rotation.
        var feed = portal.Services.GetService(typeof(OperationRunFeed)) as OperationRunFeed ?? throw new InvalidOperationException("No run feed.");
        var worker = portal.Services.GetService(typeof(OperationWorker)) as OperationWorker ?? throw new InvalidOperationException("No worker.");
        using var pump = new FinTech.Portal.Tests.Operations.ClockPump(worker, portal.Time);
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watches = new List<IDisposable>();
        var end = portal.Time.GetUtcNow() + TimeSpan.FromDays(1);
        // Runs are read and slots refilled only after a run changed: a lock is released when a run ends.
        var runChanged = true;
        while (succeeded + failed < Rotations)
        {
            var change = Volatile.Read(ref changed).Task;
            if (runChanged)
            {
                foreach (var (slot, id) in active.ToList())
                {
                    var run = await store.GetAsync(id, CancellationToken.None);
                    if (run!.IsTerminal)
                    {
                        active.Remove(slot);
                        if (run.State == OperationState.Succeeded)
                        {
                            succeeded++;
                        }
                        else
                        {
                            failed++;
                        }
                    }
                }
                foreach (var slot in secrets.Where(s => !active.ContainsKey(s)))
                {
                    if (requested == Rotations)
                    {
                        break;
                    }
                    try
                    {
                        var run = await requester.RequestAsync(new OperationRequestForm
                        {
                            Kind = FinTech.Portal.Operations.Rotations.SecretRotation.KindKey,
                            Environment = slot.Environment,
                            Target = slot.Secret,
                            Reason = "Benchmark: rotation without a value in any output",
                            ChangeTicket = "CHG0000009",
                        }, CancellationToken.None);
                        watches.Add(feed.Watch(run.Id, _ => Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult()));
                        active[slot] = run.Id;
                        requested++;
                    }
                    catch (OperationRefusedException)
                    {
                        // Its database or cache sibling holds the API service; it asks again when a run changes.
                    }
                }
                if (succeeded + failed == Rotations)
                {
                    break;
                }
                signal.Wake();
            }
            // A guard against a hang, not a pause: the worker waits on the clock or a run changes long before.
            var hung = Task.Delay(TimeSpan.FromMinutes(2));
            await pump.StepAsync(Task.WhenAny(change, hung), end);
            runChanged = change.IsCompleted;
            if (hung.IsCompleted && !runChanged)
            {
                throw new TimeoutException($"The rotations stopped moving: {succeeded + failed} of {Rotations} ended, {active.Count} active.");
            }
        }
        watches.ForEach(w => w.Dispose());
        Log($"secret rotations: {succeeded} succeeded, {failed} failed, {watch.Elapsed.TotalSeconds:F1} s");
        var values = environments.SelectMany(e => portal.Platform(e).SecretsManager.KnownSecretValues()).Distinct().ToList();
        var pages = environments.SelectMany(e => new[] { $"/secrets?env={e}", $"/operations?env={e}", $"/operations/evidence?env={e}" });
        var outputs = await portal.OutputsAsync(pages, CancellationToken.None);
        var leaks = FinTech.Portal.Tests.Operations.Rotations.SecretLeakPortal.Leaks(outputs, values);
        Log($"searched {values.Count} secret values in {outputs.Count} outputs ({outputs.Count(o => o.Source.StartsWith("GET ", StringComparison.Ordinal))} pages and exports, "
            + $"{outputs.Count(o => o.Source.Contains(" row ", StringComparison.Ordinal))} database rows, {portal.Logs.Lines.Count} log lines, {portal.Logs.Lines.Count(l => l.Contains("RequestPath", StringComparison.Ordinal))} of them in a request); {watch.Elapsed.TotalSeconds:F1} s");
        foreach (var (source, count) in leaks)
        {
            Log($"LEAK: {count} occurrence(s) in {source}");
        }
        return leaks.Sum(l => l.Occurrences);
    }

    private static async Task<int> DuplicateRunsAsync(IReadOnlyList<BenchPortal> portals)
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
        {
            try
            {
                await portals[i % Tasks].As(BenchPortal.Olivia).RequestAsync(BenchPortal.Form("prod", "duplicate-target"), CancellationToken.None);
                return true;
            }
            catch (OperationRefusedException)
            {
                return false;
            }
        })));
        var runs = await portals[0].Store.ListAsync("prod", 1000, CancellationToken.None);
        var created = runs.Count(r => r.Target == "duplicate-target");
        if (created != outcomes.Count(o => o))
        {
            throw new InvalidOperationException($"{outcomes.Count(o => o)} requests succeeded but {created} runs exist.");
        }
        await portals[0].As(BenchPortal.Olivia).AbortAsync(runs.First(r => r.Target == "duplicate-target").Id, "benchmark cleanup", CancellationToken.None);
        return created;
    }

    private static async Task<int> DoubleExecutionsAsync(IReadOnlyList<BenchPortal> portals, BenchPlatform platform)
    {
        const int runs = 200;
        var ids = new List<string>();
        for (var n = 0; n < runs; n++)
        {
            // Sandbox skips approval here, so each run is ready for the workers at once.
            ids.Add((await portals[n % Tasks].As(BenchPortal.Olivia).RequestAsync(BenchPortal.Form("sandbox", $"target-{n:000}"), CancellationToken.None)).Id);
        }
        var workers = portals.Select(p => p.StartWorker()).ToList();
        var random = new Random(20261201);
        var stopped = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var states = await portals[0].Store.ListAsync("sandbox", 1000, CancellationToken.None);
            if (states.Where(r => ids.Contains(r.Id)).All(r => r.IsTerminal))
            {
                break;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The runs did not finish within 5 minutes.");
            }
            await Task.Delay(1500);
            // Stop one worker abruptly (its runs keep their leases until they lapse) and start a fresh one in its place.
            var victim = random.Next(workers.Count);
            await workers[victim].StopAbruptlyAsync();
            workers[victim] = portals[victim].StartWorker();
            stopped++;
        }
        foreach (var worker in workers)
        {
            await worker.StopAbruptlyAsync();
        }
        var final = (await portals[0].Store.ListAsync("sandbox", 1000, CancellationToken.None)).Where(r => ids.Contains(r.Id)).ToList();
        Log($"{runs} runs: {final.Count(r => r.State == OperationState.Succeeded)} succeeded, {final.Count(r => r.State != OperationState.Succeeded)} other; {stopped} workers stopped abruptly; {platform.ResumedAfterAction} runs resumed by another worker after their action; {clock.Elapsed.TotalSeconds:F1} s");
        return ids.Count(id => platform.ActionsOf(id) > 1);
    }

    private static async Task<double> ClaimLatencyAsync(IReadOnlyList<BenchPortal> portals, BenchPlatform platform)
    {
        const int runs = 100;
        var workers = portals.Select(p => p.StartWorker()).ToList();
        var latencies = new List<double>();
        for (var n = 0; n < runs; n++)
        {
            var requester = portals[n % Tasks];
            var run = await requester.As(BenchPortal.Olivia).RequestAsync(BenchPortal.Form("prod", $"claim-{n:000}"), CancellationToken.None);
            // The approver works on another task than the requester, as people behind an ALB would.
            await portals[(n + 1) % Tasks].As(BenchPortal.Avery).ApproveAsync(run.Id, CancellationToken.None);
            var approvedAt = Stopwatch.GetTimestamp();
            var started = await platform.WaitForActionAsync(run.Id, TimeSpan.FromSeconds(30));
            latencies.Add(Stopwatch.GetElapsedTime(approvedAt, started).TotalMilliseconds);
        }
        foreach (var worker in workers)
        {
            await worker.StopAbruptlyAsync();
        }
        latencies.Sort();
        Log(FormattableString.Invariant($"claim latency over {runs} runs: p50 {latencies[runs / 2]:F0} ms, max {latencies[^1]:F0} ms"));
        return latencies[(int)Math.Ceiling(0.99 * runs) - 1];
    }

    private static void Log(string line) => Console.WriteLine($"[operations] {line}");
}

/// <summary>The platform the benchmark acts on: it counts each run's actions and when the first one started.</summary>
internal sealed class BenchPlatform : ICloudWatch
{
    private readonly ConcurrentDictionary<string, int> _actions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _started = new(StringComparer.Ordinal);

    private int _resumed;

    public int ActionsOf(string runId) => _actions.GetValueOrDefault(runId);

    /// <summary>Runs a worker took over after the action had happened (a stopped worker's run).</summary>
    public int ResumedAfterAction => Volatile.Read(ref _resumed);

    public void Resumed() => Interlocked.Increment(ref _resumed);

    public bool HasActed(string runId) => _actions.ContainsKey(runId);

    public void Act(string runId)
    {
        _actions.AddOrUpdate(runId, 1, (_, n) => n + 1);
        _started.GetOrAdd(runId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(Stopwatch.GetTimestamp());
    }

    public Task<long> WaitForActionAsync(string runId, TimeSpan timeout) =>
        _started.GetOrAdd(runId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(timeout);

    /// <summary>The one alarm every benchmark run is stopped by (a run is never unwatched); it stays OK.</summary>
    public const string StopAlarm = "bench-errors-high";

    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(new DescribeAlarmsResponse
        {
            MetricAlarms =
            [
                new MetricAlarm
                {
                    AlarmName = StopAlarm,
                    AlarmArn = $"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:{StopAlarm}",
                    StateValue = StateValue.Ok,
                    StateReason = "Threshold not crossed",
                    StateUpdatedTimestamp = DateTimeOffset.UnixEpoch,
                    Namespace = "FinTech/Bench",
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
        Task.FromResult(new GetMetricDataResponse { MetricDataResults = [] });
}

/// <summary>A kind whose action takes a little while and that describes the platform before it acts.</summary>
internal sealed class BenchAction(BenchPlatform platform) : IOperationKind
{
    public string Key => "bench-action";
    public string DisplayName => "Benchmark action";
    public TimeSpan VerificationWindow => TimeSpan.Zero;

    private static readonly IReadOnlyList<string> AllTargets =
        ["duplicate-target", .. Enumerable.Range(0, 200).Select(n => $"target-{n:000}"), .. Enumerable.Range(0, 100).Select(n => $"claim-{n:000}")];

    public IReadOnlyList<string> Targets(PortalEnvironment environment) => AllTargets;

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) => [$"{environment.Key}/bench/{target}"];

    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) => [BenchPlatform.StopAlarm];

    public Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new TargetSnapshot(new Dictionary<string, string> { ["status"] = "available" }));

    public Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PreflightCheck>>([new PreflightCheck("Target available", true, "available")]);

    public Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new OperationPlan(["Act."], new Dictionary<string, string>()));

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        // Describe before acting: the platform knows whether this run's action happened.
        if (!platform.HasActed(execution.Run.Id))
        {
            await execution.RecordCallAsync("actedAt", "Act()", cancellationToken);
            platform.Act(execution.Run.Id);
        }
        else
        {
            platform.Resumed();
        }
        // The action's own duration, during which a worker may be stopped.
        await execution.DelayAsync(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 400)), cancellationToken);
    }

    public Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken) =>
        Task.FromResult(new OperationMeasurements(new Dictionary<string, string>(), true, "Done."));
}

/// <summary>One portal task: its own pool, trail, services and (re)startable worker, over the shared database.</summary>
internal sealed class BenchPortal : IAsyncDisposable
{
    public static readonly SandboxPersona Olivia = SandboxPersonas.Olivia;
    public static readonly SandboxPersona Avery = SandboxPersonas.Avery;

    private readonly string _instance;
    private readonly IOptions<OperationsOptions> _options = Options.Create(new OperationsOptions
    {
        LeaseDuration = TimeSpan.FromSeconds(2),
        PollInterval = TimeSpan.FromMilliseconds(250),
        StopCheckInterval = TimeSpan.FromMilliseconds(500),
        ChangeTicketPattern = "^CHG[0-9]{7}$",
        Environments = { ["sandbox"] = new OperationsEnvironmentOptions { SkipApproval = true } },
    });
    private readonly PortalInstance _portalInstance;
    private readonly EnvironmentCatalog _environments;
    private readonly PlatformRegistry _platforms;
    private readonly AuditTrail _trail;
    private readonly PortalAuthorization _authorization;
    private readonly OperationTransitions _transitions;
    private readonly OperationPreflight _preflight;
    private readonly OperationKinds _kinds;
    private readonly OperationEvidence _evidence;
    private readonly OperationWorkerSignal _signal = new();

    public BenchPortal(string connectionString, string instance, BenchPlatform platform)
    {
        _instance = instance;
        Database = new PortalDatabase(DatabaseProvider.PostgreSql, connectionString + $";Application Name={instance};Maximum Pool Size=60");
        var time = TimeProvider.System;
        _portalInstance = new PortalInstance(Options.Create(new HostingOptions { InstanceId = instance }));
        var platformOptions = Options.Create(new PlatformOptions
        {
            Environments = { ["sandbox"] = new EnvironmentOptions(), ["prod"] = new EnvironmentOptions { IsProduction = true } },
            DefaultEnvironment = "sandbox",
        });
        foreach (var environment in platformOptions.Value.Environments.Values)
        {
            environment.Resources.ApplySandboxDefaults();
        }
        _environments = new EnvironmentCatalog(platformOptions);
        _platforms = new PlatformRegistry(_environments, [PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Sandbox, _ => platform)]);
        var auditStore = new AuditStore(Database);
        _trail = new AuditTrail(auditStore, _portalInstance, time, NullLogger<AuditTrail>.Instance);
        var identityAudit = new IdentityAudit(_trail, _environments);
        _authorization = new PortalAuthorization(identityAudit, new PortalSessions(Database, time, Options.Create(new PortalIdentityOptions()), identityAudit, NullLogger<PortalSessions>.Instance), NullLogger<PortalAuthorization>.Instance);
        Store = new OperationStore(Database);
        var feed = new OperationRunFeed(Store, time, NullLogger<OperationRunFeed>.Instance);
        _transitions = new OperationTransitions(Store, _trail, identityAudit, time, feed, NullLogger<OperationTransitions>.Instance);
        _preflight = new OperationPreflight(Store, _platforms, time);
        _kinds = new OperationKinds([new BenchAction(platform)]);
        _evidence = new OperationEvidence(Store, auditStore, new AuditVerifier(auditStore, new FileAuditAnchorSink(Path.Combine(Path.GetTempPath(), $"bench-anchors-{Guid.NewGuid():N}.jsonl"))), _trail, _authorization);
    }

    public PortalDatabase Database { get; }

    public OperationStore Store { get; }

    public static OperationRequestForm Form(string environment, string target) => new()
    {
        Kind = "bench-action", Environment = environment, Target = target, Reason = "Benchmark of the operations engine", ChangeTicket = "CHG0000001",
    };

    public OperationsService As(SandboxPersona persona)
    {
        var user = PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], DateTimeOffset.UtcNow);
        return new OperationsService(new PortalCaller(() => Task.FromResult(user), "127.0.0.1"), Store, _transitions, _preflight, _kinds,
            _environments, _authorization, _trail, _signal, _options, TimeProvider.System);
    }

    public RunningWorker StartWorker()
    {
        var worker = new OperationWorker(Store, _transitions, _preflight, _kinds, _environments, _evidence, _signal, _portalInstance, _options,
            TimeProvider.System, NullLogger<OperationWorker>.Instance);
        return new RunningWorker(worker);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();

    /// <summary>A worker started as the host starts it; stopped abruptly, as a killed task stops.</summary>
    internal sealed class RunningWorker
    {
        private readonly OperationWorker _worker;

        public RunningWorker(OperationWorker worker)
        {
            _worker = worker;
            _ = worker.StartAsync(CancellationToken.None);
        }

        public async Task StopAbruptlyAsync()
        {
            using var noGrace = new CancellationTokenSource();
            await noGrace.CancelAsync();
            await _worker.StopAsync(noGrace.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
