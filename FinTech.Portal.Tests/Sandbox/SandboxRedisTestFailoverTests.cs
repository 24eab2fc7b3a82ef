using FinTech.Portal.Platform;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>ElastiCache <c>TestFailover</c>, <c>DescribeReplicationGroups</c> and <c>DescribeEvents</c> as the Sandbox plays them, on a fake clock.</summary>
public class SandboxRedisTestFailoverTests
{
    // For seed 20261124 the first test failover promotes after 14 s, recovery starts 8 s later and takes 132 s.
    private static readonly TimeSpan Promotion = TimeSpan.FromSeconds(14);
    private static readonly TimeSpan RecoveryStart = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(132);

    private static readonly TestFailoverRequest Request = new() { ReplicationGroupId = "fintech-redis", NodeGroupId = "0001" };

    [Fact]
    public async Task A_test_failover_reports_its_four_events_at_their_seeded_times()
    {
        var platform = new SandboxTestPlatform();
        var cache = platform.Platform.ElastiCache;
        var start = platform.Now;

        var response = await cache.TestFailoverAsync(Request);
        platform.Advance(TimeSpan.FromMinutes(10));
        var events = await cache.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start });

        Assert.Equal("modifying", response.ReplicationGroup.Status);
        Assert.Equal(
            [
                (start, "replication-group", "fintech-redis", "Test Failover API called for node group 0001"),
                (start + Promotion, "replication-group", "fintech-redis", "Failover from primary node fintech-redis-001 to replica node fintech-redis-002 completed"),
                (start + Promotion + RecoveryStart, "cache-cluster", "fintech-redis-001", "Recovering cache nodes 0001"),
                (start + Promotion + RecoveryStart + Recovery, "cache-cluster", "fintech-redis-001", "Finished recovery for cache nodes 0001"),
            ],
            events.Events.Select(e => (e.Date, e.SourceType, e.SourceIdentifier, e.Message)));
    }

    [Fact]
    public async Task Events_appear_only_once_their_step_has_happened()
    {
        var platform = new SandboxTestPlatform();
        var cache = platform.Platform.ElastiCache;
        var start = platform.Now;
        await cache.TestFailoverAsync(Request);

        platform.Advance(Promotion - TimeSpan.FromSeconds(1));
        var beforePromotion = await cache.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start });
        platform.Advance(TimeSpan.FromSeconds(1));
        var atPromotion = await cache.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, SourceType = SourceType.ReplicationGroup });
        var nodeEvents = await cache.DescribeEventsAsync(new DescribeEventsRequest { StartTime = start, SourceType = SourceType.CacheCluster });

        Assert.Single(beforePromotion.Events);
        Assert.Equal(2, atPromotion.Events.Count);
        Assert.Empty(nodeEvents.Events);
    }

    [Fact]
    public async Task The_group_is_modifying_until_recovery_finishes_and_a_test_failover_meanwhile_is_refused()
    {
        var platform = new SandboxTestPlatform();
        var cache = platform.Platform.ElastiCache;
        await cache.TestFailoverAsync(Request);
        platform.Advance(Promotion + RecoveryStart + Recovery - TimeSpan.FromSeconds(1));

        var group = (await cache.DescribeReplicationGroupsAsync(new DescribeReplicationGroupsRequest { ReplicationGroupId = "fintech-redis" })).ReplicationGroups.Single();
        var refusal = await Assert.ThrowsAsync<InvalidReplicationGroupStateException>(() => cache.TestFailoverAsync(Request));
        platform.Advance(TimeSpan.FromSeconds(1));
        var available = (await cache.DescribeReplicationGroupsAsync(new DescribeReplicationGroupsRequest())).ReplicationGroups.Single();

        Assert.Equal("modifying", group.Status);
        Assert.Equal(["replica", "primary"], group.NodeGroups.Single().NodeGroupMembers.Select(m => m.CurrentRole));
        Assert.Equal(("InvalidReplicationGroupState", System.Net.HttpStatusCode.BadRequest), (refusal.ErrorCode, refusal.StatusCode));
        Assert.Contains("is not available: it is modifying", refusal.Message);
        Assert.Single(platform.Platform.RedisFailovers);
        Assert.Equal("available", available.Status);
        Assert.Equal("enabled", available.AutomaticFailover);
        await cache.TestFailoverAsync(Request);
        Assert.Equal(2, platform.Platform.RedisFailovers.Count);
    }

    [Fact]
    public async Task The_sixteenth_test_failover_in_24_hours_is_refused_and_allowed_again_once_the_first_leaves_the_window()
    {
        var platform = new SandboxTestPlatform();
        var cache = platform.Platform.ElastiCache;
        var first = platform.Now;
        for (var i = 0; i < 15; i++)
        {
            await cache.TestFailoverAsync(Request);
            platform.Advance(TimeSpan.FromMinutes(30));
        }
        // 15 calls at 10:00, 10:30, ... 17:00. The first counts until 10:00 the next day.
        platform.Advance(first.AddHours(24) - platform.Now - TimeSpan.FromTicks(1));

        var refusal = await Assert.ThrowsAsync<TestFailoverNotAvailableException>(() => cache.TestFailoverAsync(Request));
        platform.Advance(TimeSpan.FromTicks(1));
        var response = await cache.TestFailoverAsync(Request);

        Assert.Equal(("TestFailoverNotAvailableFault", System.Net.HttpStatusCode.BadRequest), (refusal.ErrorCode, refusal.StatusCode));
        Assert.Equal(
            "Test failover is not available: 15 node groups were failed over in the last 24 hours and ElastiCache allows 15. The next test failover is possible at 2026-11-25 10:00:00 UTC.",
            refusal.Message);
        Assert.Equal("modifying", response.ReplicationGroup.Status);
        Assert.Equal(16, platform.Platform.RedisFailovers.Count);
    }

    [Fact]
    public async Task Unknown_groups_and_node_groups_are_reported_with_the_ElastiCache_fault_codes()
    {
        var platform = new SandboxTestPlatform();
        var cache = platform.Platform.ElastiCache;

        var group = await Assert.ThrowsAsync<ReplicationGroupNotFoundException>(() => cache.TestFailoverAsync(Request with { ReplicationGroupId = "sessions" }));
        var nodeGroup = await Assert.ThrowsAsync<NodeGroupNotFoundException>(() => cache.TestFailoverAsync(Request with { NodeGroupId = "0002" }));

        Assert.Equal(("ReplicationGroupNotFoundFault", System.Net.HttpStatusCode.NotFound), (group.ErrorCode, group.StatusCode));
        Assert.Equal("NodeGroupNotFoundFault", nodeGroup.ErrorCode);
        Assert.Empty(platform.Platform.RedisFailovers);
    }

    [Fact]
    public void Redis_writes_fail_until_clients_follow_the_primary_endpoint_and_the_cache_metrics_dip_only_then()
    {
        var platform = new SandboxTestPlatform();
        var twin = new SandboxTestPlatform();
        var failover = platform.Platform.TestRedisFailover();
        platform.Advance(TimeSpan.FromMinutes(5));
        twin.Advance(TimeSpan.FromMinutes(5));

        var samples = platform.Platform.WriteProbe.Samples(new WriteProbeRequest(WriteProbeTarget.RedisPrimary, failover.StartedAt, failover.StartedAt.AddMinutes(2)));
        var failed = samples.Where(s => !s.Succeeded).ToList();
        var hitRate = platform.Node("CacheHitRate", "fintech-redis-002", Statistic.Average);
        double At(SandboxTestPlatform p, DateTimeOffset minute) => p.Series(hitRate, minute, minute.AddMinutes(1)).Points.Single().Value;

        Assert.Equal(failover.StartedAt.AddSeconds(1), failed[0].Time);
        Assert.Equal(failover.PromotedAt.AddSeconds(2), failed[^1].Time);
        Assert.Equal((int)Promotion.TotalSeconds + 2, failed.Count);
        Assert.Contains("Connection reset by peer", failed[0].Error);
        Assert.StartsWith("READONLY You can't write against a read only replica.", failed[^1].Error);
        Assert.True(At(platform, SandboxTestPlatform.TuesdayMorning) < At(twin, SandboxTestPlatform.TuesdayMorning) - 3);
        Assert.Equal(At(twin, SandboxTestPlatform.TuesdayMorning.AddMinutes(3)), At(platform, SandboxTestPlatform.TuesdayMorning.AddMinutes(3)));
    }
}
