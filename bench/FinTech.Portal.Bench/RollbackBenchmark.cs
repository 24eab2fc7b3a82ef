using System.Globalization;
using System.Text.Json;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Deployments;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Bench;

/// <summary>
/// <c>rollback_s_p99</c>: Sandbox seconds from a failed bake to the last verified revision serving
/// again. One production Sandbox environment per sample (each its own seed, so its own rollout
/// timings), all driven by one worker of the real engine on PostgreSQL and a fake clock: each
/// environment deploys v1.47.1 with approval; when its bake starts, the error-burst knob is turned
/// on; the 5xx stop condition goes to ALARM, the run rolls back to revision 42 and measures the
/// seconds until its tasks take traffic (the ECS event registering them in the target group).
/// </summary>
internal static class RollbackBenchmark
{
    private const int Samples = 24;

    public static async Task<double> RunAsync(PostgresServer server)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        await using var database = new PortalDatabase(DatabaseProvider.PostgreSql,
            await server.CreateDatabaseAsync("deployments_bench") + ";Application Name=rollback-bench;Maximum Pool Size=40");
        await new MigrationRunner(database, time, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        var platformOptions = new PlatformOptions { DefaultEnvironment = Env(0) };
        for (var i = 0; i < Samples; i++)
        {
            platformOptions.Environments[Env(i)] = new EnvironmentOptions { DisplayName = $"Bench {i}", IsProduction = true, SandboxSeed = 20261124 + 7919 * i };
        }
        foreach (var environment in platformOptions.Environments.Values)
        {
            environment.Resources.ApplySandboxDefaults();
        }
        var environments = new EnvironmentCatalog(Options.Create(platformOptions));
        var sandboxes = environments.All.ToDictionary(e => e.Key, e => new SandboxPlatform(e.SandboxSeed, e.Resources, time));
        var platforms = new PlatformRegistry(environments,
        [
            PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Sandbox, e => sandboxes[e.Key].CloudWatch),
            PlatformPortRegistration.For<IEcs>(PlatformBackend.Sandbox, e => sandboxes[e.Key].Ecs),
            PlatformPortRegistration.For<IEcr>(PlatformBackend.Sandbox, e => sandboxes[e.Key].Ecr),
        ]);
        var options = Options.Create(new OperationsOptions());
        var instance = new PortalInstance(Options.Create(new HostingOptions { InstanceId = "rollback-bench" }));
        var auditStore = new AuditStore(database);
        var trail = new AuditTrail(auditStore, instance, time, NullLogger<AuditTrail>.Instance);
        var identityAudit = new IdentityAudit(trail, environments);
        var authorization = new PortalAuthorization(identityAudit,
            new PortalSessions(database, time, Options.Create(new PortalIdentityOptions()), identityAudit, NullLogger<PortalSessions>.Instance), NullLogger<PortalAuthorization>.Instance);
        var store = new OperationStore(database);
        var transitions = new OperationTransitions(store, trail, identityAudit, time, new OperationRunFeed(store, time, NullLogger<OperationRunFeed>.Instance), NullLogger<OperationTransitions>.Instance);
        var preflight = new OperationPreflight(store, platforms, time);
        var history = new DeploymentHistory(store);
        var deploymentOptions = Options.Create(new DeploymentOptions { BakeTime = TimeSpan.FromMinutes(10) });
        var kinds = new OperationKinds([new EcsDeployment(platforms, history, deploymentOptions), new EcsRollback(platforms, history, deploymentOptions)]);
        var evidence = new OperationEvidence(store, auditStore,
            new AuditVerifier(auditStore, new FileAuditAnchorSink(Path.Combine(Path.GetTempPath(), $"rollback-bench-anchors-{Guid.NewGuid():N}.jsonl"))), trail, authorization);
        var signal = new OperationWorkerSignal();
        OperationsService As(SandboxPersona persona)
        {
            var user = PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], time.GetUtcNow());
            return new OperationsService(new PortalCaller(() => Task.FromResult(user), "127.0.0.1"), store, transitions, preflight, kinds,
                environments, authorization, trail, signal, options, time);
        }

        var runs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var environment in environments.All)
        {
            var digest = sandboxes[environment.Key].Ecr.Images.Single(i => i.RepositoryName == SandboxEcr.ApiRepository && i.Tags.Contains("v1.47.1")).Digest;
            var run = await As(SandboxPersonas.Olivia).RequestAsync(new OperationRequestForm
            {
                Kind = EcsDeployment.KindKey,
                Environment = environment.Key,
                Target = environment.Resources.EcsService,
                Reason = "Benchmark: a release whose bake fails",
                ChangeTicket = "CHG0000001",
                Options = new Dictionary<string, string> { [EcsDeployment.ImageTagOption] = "v1.47.1", [EcsDeployment.ImageDigestOption] = digest },
            }, CancellationToken.None);
            await As(SandboxPersonas.Avery).ApproveAsync(run.Id, CancellationToken.None);
            runs[run.Id] = environment.Key;
        }

        var worker = new OperationWorker(store, transitions, preflight, kinds, environments, evidence, signal, instance, options, time, NullLogger<OperationWorker>.Instance);
        var burst = new HashSet<string>(StringComparer.Ordinal);
        var limit = time.GetUtcNow() + TimeSpan.FromHours(2);
        // The worker's runs, processed in parallel as its own loop does, on the fake clock: the clock
        // moves to the earliest moment a run waits for once every run in progress waits on it —
        // never while one is still working, so no run's Sandbox seconds are stretched by another's
        // wait, and never by a real-time pause.
        var inProgress = new Dictionary<string, Task>(StringComparer.Ordinal);
        var waits = new List<DateTimeOffset>();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Pulse() => Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        worker.WaitingOnClock += due =>
        {
            lock (waits)
            {
                waits.Add(due);
            }
            Pulse();
        };
        List<OperationRun> final;
        while (true)
        {
            var change = Volatile.Read(ref changed).Task;
            foreach (var (id, task) in inProgress.Where(p => p.Value.IsCompleted).ToList())
            {
                await task;
                inProgress.Remove(id);
            }
            await worker.ExpireAsync(CancellationToken.None);
            while (inProgress.Count < OperationWorker.MaxParallelRuns && await worker.ClaimAsync(CancellationToken.None) is { } claimed)
            {
                // A run of ours whose lease lapsed during a long wait: the claim renewed it, its processor carries on.
                if (!inProgress.ContainsKey(claimed))
                {
                    inProgress[claimed] = Task.Run(async () =>
                    {
                        try
                        {
                            await worker.ProcessAsync(claimed, CancellationToken.None);
                        }
                        finally
                        {
                            Pulse();
                        }
                    });
                }
            }
            final = (await store.ListAsync(null, 1000, CancellationToken.None)).Where(r => runs.ContainsKey(r.Id)).ToList();
            if (final.All(r => r.IsTerminal) || time.GetUtcNow() > limit)
            {
                break;
            }
            foreach (var run in final.Where(r => !burst.Contains(r.Id) && Checkpoint(r).ContainsKey(EcsServiceRollout.BakeStartedAt)))
            {
                sandboxes[runs[run.Id]].SetFault(SandboxFault.ErrorBurst, on: true);
                burst.Add(run.Id);
            }
            DateTimeOffset? next = null;
            lock (waits)
            {
                waits.RemoveAll(due => due <= time.GetUtcNow());
                if (waits.Count > 0 && waits.Count == inProgress.Values.Count(t => !t.IsCompleted))
                {
                    next = waits.Min();
                }
            }
            if (next is { } due)
            {
                time.Advance(due - time.GetUtcNow());
                continue;
            }
            if (inProgress.Count == 0)
            {
                throw new InvalidOperationException("No run is in progress or ready, but some have not ended.");
            }
            // A guard against a hang, not a pause: a run waits on the clock or ends long before.
            if (await Task.WhenAny(change, Task.Delay(TimeSpan.FromMinutes(2))) != change)
            {
                throw new TimeoutException($"The runs stopped moving: {inProgress.Count} in progress, {waits.Count} waiting on the clock.");
            }
        }
        if (final.All(r => r.IsTerminal))
        {
            await Task.WhenAll(inProgress.Values);
        }

        var seconds = new List<double>();
        foreach (var run in final)
        {
            var figures = await FiguresAsync(store, run.Id);
            if (run.State != OperationState.Aborted || figures?.GetValueOrDefault("rollbackSeconds") is not { } text
                || figures.GetValueOrDefault("taskDefinitionAfter") != figures.GetValueOrDefault("rolledBackTo"))
            {
                throw new InvalidOperationException($"Run {run.Id} on {runs[run.Id]} did not roll back as expected: {run.State}, {run.OutcomeReason}");
            }
            seconds.Add(double.Parse(text, CultureInfo.InvariantCulture));
        }
        seconds.Sort();
        Console.WriteLine(FormattableString.Invariant(
            $"[operations] {seconds.Count} failed bakes rolled back to the verified revision: rollback p50 {seconds[seconds.Count / 2]:F0} s, max {seconds[^1]:F0} s (Sandbox seconds)"));
        return seconds[(int)Math.Ceiling(0.99 * seconds.Count) - 1];
    }

    private static string Env(int i) => $"bench{i:00}";

    private static Dictionary<string, string> Checkpoint(OperationRun run) =>
        run.CheckpointJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(run.CheckpointJson) ?? [];

    private static async Task<Dictionary<string, string>?> FiguresAsync(OperationStore store, string runId)
    {
        var sealedEvidence = await store.EvidenceAsync(runId, CancellationToken.None);
        if (sealedEvidence is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(sealedEvidence.Content);
        return document.RootElement.GetProperty("measurements").GetProperty("figures").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
