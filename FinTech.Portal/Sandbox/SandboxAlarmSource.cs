using System.Globalization;
using System.Text.Json;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The CloudWatch alarms of the platform catalogue (the ones infra/ creates), evaluated over the
/// model as CloudWatch does: each one-minute datapoint (a metric, or metric math with FILL), M of
/// the last N breaching puts the alarm in ALARM, TreatMissingData decides what a missing datapoint
/// counts as. State and its last change are computed from the fault history, not stored.
/// </summary>
internal sealed class SandboxAlarmSource
{
    private readonly SandboxPlatform _platform;
    private readonly SandboxMetricEngine _engine;
    private readonly IReadOnlyList<Definition> _alarms;
    private Evaluated? _latest;

    internal SandboxAlarmSource(SandboxPlatform platform, SandboxMetricEngine engine, SandboxResources resources)
    {
        _platform = platform;
        _engine = engine;
        // Sized for the environment's Aurora instance class, as infra sizes the alarms it deploys.
        _alarms = PlatformCatalogue.SizedFor(PlatformCatalogue.AllAlarms, resources.Names.AuroraInstanceClass).Select(a => Resolve(a, resources)).ToList();
    }

    /// <summary>The alarm's name in this environment: the environment's prefix and the catalogue key.</summary>
    public static string Name(PlatformResources resources, string key) => resources.AlarmNamePrefix + key;

    /// <summary>
    /// Alarms change only at minute boundaries or when a knob turns, so one evaluation per
    /// (state, minute) serves every circuit that asks within that minute. The next evaluation
    /// starts from this one: knobs and failovers act from the moment they happen, so state
    /// changes up to the evaluated minute stay as they were and only the minutes since are new.
    /// </summary>
    public IReadOnlyList<MetricAlarm> Describe()
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
        var longest = _alarms.Max(a => a.Alarm.EvaluationPeriods);
        var timeline = new SandboxTimeline(_engine.Model, state, Math.Min(startedMinute, nowMinute) - 2 * longest, nowMinute);
        var alarms = new MetricAlarm[_alarms.Count];
        var changes = new long?[_alarms.Count];
        for (var i = 0; i < _alarms.Count; i++)
        {
            var evaluation = new Evaluation(this, _alarms[i], timeline, startedMinute);
            (alarms[i], changes[i]) = evaluation.Describe(nowMinute, Math.Max(startedMinute, known?.Minute ?? long.MinValue), known?.Changes[i], _platform.StartedAt);
        }
        Volatile.Write(ref _latest, new Evaluated(state, nowMinute, alarms, changes));
        return alarms;
    }

    /// <summary>The catalogue has no composite alarms yet; the Sandbox answers the type like CloudWatch would.</summary>
    public IReadOnlyList<CompositeAlarm> DescribeComposite() => [];

    /// <summary>The alarms at <see cref="Minute"/>, and the minute each last changed state (null: never since start).</summary>
    private sealed record Evaluated(SandboxState State, long Minute, IReadOnlyList<MetricAlarm> Alarms, long?[] Changes);

    /// <summary>A catalogue alarm with its metrics found in the Sandbox and its configuration as DescribeAlarms returns it.</summary>
    private sealed record Definition(
        CatalogueAlarm Alarm,
        MetricAlarm Configuration,
        IReadOnlyDictionary<string, ResolvedMetric?> Metrics,
        SandboxMetricMath? Math,
        ComparisonOperator Comparison,
        TreatMissingData TreatMissingData);

    private Definition Resolve(CatalogueAlarm alarm, SandboxResources resources)
    {
        if (alarm.PeriodSeconds != 60)
        {
            throw new InvalidOperationException($"Alarm {alarm.Key} has a period of {alarm.PeriodSeconds} s; the Sandbox evaluates one-minute alarms.");
        }
        var names = resources.Names;
        string Resource(string placeholder) => placeholder switch
        {
            "LoadBalancer" => names.LoadBalancer,
            "ApiTargetGroup" => names.TargetGroup,
            "PortalTargetGroup" => resources.PortalTargetGroup,
            "EcsCluster" => names.EcsCluster,
            "ApiService" => names.EcsService,
            "PortalService" => resources.PortalService,
            "AuroraCluster" => names.AuroraCluster,
            "SessionTable" => names.SessionTable,
            "BusinessService" => names.BusinessService,
            // A member the platform does not have: the name AWS would give it, with no data (as on AWS).
            _ when Member(placeholder, "AuroraInstance:") is { } index => index < resources.AuroraInstances.Length
                ? resources.AuroraInstances[index]
                : $"{names.AuroraCluster}-{index + 1}",
            _ when Member(placeholder, "RedisNode:") is { } index => index < resources.RedisNodes.Length
                ? resources.RedisNodes[index]
                : $"{names.RedisReplicationGroup}-{index + 1:000}",
            _ => throw new InvalidOperationException($"Alarm {alarm.Key} names an unknown resource {{{placeholder}}}."),
        };
        static int? Member(string placeholder, string prefix) =>
            placeholder.StartsWith(prefix, StringComparison.Ordinal) ? int.Parse(placeholder[prefix.Length..], CultureInfo.InvariantCulture) : null;
        var queries = alarm.Metrics.Select(m => new MetricDataQuery
        {
            Id = m.Id,
            MetricStat = new MetricStat(
                new Metric(m.Namespace == PlatformCatalogue.BusinessNamespace ? names.BusinessNamespace : m.Namespace, m.MetricName,
                    m.Dimensions.Select(d => new Dimension(d.Name, PlatformCatalogue.Resolve(d.Value, Resource))).ToList()),
                alarm.PeriodSeconds, Statistic.Parse(m.Stat)),
            ReturnData = alarm.Expression is null,
        }).ToList();
        // A metric of a resource the platform does not have has no data, as CloudWatch answers; the
        // catalogue tests make sure every alarm's metric is one the Sandbox emits.
        var metrics = queries.ToDictionary(q => q.Id, q => _engine.TryResolve(q.MetricStat!.Metric, q.MetricStat.Stat, out var resolved) ? resolved : (ResolvedMetric?)null);
        var math = alarm.Expression is null ? null : SandboxMetricMath.Parse(alarm.Expression);
        var comparison = Enum.Parse<ComparisonOperator>(alarm.ComparisonOperator);
        var treatMissing = CloudWatchWire.ParseTreatMissingData(alarm.TreatMissingData);
        var name = Name(names, alarm.Key);
        var topic = $"arn:aws:sns:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:{names.AlarmNamePrefix}alarms";
        var single = math is null ? queries[0].MetricStat! : null;
        var configuration = new MetricAlarm
        {
            AlarmName = name,
            AlarmArn = $"arn:aws:cloudwatch:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:alarm:{name}",
            AlarmDescription = alarm.Description,
            StateValue = StateValue.InsufficientData,
            StateReason = "Unchecked: Initial alarm creation",
            StateUpdatedTimestamp = _platform.StartedAt,
            AlarmActions = [topic],
            OKActions = [topic],
            Namespace = single?.Metric.Namespace,
            MetricName = single?.Metric.MetricName,
            Dimensions = single?.Metric.Dimensions ?? [],
            Statistic = single is { Stat.IsPercentile: false } ? single.Stat.Name : null,
            ExtendedStatistic = single is { Stat.IsPercentile: true } ? single.Stat.Name : null,
            Period = single?.Period,
            Metrics = math is null ? [] : [.. queries, new MetricDataQuery { Id = PlatformCatalogue.ExpressionId, Expression = alarm.Expression, Label = alarm.Key, ReturnData = true, Period = alarm.PeriodSeconds }],
            EvaluationPeriods = alarm.EvaluationPeriods,
            DatapointsToAlarm = alarm.DatapointsToAlarm,
            Threshold = alarm.Threshold,
            ComparisonOperator = comparison,
            TreatMissingData = treatMissing,
        };
        return new Definition(alarm, configuration, metrics, math, comparison, treatMissing);
    }

    /// <summary>One alarm evaluated against one timeline, with its datapoints computed once each.</summary>
    private sealed class Evaluation(SandboxAlarmSource source, Definition definition, SandboxTimeline timeline, long startedMinute)
    {
        private readonly Dictionary<long, double> _datapoints = [];
        private readonly Dictionary<long, StateValue> _states = [];
        private int N => definition.Alarm.EvaluationPeriods;
        private int M => definition.Alarm.DatapointsToAlarm;

        /// <summary>
        /// The alarm at <paramref name="nowMinute"/>. Changes at or before <paramref name="knownUntil"/>
        /// are already known: the latest of them is <paramref name="knownChange"/>.
        /// </summary>
        public (MetricAlarm Alarm, long? Changed) Describe(long nowMinute, long knownUntil, long? knownChange, DateTimeOffset startedAt)
        {
            var state = StateAt(nowMinute);
            var changed = LastChange(nowMinute, knownUntil) ?? knownChange;
            var updated = changed is { } minute ? DateTimeOffset.FromUnixTimeSeconds(minute * 60) : startedAt;
            var alarm = definition.Configuration with
            {
                StateValue = state,
                StateReason = Reason(state, nowMinute),
                StateReasonData = ReasonData(nowMinute),
                StateUpdatedTimestamp = updated,
                StateTransitionedTimestamp = updated,
            };
            return (alarm, changed);
        }

        /// <summary>The one-minute datapoint; NaN when there is none.</summary>
        private double Datapoint(long minute)
        {
            if (!_datapoints.TryGetValue(minute, out var value))
            {
                double Read(ResolvedMetric? metric) => metric is { } m ? source._engine.MinuteValue(m, timeline, minute) : double.NaN;
                value = definition.Math is { } math
                    ? math.Evaluate(id => Read(definition.Metrics[id]))
                    : Read(definition.Metrics.Values.Single());
                _datapoints[minute] = value;
            }
            return value;
        }

        /// <summary>
        /// Undisturbed minutes are the baseline, which never crosses a threshold (the tests hold the
        /// model to that), so only minutes near a fault are computed.
        /// </summary>
        private bool? Breaches(long minute)
        {
            if (!timeline.IsDisturbed(minute))
            {
                return false;
            }
            var value = Datapoint(minute);
            if (double.IsNaN(value))
            {
                return null;
            }
            var threshold = definition.Alarm.Threshold;
            return definition.Comparison switch
            {
                ComparisonOperator.GreaterThanThreshold => value > threshold,
                ComparisonOperator.GreaterThanOrEqualToThreshold => value >= threshold,
                ComparisonOperator.LessThanThreshold => value < threshold,
                _ => value <= threshold,
            };
        }

        /// <summary>The state evaluated at the start of <paramref name="minute"/>, from the N minutes before it.</summary>
        private StateValue StateAt(long minute)
        {
            if (_states.TryGetValue(minute, out var known))
            {
                return known;
            }
            var breaching = 0;
            var missing = 0;
            for (var i = 1; i <= N; i++)
            {
                switch (Breaches(minute - i))
                {
                    case true: breaching++; break;
                    case null: missing++; break;
                }
            }
            StateValue state;
            if (missing == N)
            {
                state = definition.TreatMissingData switch
                {
                    TreatMissingData.Breaching => M <= N ? StateValue.Alarm : StateValue.Ok,
                    TreatMissingData.NotBreaching => StateValue.Ok,
                    // Keeps the state it had; before the platform started there is nothing to keep.
                    TreatMissingData.Ignore => minute <= startedMinute - N ? StateValue.Ok : StateAt(minute - 1),
                    _ => StateValue.InsufficientData,
                };
            }
            else
            {
                var counted = definition.TreatMissingData == TreatMissingData.Breaching ? breaching + missing : breaching;
                state = counted >= M ? StateValue.Alarm : StateValue.Ok;
            }
            _states[minute] = state;
            return state;
        }

        /// <summary>
        /// The latest minute after <paramref name="after"/> whose state differs from the minute
        /// before, or null when there is none. Only minutes near a fault can change state.
        /// </summary>
        private long? LastChange(long nowMinute, long after)
        {
            foreach (var (from, to) in timeline.DisturbedWindows(nowMinute).Reverse())
            {
                var low = Math.Max(from + 1, after + 1);
                var high = Math.Min(to + N + 1, nowMinute);
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

        private string Reason(StateValue state, long nowMinute)
        {
            var minutes = Enumerable.Range(1, N).Select(i => nowMinute - i).ToList();
            var comparison = Comparison(definition.Comparison);
            var threshold = Format(definition.Alarm.Threshold);
            var breaching = minutes.Where(m => Breaches(m) == true).ToList();
            if (state == StateValue.Alarm)
            {
                return $"Threshold Crossed: {breaching.Count} out of the last {N} datapoints [{List(breaching)}] {(breaching.Count == 1 ? "was" : "were")} {comparison} the threshold ({threshold}) (minimum {M} datapoint{(M == 1 ? "" : "s")} for OK -> ALARM transition).";
            }
            if (state == StateValue.InsufficientData)
            {
                return $"Insufficient Data: {N} datapoints were unknown.";
            }
            var calm = minutes.Where(m => Breaches(m) == false).ToList();
            return $"Threshold Crossed: {calm.Count} out of the last {N} datapoints [{List(calm)}] {(calm.Count == 1 ? "was" : "were")} not {comparison} the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition).";
        }

        private string ReasonData(long nowMinute)
        {
            var minutes = Enumerable.Range(1, N).Select(i => nowMinute - i).ToList();
            var data = new
            {
                version = "1.0",
                queryDate = DateTimeOffset.FromUnixTimeSeconds(nowMinute * 60).ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture),
                period = definition.Alarm.PeriodSeconds,
                threshold = definition.Alarm.Threshold,
                recentDatapoints = minutes.Select(Value).Where(v => !double.IsNaN(v)).ToList(),
            };
            return JsonSerializer.Serialize(data);
        }

        /// <summary>The value shown for a minute: computed near faults, the baseline's own value elsewhere.</summary>
        private double Value(long minute) => Datapoint(minute);

        private string List(IEnumerable<long> minutes) => string.Join(", ", minutes.Select(m =>
            $"{Format(Value(m))} ({DateTimeOffset.FromUnixTimeSeconds(m * 60).ToString("dd/MM/yy HH:mm:ss", CultureInfo.InvariantCulture)})"));

        private static string Comparison(ComparisonOperator comparison) => comparison switch
        {
            ComparisonOperator.GreaterThanThreshold => "greater than",
            ComparisonOperator.GreaterThanOrEqualToThreshold => "greater than or equal to",
            ComparisonOperator.LessThanThreshold => "less than",
            _ => "less than or equal to",
        };

        private static string Format(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);
    }
}
