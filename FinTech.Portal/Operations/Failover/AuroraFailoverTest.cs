using FinTech.Portal.Platform.CloudWatch;
using System.Globalization;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Rds;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Operations.Failover;

/// <summary>
/// A failover test of the Aurora PostgreSQL cluster: <c>FailoverDBCluster</c>, then the cluster's
/// events until <c>RDS-EVENT-0071</c> (completed), then the measured impact against the RTO.
/// It holds the cluster, its credentials secret and the API service: a rotation of the secret or
/// a deployment of the API cannot start while it runs, nor it while they do.
/// </summary>
public sealed class AuroraFailoverTest(PlatformRegistry platforms, IOptions<OperationsOptions> options) : IOperationKind
{
    public const string KindKey = "aurora-failover-test";

    /// <summary>Option: the reader to promote; empty lets RDS choose (lowest promotion tier).</summary>
    public const string TargetInstanceOption = "targetInstance";

    private const string RequestedAt = "failoverRequestedAt";
    private const string OriginalWriter = "originalWriter";
    private const string NewWriter = "newWriter";
    private const string CompletedAt = "failoverCompletedAt";

    private FailoverTestOptions Options => options.Value.Failover;

    public string Key => KindKey;

    public string DisplayName => "Aurora failover test";

    public TimeSpan VerificationWindow => Options.VerificationWindow;

    public IReadOnlyList<string> Targets(PortalEnvironment environment) =>
        platforms.Connect(environment).Has<IRds>() ? [environment.Resources.AuroraCluster] : [];

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target) =>
    [
        ResourceKeys.AuroraCluster(environment.Key, target),
        ResourceKeys.CredentialsSecret(environment.Key, target),
        ResourceKeys.EcsService(environment.Key, environment.Resources.EcsCluster, environment.Resources.EcsService),
    ];

    // Alarms of the platform catalogue that mean "more than a failover's blip": the API losing
    // its targets, transactions failing at length.
    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) =>
        // The catalogue's alarms, named with the environment's prefix (the Sandbox's and the stacks' alike).
        [environment.Resources.AlarmName("api-unhealthy-hosts"), environment.Resources.AlarmName("transactions-failure-rate")];

    public async Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var cluster = await DescribeAsync(context, cancellationToken);
        return new TargetSnapshot(new Dictionary<string, string>
        {
            ["status"] = cluster.Status,
            ["writer"] = WriterOf(cluster) ?? "none",
            ["members"] = string.Join(",", cluster.DBClusterMembers.Select(m => $"{m.DBInstanceIdentifier}:{m.PromotionTier}").Order(StringComparer.Ordinal)),
            ["engineVersion"] = cluster.EngineVersion,
        });
    }

    public async Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        DBCluster cluster;
        try
        {
            cluster = await DescribeAsync(context, cancellationToken);
        }
        catch (PlatformServiceException e)
        {
            return [new PreflightCheck("Cluster available", false, $"{e.ErrorCode}: {e.Message}")];
        }
        checks.Add(new PreflightCheck("Cluster available", cluster.Status == "available",
            cluster.Status == "available" ? $"{cluster.DBClusterIdentifier} is available." : $"{cluster.DBClusterIdentifier} is {cluster.Status}; a failover needs it available."));
        var predicted = PredictNewWriter(cluster, context.Parameters.Options.GetValueOrDefault(TargetInstanceOption));
        checks.Add(predicted is null
            ? new PreflightCheck("Reader to promote", false, "The cluster has no reader that could become the writer.")
            : new PreflightCheck("Reader to promote", true, $"Predicted new writer: {predicted} (now {WriterOf(cluster)})."));
        checks.Add(await ReplicaLagAsync(context, cancellationToken));
        return checks;
    }

    public async Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var cluster = await DescribeAsync(context, cancellationToken);
        var predicted = PredictNewWriter(cluster, context.Parameters.Options.GetValueOrDefault(TargetInstanceOption)) ?? "none";
        return new OperationPlan(
        [
            $"Check again right before acting: cluster available, replica lag under {Options.MaxReplicaLag.TotalMilliseconds:0} ms, no stop condition in ALARM.",
            $"Call FailoverDBCluster on {cluster.DBClusterIdentifier}" + (predicted == "none" ? "." : $", promoting {predicted}."),
            "Follow the cluster's events until RDS-EVENT-0071 (failover completed), watching the stop conditions.",
            $"Watch the stop conditions for {Options.VerificationWindow.TotalSeconds:0} s more, then measure write unavailability, 5xx and p99 against the baseline.",
            $"Verdict against the RTO objective of {Options.RtoObjective.TotalSeconds:0} s.",
        ], new Dictionary<string, string> { ["currentWriter"] = WriterOf(cluster) ?? "none", ["newWriter"] = predicted });
    }

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var rds = execution.Platform.Get<IRds>();
        var cluster = execution.Target;
        if (!execution.Checkpoint.ContainsKey(OriginalWriter))
        {
            await execution.SaveAsync(OriginalWriter, WriterOf(await DescribeAsync(execution, cancellationToken)) ?? "none", cancellationToken);
        }
        // Describe before acting: after a restart the call may have been made already.
        if (!execution.Checkpoint.ContainsKey(RequestedAt) || !await FailoverAcceptedAsync(execution, rds, cancellationToken))
        {
            var targetInstance = execution.Parameters.Options.GetValueOrDefault(TargetInstanceOption);
            await execution.RecordCallAsync(RequestedAt, $"FailoverDBCluster(DBClusterIdentifier={cluster}{(string.IsNullOrEmpty(targetInstance) ? "" : $", TargetDBInstanceIdentifier={targetInstance}")})", cancellationToken);
            try
            {
                await rds.FailoverDBClusterAsync(new FailoverDBClusterRequest
                {
                    DBClusterIdentifier = cluster,
                    TargetDBInstanceIdentifier = string.IsNullOrEmpty(targetInstance) ? null : targetInstance,
                }, cancellationToken);
            }
            catch (PlatformServiceException e)
            {
                throw new OperationFailedException($"RDS refused FailoverDBCluster: {e.ErrorCode}: {e.Message}", e);
            }
        }
        var requestedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RequestedAt]);
        while (true)
        {
            var events = await EventsSinceAsync(execution, rds, requestedAt, cancellationToken);
            foreach (var e in events)
            {
                await execution.RecordEventAsync($"{e.Date.ToUnixTimeMilliseconds()}:{e.EventId}:{e.Message}", e.Date,
                    $"{(e.EventId is null ? "" : e.EventId + " ")}{e.Message}", cancellationToken);
            }
            var completed = events.LastOrDefault(e => e.EventId == RdsEventIds.FailoverCompleted || e.Message.StartsWith("Completed failover", StringComparison.Ordinal));
            var now = await DescribeAsync(execution, cancellationToken);
            if (completed is not null && now.Status == "available")
            {
                await execution.SaveAsync(NewWriter, WriterOf(now) ?? "none", cancellationToken);
                await execution.SaveAsync(CompletedAt, AuditCanonical.FormatTimestamp(completed.Date), cancellationToken);
                return;
            }
            if (execution.Time.GetUtcNow() - requestedAt > Options.Timeout)
            {
                throw new OperationFailedException($"The failover did not complete within {Options.Timeout.TotalMinutes:0} minutes (cluster {now.Status}).");
            }
            await execution.DelayAsync(Options.PollInterval, cancellationToken);
        }
    }

    public async Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        if (!execution.Checkpoint.TryGetValue(RequestedAt, out var requestedText))
        {
            return new OperationMeasurements(new Dictionary<string, string>(), false, "No failover was requested.");
        }
        var requestedAt = AuditCanonical.ParseTimestamp(requestedText);
        var completedAt = execution.Checkpoint.TryGetValue(CompletedAt, out var completedText) ? AuditCanonical.ParseTimestamp(completedText) : (DateTimeOffset?)null;
        var windowEnd = (completedAt ?? execution.Time.GetUtcNow()) + TimeSpan.FromSeconds(30);
        var figures = await FailoverImpact.MeasureAsync(execution, WriteProbeTarget.AuroraWriter, requestedAt, windowEnd < execution.Time.GetUtcNow() ? windowEnd : execution.Time.GetUtcNow(), cancellationToken);
        figures["originalWriter"] = execution.Checkpoint.GetValueOrDefault(OriginalWriter, "unknown");
        figures["newWriter"] = execution.Checkpoint.GetValueOrDefault(NewWriter, "none");
        figures["rtoObjectiveSeconds"] = FailoverImpact.Seconds(Options.RtoObjective);
        if (completedAt is null)
        {
            return new OperationMeasurements(figures, false, "The failover did not complete, so no time to a new writer was measured.");
        }
        var timeToWriter = completedAt.Value - requestedAt;
        figures["timeToNewWriterSeconds"] = FailoverImpact.Seconds(timeToWriter);
        var meets = timeToWriter <= Options.RtoObjective && figures["newWriter"] != figures["originalWriter"];
        return new OperationMeasurements(figures, meets, meets
            ? $"Meets the RTO of {Options.RtoObjective.TotalSeconds:0} s: {figures["newWriter"]} became the writer after {FailoverImpact.Seconds(timeToWriter)} s; writes failed for {figures.GetValueOrDefault("writeUnavailableSeconds", "?")} s."
            : $"Misses the RTO of {Options.RtoObjective.TotalSeconds:0} s: the new writer took {FailoverImpact.Seconds(timeToWriter)} s (writer {figures["originalWriter"]} → {figures["newWriter"]}).");
    }

    private static async Task<bool> FailoverAcceptedAsync(OperationExecution execution, IRds rds, CancellationToken cancellationToken)
    {
        var requestedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RequestedAt]);
        var events = await EventsSinceAsync(execution, rds, requestedAt, cancellationToken);
        if (events.Any(e => e.EventId is RdsEventIds.FailoverStarted or RdsEventIds.FailoverCompleted))
        {
            return true;
        }
        var cluster = await DescribeAsync(execution, cancellationToken);
        return cluster.Status == "failing-over" || WriterOf(cluster) != execution.Checkpoint.GetValueOrDefault(OriginalWriter);
    }

    private static async Task<IReadOnlyList<Event>> EventsSinceAsync(OperationContext context, IRds rds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var events = new List<Event>();
        string? marker = null;
        do
        {
            var page = await rds.DescribeEventsAsync(new DescribeEventsRequest
            {
                SourceIdentifier = context.Target,
                SourceType = SourceType.DbCluster,
                StartTime = since - TimeSpan.FromSeconds(1),
                Marker = marker,
            }, cancellationToken);
            events.AddRange(page.Events);
            marker = page.Marker;
        }
        while (marker is not null);
        return events.Where(e => e.Date >= since - TimeSpan.FromSeconds(1)).OrderBy(e => e.Date).ToList();
    }

    private static async Task<DBCluster> DescribeAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var response = await context.Platform.Get<IRds>().DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = context.Target }, cancellationToken);
        return response.DBClusters.FirstOrDefault() ?? throw new OperationFailedException($"RDS does not know the cluster {context.Target}.");
    }

    private async Task<PreflightCheck> ReplicaLagAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var now = context.Time.GetUtcNow();
        var series = await OperationMetrics.PointsAsync(context.Platform,
            [MetricDataQuery.ForMetric("lag", new Metric("AWS/RDS", "AuroraReplicaLagMaximum", [new Dimension("DBClusterIdentifier", context.Target)]), Statistic.Maximum, 60)],
            now - TimeSpan.FromMinutes(5), now, cancellationToken);
        MetricPoint? latest = series["lag"].Count > 0 ? series["lag"][^1] : null;
        if (latest is null)
        {
            return new PreflightCheck("Replica lag", false, "No AuroraReplicaLagMaximum data for the last 5 minutes; the lag cannot be checked.");
        }
        var lag = latest.Value.Value;
        var limit = Options.MaxReplicaLag.TotalMilliseconds;
        return new PreflightCheck("Replica lag", lag < limit,
            string.Create(CultureInfo.InvariantCulture, $"AuroraReplicaLagMaximum {lag:0.#} ms {(lag < limit ? "under" : "at or over")} the limit of {limit:0} ms."));
    }

    internal static string? WriterOf(DBCluster cluster) => cluster.DBClusterMembers.FirstOrDefault(m => m.IsClusterWriter)?.DBInstanceIdentifier;

    internal static string? PredictNewWriter(DBCluster cluster, string? requested)
    {
        var readers = cluster.DBClusterMembers.Where(m => !m.IsClusterWriter).ToList();
        if (!string.IsNullOrEmpty(requested))
        {
            return readers.FirstOrDefault(r => r.DBInstanceIdentifier == requested)?.DBInstanceIdentifier;
        }
        return readers.OrderBy(r => r.PromotionTier).ThenBy(r => r.DBInstanceIdentifier, StringComparer.Ordinal).FirstOrDefault()?.DBInstanceIdentifier;
    }
}
