using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxTopologyTests
{
    [Fact]
    public async Task ECS_describes_the_API_service_with_its_tasks_and_task_definition()
    {
        var platform = new SandboxTestPlatform();

        var answer = await platform.Platform.Ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = "fintech-sandbox", Services = ["fintech-sandbox-api", "nope"] });

        var service = Assert.Single(answer.Services);
        Assert.Equal(("fintech-sandbox-api", "ACTIVE", 6, 6, 0), (service.ServiceName, service.Status, service.DesiredCount, service.RunningCount, service.PendingCount));
        Assert.Equal("arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:42", service.TaskDefinition);
        Assert.Equal("arn:aws:ecs:eu-west-1:111122223333:service/fintech-sandbox/fintech-sandbox-api", service.ServiceArn);
        Assert.Equal("PRIMARY", Assert.Single(service.Deployments).Status);
        var failure = Assert.Single(answer.Failures);
        Assert.Equal("MISSING", failure.Reason);
    }

    [Fact]
    public async Task DynamoDB_describes_the_session_table_and_its_point_in_time_recovery()
    {
        var platform = new SandboxTestPlatform();

        var table = (await platform.Platform.DynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = "fintech-sandbox-sessions" })).Table;
        var backups = (await platform.Platform.DynamoDb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = "fintech-sandbox-sessions" })).ContinuousBackupsDescription;

        Assert.Equal(("fintech-sandbox-sessions", "ACTIVE", "PAY_PER_REQUEST"), (table.TableName, table.TableStatus, table.BillingModeSummary!.BillingMode));
        Assert.True(table.ItemCount > 0);
        Assert.Equal("ENABLED", backups.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus);
    }

    [Fact]
    public async Task An_unknown_table_is_a_ResourceNotFoundException_as_DynamoDB_answers()
    {
        var platform = new SandboxTestPlatform();

        var error = await Assert.ThrowsAsync<PlatformServiceException>(() => platform.Platform.DynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = "other" }));

        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
    }

    [Fact]
    public void A_crash_loop_shows_in_the_service_task_counts()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.SetFault(SandboxFault.TaskCrashLoop, on: true);
        platform.Advance(TimeSpan.FromMinutes(3));

        var service = platform.Platform.Ecs.DescribeServices(new DescribeServicesRequest { Cluster = "fintech-sandbox", Services = ["fintech-sandbox-api"] }).Services.Single();

        Assert.Equal(6, service.DesiredCount);
        Assert.InRange(service.RunningCount, 2, 4);
        Assert.Equal(6 - service.RunningCount, service.PendingCount);
    }

    [Fact]
    public void The_topology_shows_an_Aurora_failover_while_it_runs_and_the_new_writer_once_it_completes()
    {
        var platform = new SandboxTestPlatform();

        var failover = platform.Platform.FailoverAuroraCluster();
        var during = platform.Platform.Topology.Describe().Database;
        platform.Advance(failover.Duration - TimeSpan.FromTicks(1));
        var justBefore = platform.Platform.Topology.Describe().Database;
        platform.Advance(TimeSpan.FromTicks(1));
        var after = platform.Platform.Topology.Describe().Database;

        Assert.Equal(("fintech-sandbox-aurora-1", "fintech-sandbox-aurora-2"), (failover.FromInstance, failover.ToInstance));
        Assert.Equal("failing-over", during.Status);
        Assert.Equal("fintech-sandbox-aurora-1", during.Writer?.InstanceIdentifier);
        Assert.Equal(["rebooting", "available"], during.Members.Select(m => m.Status));
        Assert.Equal(during.Status, justBefore.Status);
        Assert.Equal(during.Members, justBefore.Members);
        Assert.Equal("available", after.Status);
        Assert.Equal([false, true], after.Members.Select(m => m.IsWriter));
        Assert.Equal(["available", "available"], after.Members.Select(m => m.Status));
        Assert.Equal("fintech-sandbox-aurora-2", platform.Platform.AuroraWriter);
    }

    [Fact]
    public void The_topology_shows_a_Redis_test_failover_from_the_call_through_the_promotion_to_the_end_of_recovery()
    {
        var platform = new SandboxTestPlatform();

        var failover = platform.Platform.TestRedisFailover();
        var called = platform.Platform.Topology.Describe().Cache;
        platform.Advance(failover.PromotedAt - platform.Now);
        var promoted = platform.Platform.Topology.Describe().Cache;
        platform.Advance(failover.RecoveringAt - platform.Now);
        var recovering = platform.Platform.Topology.Describe().Cache;
        platform.Advance(failover.FinishedAt - platform.Now);
        var finished = platform.Platform.Topology.Describe().Cache;

        Assert.Equal(("modifying", "fintech-sandbox-redis-001", "modifying"), (called.Status, called.Primary?.CacheClusterId, called.Nodes[0].Status));
        Assert.Equal(("modifying", "fintech-sandbox-redis-002", "modifying"), (promoted.Status, promoted.Primary?.CacheClusterId, promoted.Nodes[0].Status));
        Assert.Equal(("modifying", "fintech-sandbox-redis-002", "rebooting cluster nodes"), (recovering.Status, recovering.Primary?.CacheClusterId, recovering.Nodes[0].Status));
        Assert.Equal(("available", "fintech-sandbox-redis-002", "available"), (finished.Status, finished.Primary?.CacheClusterId, finished.Nodes[0].Status));
        Assert.Equal(RedisNodeRole.Replica, finished.Nodes[0].Role);
    }

    [Fact]
    public void After_an_Aurora_failover_the_new_writer_s_metrics_look_like_a_writer_s_and_the_old_writer_s_like_a_reader_s()
    {
        var platform = new SandboxTestPlatform();
        var failover = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(3));

        var oldWriterLag = platform.Series(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-1", Statistic.Average), TimeSpan.FromMinutes(10)).Points;
        var newWriterLag = platform.Series(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average), TimeSpan.FromMinutes(10)).Points;
        var newWriterCommits = platform.Series(platform.Instance("CommitLatency", "fintech-sandbox-aurora-2", Statistic.Average), TimeSpan.FromMinutes(10)).Points;

        // The minute the failover completes in is the new writer's when it completes in its first half (a minute is judged at its middle).
        var completedMinute = new DateTimeOffset(failover.CompletedAt.Ticks - failover.CompletedAt.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var switchedAt = failover.CompletedAt.Second < 30 ? completedMinute : completedMinute.AddMinutes(1);
        Assert.All(oldWriterLag, p => Assert.True(p.Timestamp >= switchedAt));
        Assert.All(newWriterLag, p => Assert.True(p.Timestamp < switchedAt));
        Assert.All(newWriterCommits, p => Assert.True(p.Timestamp >= switchedAt));
        Assert.Equal((int)(platform.Now - switchedAt).TotalMinutes, oldWriterLag.Count);
        Assert.Equal(
            platform.Latest(platform.Instance("CPUUtilization", "fintech-sandbox-aurora-2", Statistic.Average)),
            platform.Latest(platform.Role("CPUUtilization", "WRITER", Statistic.Average)));
        Assert.Equal(
            platform.Latest(platform.Instance("DatabaseConnections", "fintech-sandbox-aurora-1", Statistic.Average)),
            platform.Latest(platform.Role("DatabaseConnections", "READER", Statistic.Average)));
        Assert.True(
            platform.Latest(platform.Instance("CPUUtilization", "fintech-sandbox-aurora-2", Statistic.Average))
            > platform.Latest(platform.Instance("CPUUtilization", "fintech-sandbox-aurora-1", Statistic.Average)));
    }

    [Fact]
    public void Failing_over_twice_returns_the_writer_role_to_the_first_instance()
    {
        var platform = new SandboxTestPlatform();

        platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(5));
        var second = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(("fintech-sandbox-aurora-2", "fintech-sandbox-aurora-1"), (second.FromInstance, second.ToInstance));
        Assert.True(double.IsNaN(LatestOrNaN(platform, platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-1", Statistic.Average))));
        Assert.InRange(platform.Latest(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average)), 5, 35);
    }

    [Fact]
    public void A_Redis_test_failover_makes_the_replica_the_primary_and_moves_the_primary_s_metrics_with_it()
    {
        var platform = new SandboxTestPlatform();

        var failover = platform.Platform.TestRedisFailover();
        platform.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(("fintech-sandbox-redis-001", "fintech-sandbox-redis-002"), (failover.FromNode, failover.ToNode));
        Assert.Equal("fintech-sandbox-redis-002", platform.Platform.Topology.Describe().Cache.Primary?.CacheClusterId);
        Assert.InRange(platform.Latest(platform.Node("ReplicationLag", "fintech-sandbox-redis-001", Statistic.Average)), 0.005, 0.05);
        Assert.True(double.IsNaN(LatestOrNaN(platform, platform.Node("ReplicationLag", "fintech-sandbox-redis-002", Statistic.Average))));
        Assert.True(
            platform.Latest(platform.Node("CurrConnections", "fintech-sandbox-redis-002", Statistic.Average))
            > platform.Latest(platform.Node("CurrConnections", "fintech-sandbox-redis-001", Statistic.Average)));
        Assert.True(
            platform.Latest(platform.Node("EngineCPUUtilization", "fintech-sandbox-redis-002", Statistic.Average))
            > platform.Latest(platform.Node("EngineCPUUtilization", "fintech-sandbox-redis-001", Statistic.Average)));
    }

    [Fact]
    public void A_failover_to_an_unknown_member_or_to_the_current_writer_is_refused_with_the_RDS_fault()
    {
        var platform = new SandboxTestPlatform();

        var unknown = Assert.Throws<DBInstanceNotFoundException>(() => platform.Platform.FailoverAuroraCluster("fintech-sandbox-aurora-7"));
        var writer = Assert.Throws<InvalidDBInstanceStateException>(() => platform.Platform.FailoverAuroraCluster("fintech-sandbox-aurora-1"));

        Assert.Equal("DBInstanceNotFound", unknown.ErrorCode);
        Assert.Contains("fintech-sandbox-aurora-1, fintech-sandbox-aurora-2", unknown.Message);
        Assert.Equal("InvalidDBInstanceState", writer.ErrorCode);
        Assert.Equal("fintech-sandbox-aurora-1", platform.Platform.AuroraWriter);
        Assert.Empty(platform.Platform.AuroraFailovers);
    }

    [Fact]
    public void A_cluster_of_one_instance_has_nothing_to_fail_over_to()
    {
        var resources = new PlatformResources { AuroraInstances = ["solo-1"], RedisNodes = ["solo-redis-001"] };
        var platform = new SandboxTestPlatform(resources: resources);

        Assert.Contains("no reader", Assert.Throws<InvalidDBClusterStateException>(() => platform.Platform.FailoverAuroraCluster()).Message);
        Assert.Contains("no replica", Assert.Throws<InvalidReplicationGroupStateException>(() => platform.Platform.TestRedisFailover()).Message);
        Assert.Empty(platform.Series(platform.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum), TimeSpan.FromMinutes(5)).Points);
        Assert.Equal(5, platform.Series(platform.Instance("CPUUtilization", "solo-1", Statistic.Average), TimeSpan.FromMinutes(5)).Points.Count);
    }

    private static double LatestOrNaN(SandboxTestPlatform platform, MetricQuery query) =>
        platform.Series(query, TimeSpan.FromMinutes(1)).Points.SingleOrDefault(new MetricPoint(default, double.NaN)).Value;
}
