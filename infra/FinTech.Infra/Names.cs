namespace FinTech.Infra;

/// <summary>
/// Physical names of one environment's resources. They are fixed (not generated) because the portal's
/// configuration, its IAM scoping (portal-aws-actions.json) and the dashboards name them.
/// </summary>
public sealed record Names(string Env)
{
    public string StackPrefix => $"FinTech-{Env}";
    public string Prefix => $"fintech-{Env}";
    public string Cluster => Prefix;
    public string Service(string service) => $"{Prefix}-{service}";
    public string TaskRole(string service) => $"{Prefix}-{service}-task";
    public string ExecutionRole(string service) => $"{Prefix}-{service}-execution";
    public string PortalAccessRole => $"{Prefix}-portal-access";
    public string Repository(string service) => $"fintech/{service}";
    public string AuroraCluster => $"{Prefix}-aurora";
    public string AuroraInstance(int index) => $"{Prefix}-aurora-{index + 1}";
    public string RedisReplicationGroup => $"{Prefix}-redis";

    /// <summary>ElastiCache names a replication group's member clusters <c>GROUP-001</c>, <c>GROUP-002</c>, ...</summary>
    public string RedisNode(int index) => $"{RedisReplicationGroup}-{index + 1:000}";
    public string SessionTable => $"{Prefix}-sessions";
    public string LogGroup(string name) => $"/fintech/{Env}/{name}";
    public string AuditAnchorLogGroup => LogGroup("audit-anchors");
    public string Secret(string name) => $"fintech/{Env}/{name}";
    public string Alarm(string name) => $"{Prefix}-{name}";
    public string KeyAlias(string name) => $"alias/fintech/{Env}/{name}";
}

/// <summary>What every stack of one environment needs to know.</summary>
public sealed record EnvironmentContext(string Key, EnvironmentConfig Config, Names Names, OrganizationConfig Organization)
{
    public Amazon.CDK.Environment AwsEnvironment => new() { Account = Config.Account, Region = Config.Region };
}
