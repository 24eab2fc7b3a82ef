namespace FinTech.Portal.Operations.Failover;

public static class FailoverSetup
{
    /// <summary>Failover tests of Aurora and ElastiCache, on the ports of the failover platform work.</summary>
    public static IHostApplicationBuilder AddFailoverTests(this IHostApplicationBuilder builder)
    {
        return builder;
    }
}
