using FinTech.Portal.Platform;

namespace FinTech.Portal.Logs;

/// <summary>
/// The log groups of an environment, named as <c>infra/</c> creates them: the services under
/// <c>/fintech/{env}/</c> and Aurora's PostgreSQL export under <c>/aws/rds/cluster/{cluster}/postgresql</c>.
/// </summary>
public sealed record EnvironmentLogGroups(string Api, string EcsEvents, string Postgresql)
{
    public static EnvironmentLogGroups For(PortalEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new EnvironmentLogGroups(
            $"/fintech/{environment.Key}/api",
            $"/fintech/{environment.Key}/ecs-events",
            $"/aws/rds/cluster/{environment.Resources.AuroraCluster}/postgresql");
    }

    public IReadOnlyList<string> All => [Api, EcsEvents, Postgresql];

    /// <summary>What each group holds, for the picker.</summary>
    public string Describe(string logGroup) =>
        logGroup == Api ? "API service: one JSON line per logged request, exceptions, slow requests, start-ups"
        : logGroup == EcsEvents ? "ECS task state changes (EventBridge): stops, OOM kills, restarts"
        : logGroup == Postgresql ? "Aurora PostgreSQL log: slow queries, deadlocks, recovery conflicts, failovers, connections"
        : "";
}
