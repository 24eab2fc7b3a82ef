namespace FinTech.Portal.Platform.CloudWatch;

/// <summary>
/// Follows <c>NextToken</c> to the end, as the SDK's paginators do, so that a port stays one call
/// per request (an adapter never pages on its own) and every caller pages the same way.
/// </summary>
public static class CloudWatchPaginators
{
    /// <summary>A generous bound: a page that repeats its token would otherwise loop forever.</summary>
    public const int MaxPages = 1_000;

    /// <summary>
    /// Every page of one <c>GetMetricData</c> request, the results of each query joined in page
    /// order. A result is <see cref="StatusCode.Complete"/> once its last page is.
    /// </summary>
    public static async Task<GetMetricDataResponse> GetAllMetricDataAsync(this ICloudWatch cloudWatch,
        GetMetricDataRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudWatch);
        ArgumentNullException.ThrowIfNull(request);
        var results = new Dictionary<string, (string? Label, List<DateTimeOffset> Timestamps, List<double> Values, StatusCode Status, List<MessageData> Messages)>(StringComparer.Ordinal);
        var order = new List<string>();
        var messages = new List<MessageData>();
        var page = request;
        for (var pages = 0; ; pages++)
        {
            if (pages == MaxPages)
            {
                throw new PlatformUnavailableException($"GetMetricData did not finish after {MaxPages} pages; narrow the time range or raise the period.");
            }
            var response = await cloudWatch.GetMetricDataAsync(page, cancellationToken);
            messages.AddRange(response.Messages);
            foreach (var result in response.MetricDataResults)
            {
                if (!results.TryGetValue(result.Id, out var joined))
                {
                    joined = (result.Label, [], [], result.StatusCode, []);
                    order.Add(result.Id);
                }
                joined.Timestamps.AddRange(result.Timestamps);
                joined.Values.AddRange(result.Values);
                joined.Messages.AddRange(result.Messages);
                results[result.Id] = joined with { Label = joined.Label ?? result.Label, Status = result.StatusCode };
            }
            if (response.NextToken is null)
            {
                break;
            }
            page = request with { NextToken = response.NextToken };
        }
        return new GetMetricDataResponse
        {
            MetricDataResults = order.Select(id =>
            {
                var (label, timestamps, values, status, resultMessages) = results[id];
                return new MetricDataResult { Id = id, Label = label, Timestamps = timestamps, Values = values, StatusCode = status, Messages = resultMessages };
            }).ToList(),
            Messages = messages,
        };
    }

    /// <summary>Every alarm that <paramref name="request"/> selects, over all pages.</summary>
    public static async Task<DescribeAlarmsResponse> DescribeAllAlarmsAsync(this ICloudWatch cloudWatch,
        DescribeAlarmsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudWatch);
        ArgumentNullException.ThrowIfNull(request);
        var metricAlarms = new List<MetricAlarm>();
        var compositeAlarms = new List<CompositeAlarm>();
        var page = request;
        for (var pages = 0; ; pages++)
        {
            if (pages == MaxPages)
            {
                throw new PlatformUnavailableException($"DescribeAlarms did not finish after {MaxPages} pages.");
            }
            var response = await cloudWatch.DescribeAlarmsAsync(page, cancellationToken);
            metricAlarms.AddRange(response.MetricAlarms);
            compositeAlarms.AddRange(response.CompositeAlarms);
            if (response.NextToken is null)
            {
                return new DescribeAlarmsResponse { MetricAlarms = metricAlarms, CompositeAlarms = compositeAlarms };
            }
            page = request with { NextToken = response.NextToken };
        }
    }
}
