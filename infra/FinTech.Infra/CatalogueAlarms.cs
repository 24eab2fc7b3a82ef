using Amazon.CDK;
using Amazon.CDK.AWS.CloudWatch;
using Amazon.CDK.AWS.CloudWatch.Actions;
using Amazon.CDK.AWS.SNS;
using Constructs;
using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Infra;

/// <summary>
/// Creates the alarms of the platform catalogue (FinTech.Portal/Platform/Catalogue/PlatformCatalogue.cs),
/// the same list the portal's Sandbox evaluates: a new alarm is one catalogue entry, not code in a stack.
/// </summary>
public static class CatalogueAlarms
{
    /// <summary>
    /// One CloudWatch alarm per catalogue entry, notifying <paramref name="topic"/> on ALARM and OK.
    /// <paramref name="resources"/> resolves the dimension placeholders (<c>LoadBalancer</c>, <c>RedisNode:0</c>, ...).
    /// </summary>
    public static IReadOnlyList<Alarm> Create(Construct scope, Names names, IEnumerable<CatalogueAlarm> alarms,
        Func<string, string> resources, ITopic topic)
    {
        var created = new List<Alarm>();
        foreach (var definition in alarms)
        {
            var period = Duration.Seconds(definition.PeriodSeconds);
            var metrics = definition.Metrics.ToDictionary(m => m.Id, m => (IMetric)new Metric(new MetricProps
            {
                Namespace = m.Namespace,
                MetricName = m.MetricName,
                DimensionsMap = m.Dimensions.ToDictionary(d => d.Name, d => PlatformCatalogue.Resolve(d.Value, resources)),
                Statistic = m.Stat,
                Period = period,
            }));
            IMetric watched = definition.Expression is null
                ? metrics.Values.Single()
                : new MathExpression(new MathExpressionProps { Expression = definition.Expression, UsingMetrics = metrics, Period = period, Label = definition.Key });
            var alarm = new Alarm(scope, Pascal(definition.Key), new AlarmProps
            {
                AlarmName = names.Alarm(definition.Key),
                AlarmDescription = definition.Description,
                Metric = watched,
                Threshold = definition.Threshold,
                EvaluationPeriods = definition.EvaluationPeriods,
                DatapointsToAlarm = definition.DatapointsToAlarm,
                ComparisonOperator = definition.ComparisonOperator switch
                {
                    "GreaterThanThreshold" => ComparisonOperator.GREATER_THAN_THRESHOLD,
                    "GreaterThanOrEqualToThreshold" => ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    "LessThanThreshold" => ComparisonOperator.LESS_THAN_THRESHOLD,
                    "LessThanOrEqualToThreshold" => ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
                    var other => throw new InvalidOperationException($"Alarm {definition.Key}: comparison {other} is not one infra creates."),
                },
                TreatMissingData = definition.TreatMissingData switch
                {
                    "breaching" => TreatMissingData.BREACHING,
                    "notBreaching" => TreatMissingData.NOT_BREACHING,
                    "ignore" => TreatMissingData.IGNORE,
                    _ => TreatMissingData.MISSING,
                },
            });
            alarm.AddAlarmAction(new SnsAction(topic));
            alarm.AddOkAction(new SnsAction(topic));
            created.Add(alarm);
        }
        return created;
    }

    /// <summary><c>p99-latency</c> → <c>P99Latency</c>: the construct id, so logical ids stay readable.</summary>
    private static string Pascal(string key) =>
        string.Concat(key.Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
