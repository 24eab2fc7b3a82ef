namespace FinTech.Portal.Platform;

// The ports: what the portal reads from a platform, in AWS vocabulary. The Sandbox implements
// them from its simulated model, the Aws backend with signed calls. Every call may fail
// (throttling, network, permissions); callers show the failure next to the data it affects.

/// <summary>CloudWatch <c>GetMetricData</c>.</summary>
public interface IMetricSource
{
    Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(MetricDataRequest request, CancellationToken cancellationToken);
}

/// <summary>CloudWatch <c>DescribeAlarms</c>.</summary>
public interface IAlarmSource
{
    Task<IReadOnlyList<Alarm>> DescribeAlarmsAsync(CancellationToken cancellationToken);
}

/// <summary>ECS <c>DescribeServices</c>, RDS <c>DescribeDBClusters</c>, ElastiCache
/// <c>DescribeReplicationGroups</c>, DynamoDB <c>DescribeTable</c>, rolled into one picture.</summary>
public interface ITopologySource
{
    Task<PlatformTopology> DescribeTopologyAsync(CancellationToken cancellationToken);
}

/// <summary>Thrown by a port when the platform could not answer; the message is for people.</summary>
public sealed class PlatformUnavailableException(string message, Exception? inner = null)
    : Exception(message, inner);
