using System.Globalization;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.SNS;
using Constructs;
using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Infra.Stacks;

/// <summary>
/// Builds the CloudWatch alarms of the platform catalogue (<see cref="PlatformCatalogue"/>): infra writes no alarm by
/// hand, so what it deploys is what the Sandbox evaluates and the dashboards draw. L1 resources, so that the template
/// carries the catalogue's metrics as they are (ids, expression, statistic) and DescribeAlarms returns them so.
/// </summary>
public static class CatalogueAlarms
{
    /// <summary>
    /// One <c>AWS::CloudWatch::Alarm</c> per catalogue alarm, named <c>fintech-{env}-{key}</c>, notifying
    /// <paramref name="topic"/> on ALARM and on OK. <paramref name="resource"/> gives a placeholder's value
    /// (<c>LoadBalancer</c>, <c>RedisNode:0</c>, ...; see <see cref="PlatformCatalogue.Placeholders"/>); a token is fine.
    /// </summary>
    public static IReadOnlyList<CfnAlarm> Create(Construct scope, IEnumerable<CatalogueAlarm> alarms, Names names, ITopic topic,
        Func<string, string> resource) =>
        alarms.Select(alarm => Create(scope, alarm, names, topic, resource)).ToList();

    private static CfnAlarm Create(Construct scope, CatalogueAlarm alarm, Names names, ITopic topic, Func<string, string> resource)
    {
        if (!alarm.IsSized)
        {
            throw new InvalidOperationException($"The catalogue alarm {alarm.Key} has a threshold relative to the instance class: size it with PlatformCatalogue.SizedFor first.");
        }
        CfnAlarm.MetricProperty Metric(CatalogueMetric metric) => new()
        {
            Namespace = metric.Namespace,
            MetricName = metric.MetricName,
            Dimensions = metric.Dimensions
                .Select(d => (object)new CfnAlarm.DimensionProperty { Name = d.Name, Value = PlatformCatalogue.Resolve(d.Value, resource) })
                .ToArray(),
        };

        var props = new CfnAlarmProps
        {
            AlarmName = names.Alarm(alarm.Key),
            AlarmDescription = alarm.Description,
            ComparisonOperator = alarm.ComparisonOperator,
            Threshold = alarm.Threshold,
            EvaluationPeriods = alarm.EvaluationPeriods,
            DatapointsToAlarm = alarm.DatapointsToAlarm,
            TreatMissingData = alarm.TreatMissingData,
            ActionsEnabled = true,
            AlarmActions = [topic.TopicArn],
            OkActions = [topic.TopicArn],
        };
        if (alarm.Expression is null)
        {
            var metric = alarm.Metrics.Single();
            var percentile = IsPercentile(metric.Stat);
            props.Namespace = metric.Namespace;
            props.MetricName = metric.MetricName;
            props.Dimensions = Metric(metric).Dimensions;
            props.Statistic = percentile ? null : metric.Stat;
            props.ExtendedStatistic = percentile ? metric.Stat : null;
            props.Period = alarm.PeriodSeconds;
        }
        else
        {
            object[] queries =
            [
                .. alarm.Metrics.Select(metric => (object)new CfnAlarm.MetricDataQueryProperty
                {
                    Id = metric.Id,
                    MetricStat = new CfnAlarm.MetricStatProperty { Metric = Metric(metric), Stat = metric.Stat, Period = alarm.PeriodSeconds },
                    ReturnData = false,
                }),
                new CfnAlarm.MetricDataQueryProperty
                {
                    Id = PlatformCatalogue.ExpressionId,
                    Expression = alarm.Expression,
                    Label = alarm.Key,
                    Period = alarm.PeriodSeconds,
                    ReturnData = true,
                },
            ];
            props.Metrics = queries;
        }
        return new CfnAlarm(scope, LogicalId(alarm.Key), props);
    }

    /// <summary><c>p99</c>, <c>p99.9</c>: an extended statistic.</summary>
    private static bool IsPercentile(string stat) =>
        stat.Length > 1 && stat[0] == 'p' && double.TryParse(stat[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary><c>api-deploy-5xx</c> → <c>AlarmApiDeploy5xx</c>.</summary>
    private static string LogicalId(string key) =>
        "Alarm" + string.Concat(key.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
