using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Rds;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// RDS as the Sandbox plays it: the one Aurora cluster of the platform, its failovers and their
/// events, at the platform's clock. Answers as RDS does, faults included.
/// </summary>
public sealed class SandboxRds : IRds
{
    private readonly SandboxPlatform _platform;

    internal SandboxRds(SandboxPlatform platform) => _platform = platform;

    private string ClusterId => _platform.Resources.AuroraCluster;

    private string ClusterArn => $"arn:aws:rds:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:cluster:{ClusterId}";

    public async Task<FailoverDBClusterResponse> FailoverDBClusterAsync(FailoverDBClusterRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        RequireCluster(request.DBClusterIdentifier);
        await _platform.FailoverAuroraClusterAsync(request.TargetDBInstanceIdentifier, cancellationToken);
        return new FailoverDBClusterResponse { DBCluster = Describe() };
    }

    public async Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.DBClusterIdentifier is { } id)
        {
            RequireCluster(id);
        }
        await _platform.TryCatchUpAsync(cancellationToken);
        var (page, marker) = SandboxPaging.Page([Describe()], request.MaxRecords, request.Marker);
        return new DescribeDBClustersResponse { DBClusters = page, Marker = marker };
    }

    public async Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.SourceIdentifier is not null && request.SourceType is null)
        {
            throw new InvalidParameterValueException("SourceType is required when SourceIdentifier is given (for the cluster: db-cluster).");
        }
        await _platform.TryCatchUpAsync(cancellationToken);
        var (start, end) = SandboxPaging.EventRange(_platform.Now, request.StartTime, request.EndTime, request.Duration);
        var events = Events(_platform.State.AuroraFailovers)
            .Where(e => e.Date >= start && e.Date <= end)
            .Where(e => request.SourceType is null || e.SourceType == request.SourceType)
            .Where(e => request.SourceIdentifier is null || e.SourceIdentifier == request.SourceIdentifier)
            .Where(e => request.EventCategories is not { Count: > 0 } categories || e.EventCategories.Any(categories.Contains))
            .ToList();
        var (page, marker) = SandboxPaging.Page(events, request.MaxRecords, request.Marker);
        return new DescribeEventsResponse { Events = page, Marker = marker };
    }

    /// <summary>The cluster now, as <c>DescribeDBClusters</c> and <c>FailoverDBCluster</c> return it.</summary>
    public DBCluster Describe()
    {
        var topology = _platform.Topology.Database(_platform.State, _platform.Now);
        return new DBCluster
        {
            DBClusterIdentifier = ClusterId,
            DBClusterArn = ClusterArn,
            Engine = topology.Engine,
            EngineVersion = topology.EngineVersion,
            Status = topology.Status,
            MultiAZ = topology.Members.Count > 1,
            Endpoint = $"{ClusterId}.cluster-c7sandbox0001.{SandboxPlatform.Region}.rds.amazonaws.com",
            ReaderEndpoint = $"{ClusterId}.cluster-ro-c7sandbox0001.{SandboxPlatform.Region}.rds.amazonaws.com",
            AvailabilityZones = SandboxTopologySource.AvailabilityZones,
            DBClusterMembers = topology.Members.Select((m, i) => new DBClusterMember
            {
                DBInstanceIdentifier = m.InstanceIdentifier,
                IsClusterWriter = m.IsWriter,
                // Tier by position: a failover without a target promotes the next member.
                PromotionTier = i + 1,
            }).ToList(),
        };
    }

    /// <summary>The events of the failovers that happened by now, oldest first: <c>RDS-EVENT-0073</c> then <c>RDS-EVENT-0071</c>.</summary>
    private IEnumerable<Event> Events(IReadOnlyList<SandboxAuroraFailover> failovers)
    {
        var now = _platform.Now;
        foreach (var failover in failovers)
        {
            yield return Event(failover.StartedAt, RdsEventIds.FailoverStarted, $"Started cross AZ failover to DB instance: {failover.ToInstance}");
            if (failover.CompletedAt <= now)
            {
                yield return Event(failover.CompletedAt, RdsEventIds.FailoverCompleted, $"Completed failover to DB instance: {failover.ToInstance}");
            }
        }
    }

    private Event Event(DateTimeOffset date, string eventId, string message) => new()
    {
        SourceIdentifier = ClusterId,
        SourceType = SourceType.DbCluster,
        Message = message,
        EventCategories = ["failover"],
        Date = date,
        SourceArn = ClusterArn,
        EventId = eventId,
    };

    private void RequireCluster(string identifier)
    {
        if (!string.Equals(identifier, ClusterId, StringComparison.Ordinal))
        {
            throw new DBClusterNotFoundException($"DBCluster {identifier} not found: this environment's Aurora cluster is {ClusterId}.");
        }
    }
}
