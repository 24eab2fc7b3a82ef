using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations;

/// <summary>
/// One kind of operation (a failover test, a deployment, a rotation). The engine owns the
/// workflow, approvals, locks, stop conditions and evidence; a kind says what it locks, how to
/// check, plan, act and measure. Register with <c>services.AddOperationKind&lt;T&gt;()</c>.
/// </summary>
public interface IOperationKind
{
    /// <summary>Stable key, stored in runs and the audit trail: <c>aurora-failover-test</c>.</summary>
    string Key { get; }

    string DisplayName { get; }

    /// <summary>What people may pick as the target in an environment.</summary>
    IReadOnlyList<string> Targets(PortalEnvironment environment);

    /// <summary>
    /// Resource keys held while a run is active: the target first, then the resources it depends
    /// on (an Aurora failover holds the cluster's secret and the API service too, so a rotation or
    /// a deployment of them is refused meanwhile). Keys are shared vocabulary between kinds:
    /// see <see cref="ResourceKeys"/>.
    /// </summary>
    IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target);

    /// <summary>CloudWatch alarms that stop a run of this kind when they go to ALARM.</summary>
    IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment);

    /// <summary>After the action: how long stop conditions are still watched before the verdict.</summary>
    TimeSpan VerificationWindow { get; }

    Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken);

    /// <summary>The kind's own checks (target available, replica lag, quota...); the engine adds alarms, locks and the safety switch.</summary>
    Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken);

    Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Acts and waits until the action has completed. Called again after a crash or a lost lease,
    /// so it must describe before it acts: look at what the platform reports (and the
    /// checkpoint) and never repeat an action the platform already accepted. Throws
    /// <see cref="OperationFailedException"/> with a reason for people when the action fails.
    /// </summary>
    Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken);

    /// <summary>
    /// A run that may already have acted (Running) was stopped while no worker held it (an abort or
    /// the safety switch landed between a crash and the resume): put back what the action changed,
    /// describing first, and return the reason the run ends Aborted with. Runs stopped while a
    /// worker executes them see the stop in <see cref="OperationExecution.CheckAsync"/> instead.
    /// The default suits actions with nothing to undo (a failover test).
    /// </summary>
    Task<string> UndoAfterStopAsync(OperationExecution execution, string reason, CancellationToken cancellationToken) => Task.FromResult(reason);

    /// <summary>The figures of the finished run and its verdict against the objective.</summary>
    Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken);
}

/// <summary>The run failed for a reason people can read (the platform refused, timed out...).</summary>
public sealed class OperationFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The resource keys kinds lock, spelled once so that kinds written later meet the same keys.</summary>
public static class ResourceKeys
{
    public static string AuroraCluster(string environment, string cluster) => $"{environment}/rds-cluster/{cluster}";
    public static string RedisReplicationGroup(string environment, string group) => $"{environment}/elasticache-replication-group/{group}";
    public static string EcsService(string environment, string cluster, string service) => $"{environment}/ecs-service/{cluster}/{service}";

    /// <summary>
    /// The credentials of a resource (an Aurora cluster, a Redis group): a failover of the resource
    /// and a rotation of the secret that holds them both lock it, so they never run together.
    /// </summary>
    public static string CredentialsSecret(string environment, string resource) => $"{environment}/secret/{resource}-credentials";

    /// <summary>A Secrets Manager secret by name (a rotation locks it, whatever it holds).</summary>
    public static string Secret(string environment, string secretName) => $"{environment}/secrets-manager/{secretName}";
}

/// <summary>What a kind gets to look at the target: the environment, its platform, the parameters.</summary>
public class OperationContext(PortalEnvironment environment, PlatformConnection platform, OperationParameters parameters, TimeProvider time)
{
    public PortalEnvironment Environment { get; } = environment;
    public PlatformConnection Platform { get; } = platform;
    public OperationParameters Parameters { get; } = parameters;
    public string Target => Parameters.Target;
    public TimeProvider Time { get; } = time;
}
