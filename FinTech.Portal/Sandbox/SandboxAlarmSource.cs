using System.Globalization;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>The CloudWatch alarms the platform's stack (infra/) creates, by name.</summary>
public static class SandboxAlarmNames
{
    public const string ApiP99Latency = "fintech-api-p99-latency-high";
    public const string Api5xxRate = "fintech-api-5xx-rate-high";
    public const string ApiUnhealthyHosts = "fintech-api-unhealthy-hosts";
    public const string AuroraReplicaLag = "fintech-aurora-replica-lag-high";
    public const string AuroraWriterCpu = "fintech-aurora-writer-cpu-high";
    public const string RedisHitRate = "fintech-redis-hit-rate-low";
    public const string RedisEngineCpu = "fintech-redis-engine-cpu-high";
    public const string SessionThrottles = "fintech-sessions-throttled";
    public const string TransactionFailureRate = "fintech-transactions-failure-rate-high";

    /// <summary>Every alarm of the stack, in the order DescribeAlarms lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        ApiP99Latency, Api5xxRate, ApiUnhealthyHosts, AuroraReplicaLag, AuroraWriterCpu,
        RedisHitRate, RedisEngineCpu, SessionThrottles, TransactionFailureRate,
    ];
}

/// <summary>
/// One alarm: the sum of <see cref="Metrics"/>, or that sum as a percentage of
/// <see cref="PercentOf"/> (CloudWatch metric math such as <c>100*(m1+m2)/m3</c>).
/// </summary>
internal sealed record SandboxAlarmDefinition(
    string Name,
    string Description,
    AlarmSeverity Severity,
    string ComparisonOperator,
    double Threshold,
    IReadOnlyList<MetricQuery> Metrics,
    MetricQuery? PercentOf = null);

/// <summary>
/// CloudWatch <c>DescribeAlarms</c> over the model: every alarm looks at its last 3 one-minute
/// datapoints at the current time and is in ALARM when all 3 breach (3 out of 3), OK otherwise.
/// State and its last change are computed from the fault history, not stored.
/// </summary>
public sealed class SandboxAlarmSource : IAlarmSource
{
    public const int EvaluationPeriods = 3;

    private readonly SandboxPlatform _platform;
    private readonly SandboxMetricEngine _engine;
    private readonly IReadOnlyList<(SandboxAlarmDefinition Definition, ResolvedMetric[] Metrics, ResolvedMetric? PercentOf)> _alarms;
    private Evaluated? _latest;

    internal SandboxAlarmSource(SandboxPlatform platform, SandboxMetricEngine engine, SandboxResources resources)
    {
        _platform = platform;
        _engine = engine;
        _alarms = Definitions(resources)
            .Select(d => (d, d.Metrics.Select(Resolve).ToArray(), d.PercentOf is { } p ? Resolve(p) : (ResolvedMetric?)null))
            .ToList();
    }

    public Task<IReadOnlyList<Alarm>> DescribeAlarmsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Describe());
    }

    /// <summary>
    /// Alarms change only at minute boundaries or when a knob turns, so one evaluation per
    /// (state, minute) serves every circuit that asks within that minute. The next evaluation
    /// starts from this one: knobs and failovers act from the moment they happen, so state
    /// changes up to the evaluated minute stay as they were and only the minutes since are new.
    /// </summary>
    internal IReadOnlyList<Alarm> Describe()
    {
        var state = _platform.State;
        var nowMinute = SandboxNoise.FloorDiv(_platform.Now.ToUnixTimeSeconds(), 60);
        var latest = Volatile.Read(ref _latest);
        if (latest is not null && ReferenceEquals(latest.State, state) && latest.Minute == nowMinute)
        {
            return latest.Alarms;
        }
        // A clock that stepped back invalidates what was known.
        var known = latest is not null && latest.Minute <= nowMinute ? latest : null;
        var startedMinute = SandboxNoise.FloorDiv(_platform.StartedAt.ToUnixTimeSeconds(), 60);
        var timeline = new SandboxTimeline(_engine.Model, state, Math.Min(startedMinute, nowMinute) - EvaluationPeriods, nowMinute);
        var alarms = new Alarm[_alarms.Count];
        var changes = new long?[_alarms.Count];
        for (var i = 0; i < _alarms.Count; i++)
        {
            var (definition, metrics, percentOf) = _alarms[i];
            var evaluation = new Evaluation(this, definition, metrics, percentOf, timeline);
            (alarms[i], changes[i]) = evaluation.Describe(nowMinute, Math.Max(startedMinute, known?.Minute ?? long.MinValue), known is null ? null : known.Changes[i], _platform.StartedAt);
        }
        Volatile.Write(ref _latest, new Evaluated(state, nowMinute, alarms, changes));
        return alarms;
    }

    /// <summary>The alarms at <see cref="Minute"/>, and the minute each last changed state (null: never since start).</summary>
    private sealed record Evaluated(SandboxState State, long Minute, IReadOnlyList<Alarm> Alarms, long?[] Changes);

    private ResolvedMetric Resolve(MetricQuery query) =>
        _engine.TryResolve(query, out var metric)
            ? metric
            : throw new InvalidOperationException($"Alarm metric {query.Namespace} {query.MetricName} is not in the Sandbox catalogue.");

    /// <summary>One alarm evaluated against one timeline, with its datapoints computed once each.</summary>
    private sealed class Evaluation(
        SandboxAlarmSource source,
        SandboxAlarmDefinition definition,
        ResolvedMetric[] metrics,
        ResolvedMetric? percentOf,
        SandboxTimeline timeline)
    {
        private readonly Dictionary<long, double> _datapoints = [];

        /// <summary>
        /// The alarm at <paramref name="nowMinute"/>. Changes at or before <paramref name="knownUntil"/>
        /// are already known: the latest of them is <paramref name="knownChange"/>.
        /// </summary>
        public (Alarm Alarm, long? Changed) Describe(long nowMinute, long knownUntil, long? knownChange, DateTimeOffset startedAt)
        {
            var state = StateAt(nowMinute);
            var changed = LastChange(nowMinute, knownUntil) ?? knownChange;
            var first = definition.Metrics[0];
            var alarm = new Alarm(
                definition.Name,
                definition.Description,
                state,
                Reason(state, nowMinute),
                changed is { } minute ? DateTimeOffset.FromUnixTimeSeconds(minute * 60) : startedAt,
                first.Namespace,
                first.MetricName,
                first.Statistic,
                definition.ComparisonOperator,
                definition.Threshold,
                definition.Severity);
            return (alarm, changed);
        }

        private double Datapoint(long minute)
        {
            if (!_datapoints.TryGetValue(minute, out var value))
            {
                value = 0;
                foreach (var metric in metrics)
                {
                    value += source._engine.MinuteValue(metric, timeline, minute);
                }
                if (percentOf is { } denominator)
                {
                    var total = source._engine.MinuteValue(denominator, timeline, minute);
                    value = total > 0 ? 100 * value / total : double.NaN;
                }
                _datapoints[minute] = value;
            }
            return value;
        }

        /// <summary>Missing data counts as not breaching (TreatMissingData = notBreaching).</summary>
        private bool Breaches(double value) => !double.IsNaN(value) && definition.ComparisonOperator switch
        {
            "GreaterThanThreshold" => value > definition.Threshold,
            "GreaterThanOrEqualToThreshold" => value >= definition.Threshold,
            "LessThanThreshold" => value < definition.Threshold,
            _ => value <= definition.Threshold,
        };

        /// <summary>The state evaluated at the start of <paramref name="minute"/>, from the 3 minutes before it.</summary>
        private AlarmState StateAt(long minute)
        {
            for (var i = 1; i <= EvaluationPeriods; i++)
            {
                // Undisturbed minutes are the baseline, which never crosses a threshold (the tests hold the model to that).
                if (!timeline.IsDisturbed(minute - i) || !Breaches(Datapoint(minute - i)))
                {
                    return AlarmState.Ok;
                }
            }
            return AlarmState.Alarm;
        }

        /// <summary>
        /// The latest minute after <paramref name="after"/> whose state differs from the minute
        /// before, or null when there is none. Only minutes near a fault can be in ALARM, so only
        /// those are evaluated.
        /// </summary>
        private long? LastChange(long nowMinute, long after)
        {
            foreach (var (from, to) in timeline.DisturbedWindows(nowMinute).Reverse())
            {
                var low = Math.Max(from + EvaluationPeriods, after + 1);
                var high = Math.Min(to + EvaluationPeriods - 1, nowMinute);
                for (var minute = high; minute >= low; minute--)
                {
                    if (StateAt(minute) != StateAt(minute - 1))
                    {
                        return minute;
                    }
                }
            }
            return null;
        }

        private string Reason(AlarmState state, long nowMinute)
        {
            var datapoints = Enumerable.Range(1, EvaluationPeriods).Select(i => nowMinute - i).ToList();
            var comparison = Comparison(definition.ComparisonOperator);
            var threshold = Format(definition.Threshold);
            if (state == AlarmState.Alarm)
            {
                return $"Threshold Crossed: {datapoints.Count} datapoints [{List(datapoints)}] were {comparison} the threshold ({threshold}).";
            }
            var calm = datapoints.Where(m => !timeline.IsDisturbed(m) || !Breaches(Datapoint(m))).ToList();
            return calm.Count == datapoints.Count
                ? $"Threshold Crossed: {calm.Count} datapoints [{List(calm)}] were not {comparison} the threshold ({threshold})."
                : $"Threshold Crossed: {calm.Count} out of the last {datapoints.Count} datapoints [{List(calm)}] {(calm.Count == 1 ? "was" : "were")} not {comparison} the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition).";
        }

        private string List(IEnumerable<long> minutes) => string.Join(", ", minutes.Select(m =>
            $"{Format(Datapoint(m))} ({DateTimeOffset.FromUnixTimeSeconds(m * 60).ToString("dd/MM/yy HH:mm:ss", CultureInfo.InvariantCulture)})"));

        private static string Comparison(string comparisonOperator) => comparisonOperator switch
        {
            "GreaterThanThreshold" => "greater than",
            "GreaterThanOrEqualToThreshold" => "greater than or equal to",
            "LessThanThreshold" => "less than",
            _ => "less than or equal to",
        };

        private static string Format(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
    }

    private static IReadOnlyList<SandboxAlarmDefinition> Definitions(SandboxResources resources)
    {
        var names = resources.Names;
        MetricDimension[] lb = [new("LoadBalancer", names.LoadBalancer)];
        MetricDimension[] lbTg = [new("LoadBalancer", names.LoadBalancer), new("TargetGroup", names.TargetGroup)];
        MetricDimension[] cluster = [new("DBClusterIdentifier", names.AuroraCluster)];
        MetricDimension[] writer = [new("DBClusterIdentifier", names.AuroraCluster), new("Role", "WRITER")];
        // Alarms name the node that was the primary when the stack was created, as CloudWatch alarms do.
        MetricDimension[] primaryNode = [new("CacheClusterId", resources.RedisNodes[0])];
        MetricDimension[] table = [new("TableName", names.SessionTable)];
        MetricDimension[] service = [new("Service", names.BusinessService)];

        static MetricQuery Query(string ns, string metric, MetricDimension[] dimensions, Statistic statistic) =>
            new(metric, ns, metric, dimensions, statistic, 60);

        return
        [
            new(SandboxAlarmNames.ApiP99Latency,
                "p99 of the API's response time at the ALB has been above 500 ms for 3 minutes: checkout feels slow to customers.",
                AlarmSeverity.Critical, "GreaterThanThreshold", 0.5,
                [Query(SandboxMetricCatalog.Alb, "TargetResponseTime", lb, Statistic.P99)]),
            new(SandboxAlarmNames.Api5xxRate,
                "More than 1 % of API requests have failed with a 5XX for 3 minutes (metric math 100*(HTTPCode_Target_5XX_Count+HTTPCode_ELB_5XX_Count)/RequestCount).",
                AlarmSeverity.Critical, "GreaterThanThreshold", 1,
                [Query(SandboxMetricCatalog.Alb, "HTTPCode_Target_5XX_Count", lb, Statistic.Sum), Query(SandboxMetricCatalog.Alb, "HTTPCode_ELB_5XX_Count", lb, Statistic.Sum)],
                Query(SandboxMetricCatalog.Alb, "RequestCount", lb, Statistic.Sum)),
            new(SandboxAlarmNames.ApiUnhealthyHosts,
                "At least one API task has been failing the ALB health check for 3 minutes.",
                AlarmSeverity.Warning, "GreaterThanOrEqualToThreshold", 1,
                [Query(SandboxMetricCatalog.Alb, "UnHealthyHostCount", lbTg, Statistic.Maximum)]),
            new(SandboxAlarmNames.AuroraReplicaLag,
                "An Aurora reader has been more than 1 s behind the writer for 3 minutes: reads may return stale balances.",
                AlarmSeverity.Warning, "GreaterThanThreshold", 1000,
                [Query(SandboxMetricCatalog.Rds, "AuroraReplicaLagMaximum", cluster, Statistic.Maximum)]),
            new(SandboxAlarmNames.AuroraWriterCpu,
                "The Aurora writer's CPU has been above 80 % for 3 minutes.",
                AlarmSeverity.Warning, "GreaterThanThreshold", 80,
                [Query(SandboxMetricCatalog.Rds, "CPUUtilization", writer, Statistic.Average)]),
            new(SandboxAlarmNames.RedisHitRate,
                "The Redis cache hit rate has been below 80 % for 3 minutes: misses fall through to Aurora and DynamoDB.",
                AlarmSeverity.Warning, "LessThanThreshold", 80,
                [Query(SandboxMetricCatalog.ElastiCache, "CacheHitRate", primaryNode, Statistic.Average)]),
            new(SandboxAlarmNames.RedisEngineCpu,
                "The Redis engine thread has been above 90 % CPU for 3 minutes.",
                AlarmSeverity.Warning, "GreaterThanThreshold", 90,
                [Query(SandboxMetricCatalog.ElastiCache, "EngineCPUUtilization", primaryNode, Statistic.Average)]),
            new(SandboxAlarmNames.SessionThrottles,
                "The DynamoDB session table has throttled more than 10 requests a minute for 3 minutes (ReadThrottleEvents+WriteThrottleEvents).",
                AlarmSeverity.Warning, "GreaterThanThreshold", 10,
                [Query(SandboxMetricCatalog.DynamoDb, "ReadThrottleEvents", table, Statistic.Sum), Query(SandboxMetricCatalog.DynamoDb, "WriteThrottleEvents", table, Statistic.Sum)]),
            new(SandboxAlarmNames.TransactionFailureRate,
                "More than 2 % of payment transactions have failed for 3 minutes (metric math 100*TransactionsFailed/TransactionsProcessed).",
                AlarmSeverity.Critical, "GreaterThanThreshold", 2,
                [Query(names.BusinessNamespace, "TransactionsFailed", service, Statistic.Sum)],
                Query(names.BusinessNamespace, "TransactionsProcessed", service, Statistic.Sum)),
        ];
    }
}
