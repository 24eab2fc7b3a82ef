using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.ElastiCache;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.RDS;
using Constructs;
using DynamoAttribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace FinTech.Infra.Stacks;

/// <summary>
/// Aurora PostgreSQL (writer + reader in different AZs, CMK-encrypted, IAM auth, RDS-managed master secret),
/// ElastiCache Redis (Multi-AZ, automatic failover, TLS, at-rest encryption, AUTH token from Secrets Manager)
/// and the DynamoDB session table. L1 constructs for Aurora and Redis: the physical names, the managed master
/// secret and the per-instance AZs are set exactly as the portal's configuration and IAM scoping expect.
/// </summary>
public sealed class DataStack : Stack
{
    public CfnDBCluster Aurora { get; }
    public IReadOnlyList<CfnDBInstance> AuroraInstances { get; }
    public CfnReplicationGroup Redis { get; }
    public Table SessionTable { get; }

    /// <summary>The database the cluster creates, which the portal uses.</summary>
    public const string PortalDatabaseName = "portal";

    /// <summary>The RDS-managed master secret (JSON: username, password), created and rotated by RDS.</summary>
    public string MasterSecretArn => Aurora.AttrMasterUserSecretSecretArn;

    public DataStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, NetworkStack network, IStackProps props)
        : base(scope, id, props)
    {
        var config = env.Config;
        var names = env.Names;
        var dataSubnets = network.Vpc.SelectSubnets(NetworkStack.Data).SubnetIds;
        var removal = config.IsProduction ? RemovalPolicy.RETAIN : RemovalPolicy.SNAPSHOT;

        var dbSubnets = new CfnDBSubnetGroup(this, "AuroraSubnets", new CfnDBSubnetGroupProps
        {
            DbSubnetGroupDescription = $"{names.AuroraCluster} private data subnets",
            SubnetIds = dataSubnets,
        });
        var parameters = new CfnDBClusterParameterGroup(this, "AuroraParameters", new CfnDBClusterParameterGroupProps
        {
            Description = "FinTech Aurora PostgreSQL: TLS required",
            Family = $"aurora-postgresql{config.AuroraEngineVersion.Split('.')[0]}",
            Parameters = new Dictionary<string, object> { ["rds.force_ssl"] = "1" },
        });

        Aurora = new CfnDBCluster(this, "Aurora", new CfnDBClusterProps
        {
            DbClusterIdentifier = names.AuroraCluster,
            Engine = "aurora-postgresql",
            EngineVersion = config.AuroraEngineVersion,
            DatabaseName = PortalDatabaseName,
            Port = NetworkStack.PostgresPort,
            MasterUsername = "fintech_admin",
            // RDS creates and rotates the master secret itself (every 7 days), encrypted with our secrets key.
            ManageMasterUserPassword = true,
            MasterUserSecret = new CfnDBCluster.MasterUserSecretProperty { KmsKeyId = security.SecretsKey.KeyArn },
            StorageEncrypted = true,
            KmsKeyId = security.DataKey.KeyArn,
            EnableIamDatabaseAuthentication = true,
            DeletionProtection = true,
            BackupRetentionPeriod = config.BackupRetentionDays,
            PreferredBackupWindow = "02:00-03:00",
            PreferredMaintenanceWindow = "sun:03:30-sun:04:30",
            CopyTagsToSnapshot = true,
            DbSubnetGroupName = dbSubnets.Ref,
            DbClusterParameterGroupName = parameters.Ref,
            VpcSecurityGroupIds = [network.AuroraSecurityGroup.SecurityGroupId],
            EnableCloudwatchLogsExports = ["postgresql"],
        });
        Aurora.ApplyRemovalPolicy(removal);

        // The managed secret gets a resource policy like every other secret: only the portal's execution role
        // and the write-probe canary's (which inject the fields into their tasks) read the value; RDS rotates it as an AWS service.
        _ = new Amazon.CDK.AWS.SecretsManager.CfnResourcePolicy(this, "MasterSecretPolicy", new Amazon.CDK.AWS.SecretsManager.CfnResourcePolicyProps
        {
            SecretId = MasterSecretArn,
            BlockPublicPolicy = true,
            ResourcePolicy = new Amazon.CDK.AWS.IAM.PolicyDocument(new Amazon.CDK.AWS.IAM.PolicyDocumentProps
            {
                Statements = [SecurityStack.OnlyReadersStatement(Partition, config.Account,
                    $"arn:{Partition}:iam::{config.Account}:role/{names.ExecutionRole("portal")}",
                    $"arn:{Partition}:iam::{config.Account}:role/{names.ExecutionRole(WriteProbeService.ServiceKey)}")],
            }),
        });

        // The log group RDS exports PostgreSQL logs to, created first so that it has retention and KMS.
        var auroraLogs = new LogGroup(this, "AuroraLogs", new LogGroupProps
        {
            LogGroupName = $"/aws/rds/cluster/{names.AuroraCluster}/postgresql",
            Retention = Retention.Days(config.LogRetentionDays),
            EncryptionKey = security.LogsKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        Aurora.Node.AddDependency(auroraLogs);

        // Writer in the first AZ, reader in the second: a failover promotes the reader in another AZ.
        AuroraInstances = Enumerable.Range(0, 2).Select(i =>
        {
            var instance = new CfnDBInstance(this, $"AuroraInstance{i + 1}", new CfnDBInstanceProps
            {
                DbInstanceIdentifier = names.AuroraInstance(i),
                DbClusterIdentifier = Aurora.Ref,
                Engine = "aurora-postgresql",
                DbInstanceClass = config.AuroraInstanceClass,
                AvailabilityZone = config.AvailabilityZones[i],
                PubliclyAccessible = false,
                PromotionTier = i,
                EnablePerformanceInsights = true,
                PerformanceInsightsKmsKeyId = security.DataKey.KeyArn,
                AutoMinorVersionUpgrade = true,
            });
            instance.ApplyRemovalPolicy(removal == RemovalPolicy.SNAPSHOT ? RemovalPolicy.DESTROY : removal);
            return instance;
        }).ToArray();

        var cacheSubnets = new Amazon.CDK.AWS.ElastiCache.CfnSubnetGroup(this, "RedisSubnets", new Amazon.CDK.AWS.ElastiCache.CfnSubnetGroupProps
        {
            Description = $"{names.RedisReplicationGroup} private data subnets",
            SubnetIds = dataSubnets,
        });
        Redis = new CfnReplicationGroup(this, "Redis", new CfnReplicationGroupProps
        {
            ReplicationGroupId = names.RedisReplicationGroup,
            ReplicationGroupDescription = $"FinTech {config.DisplayName} cache",
            Engine = "redis",
            EngineVersion = config.RedisEngineVersion,
            CacheNodeType = config.RedisNodeType,
            NumCacheClusters = 2,
            PreferredCacheClusterAZs = config.AvailabilityZones.Take(2).ToArray(),
            AutomaticFailoverEnabled = true,
            MultiAzEnabled = true,
            TransitEncryptionEnabled = true,
            AtRestEncryptionEnabled = true,
            KmsKeyId = security.DataKey.KeyArn,
            AuthToken = security.RedisAuthToken.SecretValue.UnsafeUnwrap(),
            Port = NetworkStack.RedisPort,
            CacheSubnetGroupName = cacheSubnets.Ref,
            SecurityGroupIds = [network.RedisSecurityGroup.SecurityGroupId],
            SnapshotRetentionLimit = config.BackupRetentionDays,
            SnapshotWindow = "02:00-03:00",
            PreferredMaintenanceWindow = "sun:04:30-sun:05:30",
            AutoMinorVersionUpgrade = true,
        });
        Redis.ApplyRemovalPolicy(removal);

        SessionTable = new Table(this, "Sessions", new TableProps
        {
            TableName = names.SessionTable,
            PartitionKey = new DynamoAttribute { Name = "pk", Type = AttributeType.STRING },
            SortKey = new DynamoAttribute { Name = "sk", Type = AttributeType.STRING },
            BillingMode = BillingMode.PAY_PER_REQUEST,
            PointInTimeRecovery = true,
            Encryption = TableEncryption.CUSTOMER_MANAGED,
            EncryptionKey = security.DataKey,
            TimeToLiveAttribute = "expiresAt",
            DeletionProtection = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }
}
