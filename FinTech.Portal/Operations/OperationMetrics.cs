using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Operations;

/// <summary>The CloudWatch reads operations make: stop-condition alarms, and metric points around a run.</summary>
public static class OperationMetrics
{
    /// <summary>The named alarms (metric and composite) as DescribeAlarms returns them; names it does not know are absent.</summary>
    public static async Task<IReadOnlyList<Alarm>> AlarmsAsync(PlatformConnection platform, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
        {
            return [];
        }
        var response = await platform.Get<ICloudWatch>().DescribeAllAlarmsAsync(new DescribeAlarmsRequest
        {
            AlarmNames = names,
            AlarmTypes = [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
        }, cancellationToken);
        return [.. response.MetricAlarms, .. response.CompositeAlarms];
    }

    /// <summary>One metric's points per query id, oldest first.</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>>> PointsAsync(PlatformConnection platform,
        IReadOnlyList<MetricDataQuery> queries, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var response = await platform.Get<ICloudWatch>().GetAllMetricDataAsync(new GetMetricDataRequest
        {
            MetricDataQueries = queries,
            StartTime = start,
            EndTime = end,
            ScanBy = ScanBy.TimestampAscending,
        }, cancellationToken);
        return queries.ToDictionary(q => q.Id, q =>
        {
            var result = response.MetricDataResults.FirstOrDefault(r => r.Id == q.Id);
            return result is null
                ? (IReadOnlyList<MetricPoint>)[]
                : result.Timestamps.Zip(result.Values, (t, v) => new MetricPoint(t, v)).OrderBy(p => p.Timestamp).ToList();
        }, StringComparer.Ordinal);
    }

    /// <summary>The API's own ALB metrics: its target group on the shared load balancer (the portal's traffic is not the API's).</summary>
    public static Metric ApiMetric(PortalEnvironment environment, string metricName) =>
        new("AWS/ApplicationELB", metricName,
            [new Dimension("LoadBalancer", environment.Resources.LoadBalancer), new Dimension("TargetGroup", environment.Resources.TargetGroup)]);
}
