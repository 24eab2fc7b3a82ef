using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Infra;

/// <summary>
/// Physical names of one environment's resources. They are fixed (not generated) because the portal's
/// configuration, its IAM scoping (portal-aws-actions.json) and the dashboards name them.
/// </summary>
public sealed record Names(string Env)
{
    /// <summary>The naming rules the portal and the Sandbox use too (Platform/Catalogue, linked into this project).</summary>
    private CatalogueNames Catalogue => new(Env);

    public string StackPrefix => $"FinTech-{Env}";
    public string Prefix => Catalogue.Prefix;
    public string Cluster => Catalogue.EcsCluster;
    public string Service(string service) => Catalogue.Service(service);
    public string TaskRole(string service) => $"{Prefix}-{service}-task";
    public string ExecutionRole(string service) => $"{Prefix}-{service}-execution";
    public string PortalAccessRole => $"{Prefix}-portal-access";
    public string Repository(string service) => $"fintech/{service}";
    public string AuroraCluster => Catalogue.AuroraCluster;
    public string AuroraInstance(int index) => Catalogue.AuroraInstance(index);
    public string RedisReplicationGroup => Catalogue.RedisReplicationGroup;

    /// <summary>ElastiCache names a replication group's member clusters <c>GROUP-001</c>, <c>GROUP-002</c>, ...</summary>
    public string RedisNode(int index) => Catalogue.RedisNode(index);
    public string SessionTable => Catalogue.SessionTable;
    public string LogGroup(string name) => $"/fintech/{Env}/{name}";
    public string AuditAnchorLogGroup => LogGroup("audit-anchors");

    /// <summary>The Object Lock bucket of the audit anchors: bucket names are global, so the account is part of it
    /// (IAM scopes the portal's PutObject to this name in portal-aws-actions.json).</summary>
    public string AuditAnchorBucket(string account) => $"{Prefix}-audit-anchors-{account}";
    public string Secret(string name) => $"fintech/{Env}/{name}";
    public string Alarm(string name) => Catalogue.Alarm(name);
    public string KeyAlias(string name) => $"alias/fintech/{Env}/{name}";
}

/// <summary>What every stack of one environment needs to know.</summary>
public sealed record EnvironmentContext(string Key, EnvironmentConfig Config, Names Names, OrganizationConfig Organization)
{
    public Amazon.CDK.Environment AwsEnvironment => new() { Account = Config.Account, Region = Config.Region };
}
