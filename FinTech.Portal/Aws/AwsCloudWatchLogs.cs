using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Aws;

/// <summary>CloudWatch Logs over awsJson 1.1 (<c>Logs_20140328.*</c>), with its request faults typed as the port promises.</summary>
public sealed class AwsCloudWatchLogs(AwsServiceClient client) : ICloudWatchLogs
{
    public Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken) =>
        Call<DescribeLogGroupsRequest, DescribeLogGroupsResponse>("DescribeLogGroups", request, cancellationToken);

    public Task<StartQueryResponse> StartQueryAsync(StartQueryRequest request, CancellationToken cancellationToken) =>
        Call<StartQueryRequest, StartQueryResponse>("StartQuery", request, cancellationToken);

    public Task<GetQueryResultsResponse> GetQueryResultsAsync(GetQueryResultsRequest request, CancellationToken cancellationToken) =>
        Call<GetQueryResultsRequest, GetQueryResultsResponse>("GetQueryResults", request, cancellationToken);

    public Task<StopQueryResponse> StopQueryAsync(StopQueryRequest request, CancellationToken cancellationToken) =>
        Call<StopQueryRequest, StopQueryResponse>("StopQuery", request, cancellationToken);

    public Task<FilterLogEventsResponse> FilterLogEventsAsync(FilterLogEventsRequest request, CancellationToken cancellationToken) =>
        Call<FilterLogEventsRequest, FilterLogEventsResponse>("FilterLogEvents", request, cancellationToken);

    private async Task<TResponse> Call<TRequest, TResponse>(string operation, TRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.InvokeAsync<TRequest, TResponse>(operation, request, cancellationToken);
        }
        catch (PlatformServiceException fault)
        {
            // Logs Insights reports the position of a syntax error only in its console; the API's
            // message names the problem, so the whole query is marked.
            throw fault.ErrorCode == "MalformedQueryException"
                ? new MalformedQueryException(fault.Message, new QueryCompileErrorLocation(0, 0))
                : new InvalidLogsRequestException(fault.ErrorCode, fault.Message);
        }
    }
}
