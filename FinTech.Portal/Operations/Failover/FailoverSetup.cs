namespace FinTech.Portal.Operations.Failover;

public static class FailoverSetup
{
    /// <summary>Failover tests of Aurora and ElastiCache Redis, offered where the environment's backend has the RDS and ElastiCache ports.</summary>
    public static IHostApplicationBuilder AddFailoverTests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOperationKind<AuroraFailoverTest>();
        builder.Services.AddOperationKind<RedisFailoverTest>();
        return builder;
    }
}
