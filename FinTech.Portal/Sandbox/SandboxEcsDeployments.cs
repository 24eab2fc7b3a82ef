using System.Collections.Immutable;
using System.Globalization;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Sandbox;

/// <summary>Why a Sandbox ECS deployment exists.</summary>
public enum SandboxEcsDeploymentCause
{
    /// <summary>The deployment the service runs when the platform starts.</summary>
    Initial,

    /// <summary><c>UpdateService</c> with a new task definition or <c>forceNewDeployment</c>.</summary>
    UpdateService,

    /// <summary>The circuit breaker failed the deployment before it and went back to the last completed one.</summary>
    CircuitBreakerRollback,
}

/// <summary>
/// One deployment of the API service as the Sandbox plays it: a rolling update with
/// <c>minimumHealthyPercent</c> 100 and <c>maximumPercent</c> 200, so ECS starts the whole new task
/// set next to the old one (6 + 6 tasks), registers it in the target group once its health checks
/// pass, then drains and stops the old tasks. A build that crashes on start takes traffic for a few
/// seconds (it reads its missing configuration lazily, on the first payment) and exits: the failed
/// tasks reach the circuit breaker's threshold, the deployment is FAILED and, with rollback on,
/// ECS goes back to the last completed deployment, whose tasks never stopped.
/// Timings are whole seconds drawn from the seed and the deployment's <see cref="Number"/>.
/// </summary>
public sealed record SandboxEcsDeployment(
    int Number,
    string Id,
    DateTimeOffset StartedAt,
    string TaskDefinitionArn,
    string Image,
    bool Crashes,
    int DesiredCount,
    SandboxEcsDeploymentCause Cause,
    DeploymentConfiguration Configuration,
    TimeSpan StartTakes,
    TimeSpan HealthChecksTake,
    TimeSpan CrashAfter,
    TimeSpan SettleTakes,
    string? RollsBackTo = null)
{
    /// <summary>The target group's deregistration delay in the Sandbox (connections drain this long).</summary>
    public static readonly TimeSpan DeregistrationDelay = TimeSpan.FromSeconds(30);

    /// <summary>ECS notices stopped tasks and evaluates the circuit breaker this long after they exit.</summary>
    public static readonly TimeSpan BreakerReacts = TimeSpan.FromSeconds(5);

    /// <summary>Tasks are RUNNING (image pulled, container started) at this time ...</summary>
    public DateTimeOffset RunningAt => StartedAt + StartTakes;

    /// <summary>... and healthy in the target group, taking traffic, at this one.</summary>
    public DateTimeOffset HealthyAt => RunningAt + HealthChecksTake;

    /// <summary>A crashing build's tasks exit at this time.</summary>
    public DateTimeOffset CrashAt => HealthyAt + CrashAfter;

    /// <summary>A crashing build's deployment is FAILED at this time.</summary>
    public DateTimeOffset FailedAt => CrashAt + BreakerReacts;

    /// <summary>The old tasks are stopped (drained) at this time.</summary>
    public DateTimeOffset DrainedAt => Cause == SandboxEcsDeploymentCause.CircuitBreakerRollback ? StartedAt : HealthyAt + DeregistrationDelay;

    /// <summary>A good deployment is COMPLETED (the service at a steady state) at this time.</summary>
    public DateTimeOffset CompletedAt => DrainedAt + SettleTakes;

    /// <summary>When the rollout ends, COMPLETED or FAILED.</summary>
    public DateTimeOffset EndsAt => Crashes ? FailedAt : CompletedAt;

    /// <summary>
    /// The circuit breaker's threshold of failed tasks: half the desired count, at least 3 and at
    /// most 200 (AWS's rule).
    /// </summary>
    public static int FailureThreshold(int desiredCount) => Math.Clamp((int)Math.Ceiling(0.5 * desiredCount), 3, 200);

    /// <summary>The family:revision of the task definition, as the console shows it.</summary>
    public string Revision => TaskDefinitionArn[(TaskDefinitionArn.LastIndexOf('/') + 1)..];

    internal static SandboxEcsDeployment Plan(int seed, int number, DateTimeOffset startedAt, string taskDefinitionArn, string image,
        bool crashes, int desiredCount, DeploymentConfiguration configuration) =>
        new(number, DeploymentId(seed, "update", number), startedAt, taskDefinitionArn, image, crashes, desiredCount,
            SandboxEcsDeploymentCause.UpdateService, configuration,
            StartTakes: TimeSpan.FromSeconds(40 + SandboxNoise.Pick(seed, "EcsTaskStart", number, 31)),
            HealthChecksTake: TimeSpan.FromSeconds(20 + SandboxNoise.Pick(seed, "EcsHealthChecks", number, 11)),
            CrashAfter: TimeSpan.FromSeconds(4 + SandboxNoise.Pick(seed, "EcsCrash", number, 9)),
            SettleTakes: TimeSpan.FromSeconds(10 + SandboxNoise.Pick(seed, "EcsSettle", number, 21)));

    /// <summary>The circuit breaker's rollback of <paramref name="failed"/> to the task definition of <paramref name="serving"/>, whose tasks it adopts.</summary>
    internal static SandboxEcsDeployment RollbackOf(int seed, SandboxEcsDeployment failed, SandboxEcsDeployment serving) =>
        new(failed.Number, DeploymentId(seed, "rollback", failed.Number), failed.FailedAt, serving.TaskDefinitionArn, serving.Image, false,
            serving.DesiredCount, SandboxEcsDeploymentCause.CircuitBreakerRollback, failed.Configuration,
            TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero,
            SettleTakes: TimeSpan.FromSeconds(15 + SandboxNoise.Pick(seed, "EcsRollbackSettle", failed.Number, 16)),
            RollsBackTo: serving.Id);

    internal static string DeploymentId(int seed, string source, int number) =>
        "ecs-svc/" + (SandboxNoise.Mix(SandboxNoise.Stream(seed, "ecs-deployment:" + source, number)) % 10_000_000_000_000_000_000UL)
            .ToString("D19", CultureInfo.InvariantCulture);

    internal string TaskId(int index) =>
        SandboxNoise.Mix(SandboxNoise.Key(Id) ^ (ulong)(index + 1) * 0x9E3779B97F4A7C15UL).ToString("x16", CultureInfo.InvariantCulture)
        + SandboxNoise.Mix(SandboxNoise.Key(Id) + (ulong)index).ToString("x16", CultureInfo.InvariantCulture);
}

/// <summary>
/// The ECS side of the Sandbox's history: the deployment running at start, and the task definitions
/// registered and deployments started through the port since.
/// </summary>
internal sealed record SandboxEcsHistory(
    int Seed, string ServiceName, string TargetGroupArn, TaskDefinition InitialTaskDefinition, SandboxEcsDeployment Initial,
    ImmutableArray<TaskDefinition> Registered, ImmutableArray<SandboxEcsDeployment> Deployments)
{
    public SandboxEcsRollout Rollout() => new(Seed, Initial, Deployments, ServiceName, TargetGroupArn);
}

/// <summary>The tasks of one deployment over time (what ECS and the target group see).</summary>
internal sealed record SandboxTaskSet(SandboxEcsDeployment Deployment, DateTimeOffset StoppedAt, bool Serves)
{
    // The initial deployment's tasks have run for as long as anyone can look back.
    private bool Initial => Deployment.Cause == SandboxEcsDeploymentCause.Initial;

    public int PendingAt(DateTimeOffset t) =>
        !Initial && t >= Deployment.StartedAt && t < Deployment.RunningAt && t < StoppedAt ? Deployment.DesiredCount : 0;

    public int RunningAt(DateTimeOffset t) =>
        (Initial || t >= Deployment.RunningAt) && t < StoppedAt ? Deployment.DesiredCount : 0;

    public int HealthyAt(DateTimeOffset t) =>
        (Initial || t >= Deployment.HealthyAt) && t < StoppedAt ? Deployment.DesiredCount : 0;
}

/// <summary>
/// The service as a sequence of deployments: which tasks run, pend, serve and crash at any time,
/// which deployments ECS lists and in what rollout state, and the service events so far. A pure
/// function of the deployments (the initial one first), evaluated at the time asked.
/// </summary>
internal sealed class SandboxEcsRollout
{
    private readonly List<SandboxTaskSet> _sets = [];
    private readonly List<SandboxEcsDeployment> _all = [];
    private readonly string _serviceName;
    private readonly string _targetGroupArn;

    /// <param name="initial">The deployment running when the platform started (COMPLETED).</param>
    /// <param name="updates">The UpdateService deployments, oldest first.</param>
    public SandboxEcsRollout(int seed, SandboxEcsDeployment initial, IReadOnlyList<SandboxEcsDeployment> updates, string serviceName, string targetGroupArn)
    {
        _serviceName = serviceName;
        _targetGroupArn = targetGroupArn;
        var serving = new SandboxTaskSet(initial, DateTimeOffset.MaxValue, true);
        _sets.Add(serving);
        _all.Add(initial);
        for (var i = 0; i < updates.Count; i++)
        {
            var d = updates[i];
            var nextStart = i + 1 < updates.Count ? updates[i + 1].StartedAt : DateTimeOffset.MaxValue;
            _all.Add(d);
            if (d.Crashes)
            {
                _sets.Add(new SandboxTaskSet(d, Min(d.CrashAt, nextStart), false));
                if (d.Configuration.DeploymentCircuitBreaker is { Enable: true, Rollback: true } && nextStart > d.FailedAt)
                {
                    // The rollback adopts the serving tasks: they carry on under the rollback's deployment id.
                    var rollback = SandboxEcsDeployment.RollbackOf(seed, d, serving.Deployment);
                    _all.Add(rollback);
                    var index = _sets.IndexOf(serving);
                    _sets[index] = serving with { StoppedAt = d.FailedAt };
                    serving = new SandboxTaskSet(rollback with { StartedAt = d.FailedAt }, DateTimeOffset.MaxValue, true);
                    _sets.Add(serving);
                }
            }
            else if (nextStart <= d.HealthyAt)
            {
                // Superseded before its tasks took traffic: ECS stops them, the old ones keep serving.
                _sets.Add(new SandboxTaskSet(d, nextStart, false));
            }
            else
            {
                var index = _sets.IndexOf(serving);
                _sets[index] = serving with { StoppedAt = Min(serving.StoppedAt, d.DrainedAt) };
                serving = new SandboxTaskSet(d, DateTimeOffset.MaxValue, true);
                _sets.Add(serving);
            }
        }
    }

    /// <summary>Every deployment, the circuit breaker's rollbacks included, in the order they started.</summary>
    public IReadOnlyList<SandboxEcsDeployment> Deployments => _all;

    public (int Running, int Pending, int Healthy) CountsAt(DateTimeOffset t) =>
        (_sets.Sum(s => s.RunningAt(t)), _sets.Sum(s => s.PendingAt(t)), _sets.Sum(s => s.HealthyAt(t)));

    /// <summary>The deployment whose tasks serve at <paramref name="t"/> (the newest healthy task set's).</summary>
    public SandboxEcsDeployment ServingAt(DateTimeOffset t) =>
        _sets.Where(s => s.Serves && s.Deployment.HealthyAt <= t && s.StoppedAt > t).Select(s => s.Deployment).LastOrDefault()
        ?? _sets[0].Deployment;

    /// <summary>
    /// The share (0 to 1) of a minute's requests that reached a crashing build's tasks, and the share
    /// of the minute during which any task set was new (cold caches, JIT: the latency blip).
    /// </summary>
    public (double CrashingShare, double ColdShare, double ExtraTasks, double Pending) MinuteLevels(long minute)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(minute * 60);
        var end = start.AddMinutes(1);
        double crashing = 0, cold = 0, extra = 0, pending = 0;
        // Sampled every 5 s: deployments move in seconds, the metrics in minutes.
        const int samples = 12;
        for (var i = 0; i < samples; i++)
        {
            var t = start.AddSeconds(2.5 + 5 * i);
            var healthy = _sets.Sum(s => s.HealthyAt(t));
            if (healthy > 0)
            {
                crashing += _sets.Where(s => s.Deployment.Crashes).Sum(s => s.HealthyAt(t)) / (double)healthy / samples;
            }
            var (running, pendingNow, _) = CountsAt(t);
            var desired = _sets[0].Deployment.DesiredCount;
            extra += Math.Max(0, running - desired) / (double)samples;
            pending += pendingNow / (double)samples;
            cold += _sets.Any(s => s.HealthyAt(t) > 0 && t - s.Deployment.HealthyAt < TimeSpan.FromMinutes(2) && s.Deployment.Cause != SandboxEcsDeploymentCause.CircuitBreakerRollback && s.Deployment.Cause != SandboxEcsDeploymentCause.Initial)
                ? 1.0 / samples : 0;
        }
        return (crashing, cold, extra, pending);
    }

    /// <summary>The minutes (inclusive) in which a deployment moves the metrics.</summary>
    public IEnumerable<(long From, long To)> Windows() =>
        _all.Where(d => d.Cause != SandboxEcsDeploymentCause.Initial)
            .Select(d => ((long)Math.Floor(d.StartedAt.ToUnixTimeSeconds() / 60.0),
                (long)Math.Floor((Max(d.EndsAt, d.HealthyAt + TimeSpan.FromMinutes(2)).ToUnixTimeSeconds()) / 60.0)));

    /// <summary>The rollout state of <paramref name="d"/> at <paramref name="t"/> and its reason.</summary>
    public (string State, string Reason) RolloutAt(SandboxEcsDeployment d, DateTimeOffset t)
    {
        if (d.Cause == SandboxEcsDeploymentCause.Initial)
        {
            return (RolloutState.Completed, $"ECS deployment {d.Id} completed.");
        }
        if (d.Crashes && t >= d.FailedAt)
        {
            return (RolloutState.Failed, "ECS deployment circuit breaker: tasks failed to start.");
        }
        if (!d.Crashes && t >= d.CompletedAt)
        {
            return (RolloutState.Completed, $"ECS deployment {d.Id} completed.");
        }
        return d.RollsBackTo is { } target
            ? (RolloutState.InProgress, $"ECS deployment circuit breaker: rolling back to deploymentId {target}.")
            : (RolloutState.InProgress, $"ECS deployment {d.Id} in progress.");
    }

    /// <summary>The deployments ECS lists at <paramref name="t"/>: the PRIMARY (newest started) and ACTIVE ones whose tasks still run.</summary>
    public IReadOnlyList<(SandboxEcsDeployment Deployment, string Status, int Running, int Pending, int Failed)> ListedAt(DateTimeOffset t)
    {
        var started = _all.Where(d => d.StartedAt <= t).ToList();
        var primary = started[^1];
        var listed = new List<(SandboxEcsDeployment, string, int, int, int)>();
        foreach (var d in started.AsEnumerable().Reverse())
        {
            var sets = _sets.Where(s => s.Deployment.Id == d.Id).ToList();
            var running = sets.Sum(s => s.RunningAt(t));
            var pending = sets.Sum(s => s.PendingAt(t));
            var failed = d.Crashes && t >= d.CrashAt ? d.DesiredCount : 0;
            if (d == primary)
            {
                listed.Add((d, DeploymentStatus.Primary, running, pending, failed));
            }
            else if (running + pending > 0)
            {
                listed.Add((d, DeploymentStatus.Active, running, pending, failed));
            }
        }
        return listed;
    }

    /// <summary>The service events up to <paramref name="t"/>, newest first, at most 100 (ECS keeps the last 100).</summary>
    public IReadOnlyList<ServiceEvent> EventsUntil(DateTimeOffset t)
    {
        var events = new List<(DateTimeOffset At, string Message)>();
        var s = $"(service {_serviceName})";
        foreach (var d in _all)
        {
            var tasks = string.Join(" ", Enumerable.Range(0, d.DesiredCount).Select(i => $"(task {d.TaskId(i)})"));
            switch (d.Cause)
            {
                case SandboxEcsDeploymentCause.Initial:
                    events.Add((d.StartedAt, $"{s} has reached a steady state."));
                    continue;
                case SandboxEcsDeploymentCause.CircuitBreakerRollback:
                    events.Add((d.StartedAt, $"{s} (deployment {d.Id}) rolling back to deployment {d.RollsBackTo}: the circuit breaker failed the deployment before it."));
                    events.Add((d.CompletedAt, $"{s} (deployment {d.Id}) deployment completed."));
                    events.Add((d.CompletedAt, $"{s} has reached a steady state."));
                    continue;
            }
            var set = _sets.First(x => x.Deployment.Id == d.Id);
            events.Add((Min(d.StartedAt.AddSeconds(2), set.StoppedAt), $"{s} has started {d.DesiredCount} tasks: {tasks}."));
            if (set.StoppedAt <= d.HealthyAt && !d.Crashes)
            {
                events.Add((set.StoppedAt, $"{s} has stopped {d.DesiredCount} running tasks: {tasks}."));
                continue;
            }
            if (set.StoppedAt < d.HealthyAt)
            {
                continue;
            }
            events.Add((d.HealthyAt, $"{s} registered {d.DesiredCount} targets in (target-group {_targetGroupArn})"));
            if (d.Crashes)
            {
                if (set.StoppedAt < d.CrashAt)
                {
                    continue;
                }
                events.Add((d.CrashAt, $"{s} has stopped {d.DesiredCount} running tasks: {tasks}."));
                events.Add((d.CrashAt.AddSeconds(1), $"{s} deregistered {d.DesiredCount} targets in (target-group {_targetGroupArn})"));
                events.Add((d.FailedAt, $"{s} (deployment {d.Id}) deployment failed: tasks failed to start."));
                continue;
            }
            var replaced = _sets.FirstOrDefault(x => x.Serves && x.StoppedAt == d.DrainedAt && x.Deployment.Id != d.Id)?.Deployment;
            if (replaced is not null)
            {
                var old = string.Join(" ", Enumerable.Range(0, replaced.DesiredCount).Select(i => $"(task {replaced.TaskId(i)})"));
                events.Add((d.HealthyAt.AddSeconds(1), $"{s} has begun draining connections on {replaced.DesiredCount} tasks."));
                events.Add((d.HealthyAt.AddSeconds(1), $"{s} deregistered {replaced.DesiredCount} targets in (target-group {_targetGroupArn})"));
                events.Add((d.DrainedAt, $"{s} has stopped {replaced.DesiredCount} running tasks: {old}."));
            }
            events.Add((d.CompletedAt, $"{s} (deployment {d.Id}) deployment completed."));
            events.Add((d.CompletedAt, $"{s} has reached a steady state."));
        }
        return events
            .Select((e, i) => (e.At, e.Message, Order: i))
            .Where(e => e.At <= t)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Order)
            .Take(100)
            .Select(e => new ServiceEvent
            {
                Id = Guid(e.At, e.Message),
                CreatedAt = e.At,
                Message = e.Message,
            })
            .ToList();
    }

    private static string Guid(DateTimeOffset at, string message)
    {
        var a = SandboxNoise.Mix(SandboxNoise.Key(message) ^ (ulong)at.ToUnixTimeSeconds());
        var b = SandboxNoise.Mix(a);
        var hex = a.ToString("x16", CultureInfo.InvariantCulture) + b.ToString("x16", CultureInfo.InvariantCulture);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
