using System.Globalization;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.ElastiCache;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Operations.Failover;

/// <summary>
/// A failover test of the ElastiCache Redis replication group: <c>TestFailover</c> of node group
/// 0001, then the group's events through "Failover from primary node … completed" (the new
/// primary) to "Finished recovery for cache nodes …", then the measured impact against the RTO.
/// TestFailover takes no client token, so a restart describes the events before it acts.
/// </summary>
public sealed class RedisFailoverTest(PlatformRegistry platforms, IOptions<OperationsOptions> options) : IOperationKind
{
    public const string KindKey = "redis-failover-test";

    /// <summary>Node groups the group has (cluster mode disabled: one).</summary>
    public const string NodeGroupId = "0001";

    /// <summary>TestFailover's documented limit: node groups per rolling 24 hours.</summary>
    public const int DailyQuota = 15;

    private const string RequestedAt = "testFailoverRequestedAt";
    private const string OriginalPrimary = "originalPrimary";
    private const string NewPrimary = "newPrimary";
    private const string PrimaryAt = "newPrimaryAt";

    private FailoverTestOptions Options => options.Value.Failover;

    public string Key => KindKey;

    public string DisplayName => "Redis failover test";

    public TimeSpan VerificationWindow => Options.VerificationWindow;

    public IReadOnlyList<string> Targets(PortalEnvironment environment) =>
        platforms.Connect(environment).Has<IElastiCache>() ? [environment.Resources.RedisReplicationGroup] : [];

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) =>
    [
        ResourceKeys.RedisReplicationGroup(environment.Key, target),
        ResourceKeys.CredentialsSecret(environment.Key, target),
        ResourceKeys.EcsService(environment.Key, environment.Resources.EcsCluster, environment.Resources.EcsService),
    ];

    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) =>
        // The catalogue's alarms, named with the environment's prefix (the Sandbox's and the stacks' alike).
        [environment.Resources.AlarmName("api-unhealthy-hosts"), environment.Resources.AlarmName("transactions-failure-rate")];

    public async Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var group = await DescribeAsync(context, cancellationToken);
        return new TargetSnapshot(new Dictionary<string, string>
        {
            ["status"] = group.Status,
            ["primary"] = PrimaryOf(group) ?? "none",
            ["members"] = string.Join(",", group.MemberClusters.Order(StringComparer.Ordinal)),
            ["automaticFailover"] = group.AutomaticFailover,
        });
    }

    public async Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken)
    {
        ReplicationGroup group;
        try
        {
            group = await DescribeAsync(context, cancellationToken);
        }
        catch (PlatformServiceException e)
        {
            return [new PreflightCheck("Replication group available", false, $"{e.ErrorCode}: {e.Message}")];
        }
        var checks = new List<PreflightCheck>
        {
            new("Replication group available", group.Status == "available",
                group.Status == "available" ? $"{group.ReplicationGroupId} is available." : $"{group.ReplicationGroupId} is {group.Status}; TestFailover needs it available."),
            new("Automatic failover", group.AutomaticFailover == "enabled", $"Automatic failover is {group.AutomaticFailover}."),
        };
        var predicted = PredictNewPrimary(group);
        checks.Add(predicted is null
            ? new PreflightCheck("Replica to promote", false, "Node group 0001 has no replica that could become the primary.")
            : new PreflightCheck("Replica to promote", true, $"Predicted new primary: {predicted} (now {PrimaryOf(group)})."));
        var used = await TestFailoversInLastDayAsync(context, cancellationToken);
        checks.Add(new PreflightCheck("TestFailover quota", used < DailyQuota,
            string.Create(CultureInfo.InvariantCulture, $"{used} of {DailyQuota} test failovers used in the last 24 hours; {Math.Max(0, DailyQuota - used)} left.")));
        return checks;
    }

    public async Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var group = await DescribeAsync(context, cancellationToken);
        var predicted = PredictNewPrimary(group) ?? "none";
        return new OperationPlan(
        [
            "Check again right before acting: group available, quota left, no stop condition in ALARM.",
            $"Call TestFailover on {group.ReplicationGroupId}, node group {NodeGroupId}, promoting {predicted}.",
            "Follow the group's events to \"Finished recovery for cache nodes\", watching the stop conditions.",
            $"Watch the stop conditions for {Options.VerificationWindow.TotalSeconds:0} s more, then measure write unavailability, 5xx and p99 against the baseline.",
            $"Verdict against the RTO objective of {Options.RtoObjective.TotalSeconds:0} s.",
        ], new Dictionary<string, string> { ["currentPrimary"] = PrimaryOf(group) ?? "none", ["newPrimary"] = predicted });
    }

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var cache = execution.Platform.Get<IElastiCache>();
        if (!execution.Checkpoint.ContainsKey(OriginalPrimary))
        {
            await execution.SaveAsync(OriginalPrimary, PrimaryOf(await DescribeAsync(execution, cancellationToken)) ?? "none", cancellationToken);
        }
        if (!execution.Checkpoint.ContainsKey(RequestedAt) || !await AcceptedAsync(execution, cache, cancellationToken))
        {
            await execution.RecordCallAsync(RequestedAt, $"TestFailover(ReplicationGroupId={execution.Target}, NodeGroupId={NodeGroupId})", cancellationToken);
            try
            {
                await cache.TestFailoverAsync(new TestFailoverRequest { ReplicationGroupId = execution.Target, NodeGroupId = NodeGroupId }, cancellationToken);
            }
            catch (PlatformServiceException e)
            {
                throw new OperationFailedException($"ElastiCache refused TestFailover: {e.ErrorCode}: {e.Message}", e);
            }
        }
        var requestedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RequestedAt]);
        while (true)
        {
            var events = await EventsSinceAsync(execution, cache, requestedAt, cancellationToken);
            foreach (var e in events)
            {
                await execution.RecordEventAsync($"{e.Date.ToUnixTimeMilliseconds()}:{e.SourceIdentifier}:{e.Message}", e.Date, $"{e.SourceIdentifier}: {e.Message}", cancellationToken);
            }
            if (!execution.Checkpoint.ContainsKey(PrimaryAt) && events.FirstOrDefault(IsFailoverCompleted) is { } promoted)
            {
                await execution.SaveAsync(PrimaryAt, AuditCanonical.FormatTimestamp(promoted.Date), cancellationToken);
            }
            var group = await DescribeAsync(execution, cancellationToken);
            if (events.Any(e => e.Message.StartsWith("Finished recovery for cache nodes", StringComparison.Ordinal)) && group.Status == "available")
            {
                await execution.SaveAsync(NewPrimary, PrimaryOf(group) ?? "none", cancellationToken);
                return;
            }
            if (execution.Time.GetUtcNow() - requestedAt > Options.Timeout)
            {
                throw new OperationFailedException($"The test failover did not finish within {Options.Timeout.TotalMinutes:0} minutes (group {group.Status}).");
            }
            await execution.DelayAsync(Options.PollInterval, cancellationToken);
        }
    }

    public async Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        if (!execution.Checkpoint.TryGetValue(RequestedAt, out var requestedText))
        {
            return new OperationMeasurements(new Dictionary<string, string>(), false, "No test failover was requested.");
        }
        var requestedAt = AuditCanonical.ParseTimestamp(requestedText);
        var primaryAt = execution.Checkpoint.TryGetValue(PrimaryAt, out var primaryText) ? AuditCanonical.ParseTimestamp(primaryText) : (DateTimeOffset?)null;
        var now = execution.Time.GetUtcNow();
        var windowEnd = (primaryAt ?? now) + TimeSpan.FromSeconds(30);
        var figures = await FailoverImpact.MeasureAsync(execution, WriteProbeTarget.RedisPrimary, requestedAt, windowEnd < now ? windowEnd : now, cancellationToken);
        figures["originalPrimary"] = execution.Checkpoint.GetValueOrDefault(OriginalPrimary, "unknown");
        figures["newPrimary"] = execution.Checkpoint.GetValueOrDefault(NewPrimary, "none");
        figures["rtoObjectiveSeconds"] = FailoverImpact.Seconds(Options.RtoObjective);
        if (primaryAt is null)
        {
            return new OperationMeasurements(figures, false, "No new primary was reported, so no time to a new primary was measured.");
        }
        var timeToPrimary = primaryAt.Value - requestedAt;
        figures["timeToNewPrimarySeconds"] = FailoverImpact.Seconds(timeToPrimary);
        var meets = timeToPrimary <= Options.RtoObjective;
        return new OperationMeasurements(figures, meets, meets
            ? $"Meets the RTO of {Options.RtoObjective.TotalSeconds:0} s: a new primary after {FailoverImpact.Seconds(timeToPrimary)} s; writes failed for {figures.GetValueOrDefault("writeUnavailableSeconds", "?")} s."
            : $"Misses the RTO of {Options.RtoObjective.TotalSeconds:0} s: the new primary took {FailoverImpact.Seconds(timeToPrimary)} s.");
    }

    private static bool IsFailoverCompleted(Event e) =>
        e.Message.StartsWith("Failover from primary node", StringComparison.Ordinal) && e.Message.Contains("completed", StringComparison.Ordinal);

    private static async Task<bool> AcceptedAsync(OperationExecution execution, IElastiCache cache, CancellationToken cancellationToken)
    {
        var requestedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RequestedAt]);
        var events = await EventsSinceAsync(execution, cache, requestedAt, cancellationToken);
        if (events.Any(e => e.Message.StartsWith("Test Failover API called", StringComparison.Ordinal)))
        {
            return true;
        }
        var group = await DescribeAsync(execution, cancellationToken);
        return group.Status != "available" || PrimaryOf(group) != execution.Checkpoint.GetValueOrDefault(OriginalPrimary);
    }

    private static async Task<IReadOnlyList<Event>> EventsSinceAsync(OperationContext context, IElastiCache cache, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var events = new List<Event>();
        foreach (var (sourceType, sourceId) in new[] { (SourceType.ReplicationGroup, context.Target) }
            .Concat(context.Environment.Resources.RedisNodes.Select(n => (SourceType.CacheCluster, n))))
        {
            string? marker = null;
            do
            {
                var page = await cache.DescribeEventsAsync(new DescribeEventsRequest
                {
                    SourceIdentifier = sourceId, SourceType = sourceType, StartTime = since - TimeSpan.FromSeconds(1), Marker = marker,
                }, cancellationToken);
                events.AddRange(page.Events);
                marker = page.Marker;
            }
            while (marker is not null);
        }
        return events.Where(e => e.Date >= since - TimeSpan.FromSeconds(1)).DistinctBy(e => (e.Date, e.SourceIdentifier, e.Message)).OrderBy(e => e.Date).ToList();
    }

    private async Task<int> TestFailoversInLastDayAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var cache = context.Platform.Get<IElastiCache>();
        var events = new List<Event>();
        string? marker = null;
        do
        {
            var page = await cache.DescribeEventsAsync(new DescribeEventsRequest
            {
                SourceIdentifier = context.Target, SourceType = SourceType.ReplicationGroup, StartTime = now - TimeSpan.FromHours(24), EndTime = now, Marker = marker,
            }, cancellationToken);
            events.AddRange(page.Events);
            marker = page.Marker;
        }
        while (marker is not null);
        return events.Count(e => e.Message.StartsWith("Test Failover API called", StringComparison.Ordinal));
    }

    private static async Task<ReplicationGroup> DescribeAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var response = await context.Platform.Get<IElastiCache>().DescribeReplicationGroupsAsync(new DescribeReplicationGroupsRequest { ReplicationGroupId = context.Target }, cancellationToken);
        return response.ReplicationGroups.FirstOrDefault() ?? throw new OperationFailedException($"ElastiCache does not know the replication group {context.Target}.");
    }

    internal static string? PrimaryOf(ReplicationGroup group) =>
        group.NodeGroups.FirstOrDefault(g => g.NodeGroupId == NodeGroupId)?.NodeGroupMembers.FirstOrDefault(m => m.CurrentRole == "primary")?.CacheClusterId;

    internal static string? PredictNewPrimary(ReplicationGroup group) =>
        group.NodeGroups.FirstOrDefault(g => g.NodeGroupId == NodeGroupId)?.NodeGroupMembers
            .Where(m => m.CurrentRole == "replica").OrderBy(m => m.CacheClusterId, StringComparer.Ordinal).FirstOrDefault()?.CacheClusterId;
}
