namespace FinTech.Portal.Operations.Deployments;

/// <summary>What a deployment or a rollback of an ECS service holds, and the alarms that stop it.</summary>
internal static class EcsLocks
{
    /// <summary>
    /// The service, and the credentials its tasks read at start (the Aurora and Redis secrets): a
    /// failover test (which holds the service and the credentials) and a rotation of those secrets
    /// (which holds them and the service) cannot run while the service is being deployed, nor it while they run.
    /// </summary>
    public static IReadOnlyList<string> For(Platform.PortalEnvironment environment, string service) =>
    [
        ResourceKeys.EcsService(environment.Key, environment.Resources.EcsCluster, service),
        ResourceKeys.CredentialsSecret(environment.Key, environment.Resources.AuroraCluster),
        ResourceKeys.CredentialsSecret(environment.Key, environment.Resources.RedisReplicationGroup),
    ];

    /// <summary>The catalogue's alarms customers would feel first: failed requests, slow checkout, failing payments.</summary>
    public static IReadOnlyList<string> StopConditions(Platform.PortalEnvironment environment) =>
    [
        environment.Resources.AlarmName("5xx-rate"),
        environment.Resources.AlarmName("p99-latency"),
        environment.Resources.AlarmName("transactions-failure-rate"),
    ];
}
