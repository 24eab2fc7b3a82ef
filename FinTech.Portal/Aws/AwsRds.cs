using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Rds;

namespace FinTech.Portal.Aws;

/// <summary>RDS over awsQuery: <c>FailoverDBCluster</c>, <c>DescribeDBClusters</c>, <c>DescribeEvents</c>, with RDS's faults typed as the port promises.</summary>
public sealed class AwsRds(AwsServiceClient client) : IRds
{
    public Task<FailoverDBClusterResponse> FailoverDBClusterAsync(FailoverDBClusterRequest request, CancellationToken cancellationToken = default) =>
        Call<FailoverDBClusterRequest, FailoverDBClusterResponse>("FailoverDBCluster", request, cancellationToken);

    public Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default) =>
        Call<DescribeDBClustersRequest, DescribeDBClustersResponse>("DescribeDBClusters", request, cancellationToken);

    public async Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default)
    {
        var response = await Call<DescribeEventsRequest, DescribeEventsResponse>("DescribeEvents", request, cancellationToken);
        // DescribeEvents carries no event id; the failover events are recognised by their message.
        return response with { Events = response.Events.Select(e => e with { EventId = e.EventId ?? EventIdOf(e.Message) }).ToList() };
    }

    internal static string? EventIdOf(string message) =>
        message.StartsWith("Started cross AZ failover", StringComparison.OrdinalIgnoreCase) ? RdsEventIds.FailoverStarted
        : message.StartsWith("Completed failover", StringComparison.OrdinalIgnoreCase) ? RdsEventIds.FailoverCompleted
        : null;

    private async Task<TResponse> Call<TRequest, TResponse>(string operation, TRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.InvokeAsync<TRequest, TResponse>(operation, request, cancellationToken);
        }
        catch (PlatformServiceException fault) when (fault.GetType() == typeof(PlatformServiceException))
        {
            throw fault.ErrorCode switch
            {
                "DBClusterNotFoundFault" => new DBClusterNotFoundException(fault.Message),
                "InvalidDBClusterStateFault" => new InvalidDBClusterStateException(fault.Message),
                "InvalidDBInstanceState" => new InvalidDBInstanceStateException(fault.Message),
                "DBInstanceNotFound" => new DBInstanceNotFoundException(fault.Message),
                "InvalidParameterValue" => new InvalidParameterValueException(fault.Message),
                _ => fault,
            };
        }
    }
}
