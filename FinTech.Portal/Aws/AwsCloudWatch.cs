using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Aws;

/// <summary>
/// CloudWatch over awsQuery: <c>GetMetricData</c> and <c>DescribeAlarms</c>, one call per request
/// (callers follow <c>NextToken</c> with <see cref="CloudWatchPaginators"/>).
/// </summary>
public sealed class AwsCloudWatch(AwsServiceClient client) : ICloudWatch
{
    public Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MetricDataQueries.Count is 0 or > GetMetricDataRequest.MaxQueries)
        {
            throw new ArgumentException(
                $"GetMetricData takes 1 to {GetMetricDataRequest.MaxQueries} queries per call, got {request.MetricDataQueries.Count}; split the queries into batches.",
                nameof(request));
        }
        return client.InvokeAsync<GetMetricDataRequest, GetMetricDataResponse>("GetMetricData", request, cancellationToken);
    }

    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default) =>
        client.InvokeAsync<DescribeAlarmsRequest, DescribeAlarmsResponse>("DescribeAlarms", request, cancellationToken);
}
