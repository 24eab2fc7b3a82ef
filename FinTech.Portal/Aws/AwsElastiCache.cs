using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.ElastiCache;

namespace FinTech.Portal.Aws;

/// <summary>ElastiCache over awsQuery: <c>TestFailover</c>, <c>DescribeReplicationGroups</c>, <c>DescribeEvents</c>, with its faults typed as the port promises.</summary>
public sealed class AwsElastiCache(AwsServiceClient client) : IElastiCache
{
    public Task<TestFailoverResponse> TestFailoverAsync(TestFailoverRequest request, CancellationToken cancellationToken = default) =>
        Call<TestFailoverRequest, TestFailoverResponse>("TestFailover", request, cancellationToken);

    public Task<DescribeReplicationGroupsResponse> DescribeReplicationGroupsAsync(DescribeReplicationGroupsRequest request, CancellationToken cancellationToken = default) =>
        Call<DescribeReplicationGroupsRequest, DescribeReplicationGroupsResponse>("DescribeReplicationGroups", request, cancellationToken);

    public Task<DescribeEventsResponse> DescribeEventsAsync(DescribeEventsRequest request, CancellationToken cancellationToken = default) =>
        Call<DescribeEventsRequest, DescribeEventsResponse>("DescribeEvents", request, cancellationToken);

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
                "ReplicationGroupNotFoundFault" => new ReplicationGroupNotFoundException(fault.Message),
                "NodeGroupNotFoundFault" => new NodeGroupNotFoundException(fault.Message),
                "InvalidReplicationGroupState" => new InvalidReplicationGroupStateException(fault.Message),
                "TestFailoverNotAvailableFault" => new TestFailoverNotAvailableException(fault.Message),
                "InvalidParameterValue" => new InvalidParameterValueException(fault.Message),
                _ => fault,
            };
        }
    }
}
