using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
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
        Assert.Equal("arn:aws:ecs:eu-west-1:000000000000:task-definition/fintech-api:42", service.TaskDefinition);
        Assert.Equal("arn:aws:ecs:eu-west-1:000000000000:service/fintech-sandbox/fintech-sandbox-api", service.ServiceArn);
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
    public void An_Aurora_failover_makes_the_reader_the_writer_at_once()
    {
        var platform = new SandboxTestPlatform();

        var writer = platform.Platform.FailoverAuroraCluster();

        Assert.Equal("fintech-sandbox-aurora-2", writer);
        Assert.Equal("fintech-sandbox-aurora-2", platform.Platform.AuroraWriter);
    }

    [Fact]
    public void After_an_Aurora_failover_the_new_writer_s_metrics_look_like_a_writer_s_and_the_old_writer_s_like_a_reader_s()
    {
        var platform = new SandboxTestPlatform();
        platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(3));

        var oldWriterLag = platform.Series(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-1", Statistic.Average), TimeSpan.FromMinutes(10)).Points;
        var newWriterLag = platform.Series(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average), TimeSpan.FromMinutes(10)).Points;
        var newWriterCommits = platform.Series(platform.Instance("CommitLatency", "fintech-sandbox-aurora-2", Statistic.Average), TimeSpan.FromMinutes(10)).Points;

        // Before the failover aurora-1 wrote and aurora-2 replicated; from the next minute on the other way round.
        var switchedAt = SandboxTestPlatform.TuesdayMorning.AddMinutes(1);
        Assert.All(oldWriterLag, p => Assert.True(p.Timestamp >= switchedAt));
        Assert.All(newWriterLag, p => Assert.True(p.Timestamp < switchedAt));
        Assert.All(newWriterCommits, p => Assert.True(p.Timestamp >= switchedAt));
        Assert.Equal(2, oldWriterLag.Count);
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
    public void A_failover_disturbs_the_minute_the_new_writer_takes_over_and_then_the_platform_settles()
    {
        var platform = new SandboxTestPlatform();
        var twin = new SandboxTestPlatform();
        platform.Advance(TimeSpan.FromSeconds(20));
        platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromSeconds(160));
        twin.Advance(TimeSpan.FromSeconds(180));
        var takeover = SandboxTestPlatform.TuesdayMorning.AddMinutes(1);
        double At(SandboxTestPlatform p, MetricQuery query, DateTimeOffset minute) => p.Series(query, minute, minute.AddMinutes(1)).Points.Single().Value;

        var failed = platform.Business("TransactionsFailed", Statistic.Sum);
        var writerConnections = platform.Role("DatabaseConnections", "WRITER", Statistic.Average);
        Assert.True(At(platform, failed, takeover) > At(twin, failed, takeover) * 2);
        Assert.True(At(platform, writerConnections, takeover) < At(twin, writerConnections, takeover) * 0.7);
        Assert.Equal(At(twin, failed, takeover.AddMinutes(1)), At(platform, failed, takeover.AddMinutes(1)));
        Assert.All(platform.Platform.CloudWatch.Alarms, alarm => Assert.Equal(StateValue.Ok, alarm.StateValue));
    }

    [Fact]
    public void Failing_over_twice_returns_the_writer_role_to_the_first_instance()
    {
        var platform = new SandboxTestPlatform();

        platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(5));
        var writer = platform.Platform.FailoverAuroraCluster();
        platform.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("fintech-sandbox-aurora-1", writer);
        Assert.True(double.IsNaN(LatestOrNaN(platform, platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-1", Statistic.Average))));
        Assert.InRange(platform.Latest(platform.Instance("AuroraReplicaLag", "fintech-sandbox-aurora-2", Statistic.Average)), 5, 35);
    }

    [Fact]
    public void A_Redis_promotion_makes_the_replica_the_primary_and_moves_the_primary_s_metrics_with_it()
    {
        var platform = new SandboxTestPlatform();

        var primary = platform.Platform.PromoteRedisReplica("fintech-sandbox-redis-002");
        platform.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal("fintech-sandbox-redis-002", primary);
        Assert.Equal("fintech-sandbox-redis-002", platform.Platform.RedisPrimary);
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
    public void A_failover_to_an_unknown_member_or_to_the_current_holder_is_refused()
    {
        var platform = new SandboxTestPlatform();

        Assert.Contains("fintech-sandbox-aurora-1, fintech-sandbox-aurora-2", Assert.Throws<ArgumentException>(() => platform.Platform.FailoverAuroraCluster("fintech-sandbox-aurora-7")).Message);
        Assert.Throws<InvalidOperationException>(() => platform.Platform.PromoteRedisReplica("fintech-sandbox-redis-001"));
        Assert.Equal("fintech-sandbox-aurora-1", platform.Platform.AuroraWriter);
    }

    [Fact]
    public void A_cluster_of_one_instance_has_nothing_to_fail_over_to()
    {
        var resources = new PlatformResources { AuroraInstances = ["solo-1"], RedisNodes = ["solo-redis-001"] };
        var platform = new SandboxTestPlatform(resources: resources);

        Assert.Throws<InvalidOperationException>(() => platform.Platform.FailoverAuroraCluster());
        Assert.Empty(platform.Series(platform.Cluster("AuroraReplicaLagMaximum", Statistic.Maximum), TimeSpan.FromMinutes(5)).Points);
        Assert.Equal(5, platform.Series(platform.Instance("CPUUtilization", "solo-1", Statistic.Average), TimeSpan.FromMinutes(5)).Points.Count);
    }

    private static double LatestOrNaN(SandboxTestPlatform platform, MetricQuery query) =>
        platform.Series(query, TimeSpan.FromMinutes(1)).Points.SingleOrDefault(new MetricPoint(default, double.NaN)).Value;
}
