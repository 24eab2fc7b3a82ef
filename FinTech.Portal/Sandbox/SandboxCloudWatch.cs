using System.Globalization;
using System.Text;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// CloudWatch over the Sandbox model, answering as CloudWatch does:
/// <list type="bullet">
/// <item>Only minutes that have fully happened (by the platform's <see cref="TimeProvider"/>) have datapoints;
/// unknown metrics and dimension values give an empty result.</item>
/// <item>Retention: a period must be a multiple of 60 s when the start is up to 15 days back, of 300 s up
/// to 63 days, of 3600 s beyond; otherwise the query has no datapoints. The start is rounded down to that
/// granularity, and nothing older than 455 days exists.</item>
/// <item>At most 100,800 datapoints per call over all queries (or <c>MaxDatapoints</c>): the rest follows
/// with a <c>NextToken</c>, the unfinished results flagged <c>PartialData</c>.</item>
/// <item>Metric math (<c>FILL</c>, <c>+ - * /</c>) over the other queries of the request.</item>
/// </list>
/// </summary>
public sealed class SandboxCloudWatch : ICloudWatch
{
    /// <summary>How far back CloudWatch keeps metrics.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(455);

    private readonly SandboxPlatform _platform;
    private readonly SandboxMetricEngine _engine;
    private readonly SandboxAlarmSource _alarms;

    internal SandboxCloudWatch(SandboxPlatform platform, SandboxMetricEngine engine, SandboxAlarmSource alarms)
    {
        _platform = platform;
        _engine = engine;
        _alarms = alarms;
    }

    public Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(GetMetricData(request));
    }

    public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DescribeAlarms(request));
    }

    /// <summary>The alarms as they are now, all of them (what the Sandbox page shows).</summary>
    public IReadOnlyList<MetricAlarm> Alarms => _alarms.Describe();

    /// <summary>The synchronous core: the model computes, it never waits.</summary>
    public GetMetricDataResponse GetMetricData(GetMetricDataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var now = _platform.Now;
        var state = _platform.State;
        var completeBefore = SandboxNoise.FloorDiv(now.ToUnixTimeSeconds(), 60);
        var computed = new Dictionary<string, List<MetricPoint>>(StringComparer.Ordinal);
        foreach (var query in request.MetricDataQueries.Where(q => q.MetricStat is not null))
        {
            computed[query.Id] = MetricPoints(query.MetricStat!, request.StartTime, request.EndTime, now, state, completeBefore);
        }
        foreach (var query in request.MetricDataQueries.Where(q => q.Expression is not null))
        {
            computed[query.Id] = ExpressionPoints(query, request, computed, now, completeBefore);
        }

        var returned = request.MetricDataQueries.Where(q => q.ReturnData).ToList();
        var ordered = returned.Select(q => request.ScanBy == ScanBy.TimestampAscending
            ? computed[q.Id]
            : Enumerable.Reverse(computed[q.Id]).ToList()).ToList();
        var total = ordered.Sum(p => (long)p.Count);
        var offset = ParseToken(request, total);
        var budget = (long)(request.MaxDatapoints ?? GetMetricDataRequest.MaxDatapointsPerCall);
        var results = new List<MetricDataResult>(returned.Count);
        long skipped = 0;
        var end = offset;
        for (var i = 0; i < returned.Count; i++)
        {
            var points = ordered[i];
            // The datapoints of this result that fall on this page.
            var from = (int)Math.Clamp(offset - skipped, 0, points.Count);
            var take = (int)Math.Clamp(budget - (end - offset), 0, points.Count - from);
            skipped += points.Count;
            end += take;
            var finished = from + take == points.Count;
            if (offset > 0 && take == 0 && from == points.Count)
            {
                continue; // delivered completely on an earlier page
            }
            var page = points.GetRange(from, take);
            results.Add(new MetricDataResult
            {
                Id = returned[i].Id,
                Label = returned[i].Label ?? returned[i].MetricStat?.Metric.MetricName ?? returned[i].Id,
                Timestamps = page.Select(p => p.Timestamp).ToList(),
                Values = page.Select(p => p.Value).ToList(),
                StatusCode = finished ? StatusCode.Complete : StatusCode.PartialData,
            });
        }
        return new GetMetricDataResponse
        {
            MetricDataResults = results,
            NextToken = end < total ? Token(request, end) : null,
        };
    }

    /// <summary>
    /// DescribeAlarms: filtered by names, prefix, type and state, ordered by name, paged by
    /// <c>MaxRecords</c> (default 50) with a NextToken. Without <c>AlarmTypes</c> only metric alarms.
    /// </summary>
    public DescribeAlarmsResponse DescribeAlarms(DescribeAlarmsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var maxRecords = request.MaxRecords ?? 50;
        if (maxRecords is < 1 or > 100)
        {
            throw new ArgumentException($"MaxRecords must be 1 to 100; got {maxRecords}.", nameof(request));
        }
        var types = request.AlarmTypes ?? [AlarmType.MetricAlarm];
        IEnumerable<Alarm> alarms = [];
        if (types.Contains(AlarmType.MetricAlarm))
        {
            alarms = alarms.Concat(_alarms.Describe());
        }
        if (types.Contains(AlarmType.CompositeAlarm))
        {
            alarms = alarms.Concat(_alarms.DescribeComposite());
        }
        var selected = alarms
            .Where(a => request.AlarmNames is null || request.AlarmNames.Contains(a.AlarmName, StringComparer.Ordinal))
            .Where(a => request.AlarmNamePrefix is null || a.AlarmName.StartsWith(request.AlarmNamePrefix, StringComparison.Ordinal))
            .Where(a => request.StateValue is null || a.StateValue == request.StateValue)
            .OrderBy(a => a.AlarmName, StringComparer.Ordinal)
            .ToList();
        var offset = 0;
        if (request.NextToken is { } token)
        {
            if (!token.StartsWith("alarms:", StringComparison.Ordinal)
                || !int.TryParse(token.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > selected.Count)
            {
                throw new ArgumentException($"The NextToken '{token}' was not issued for this DescribeAlarms request.", nameof(request));
            }
        }
        var page = selected.Skip(offset).Take(maxRecords).ToList();
        return new DescribeAlarmsResponse
        {
            MetricAlarms = page.OfType<MetricAlarm>().ToList(),
            CompositeAlarms = page.OfType<CompositeAlarm>().ToList(),
            NextToken = offset + page.Count < selected.Count ? $"alarms:{offset + page.Count}" : null,
        };
    }

    /// <summary>The retention granularity CloudWatch keeps for data that old: 60 s, 300 s or 3600 s.</summary>
    public static int RetentionGranularitySeconds(DateTimeOffset start, DateTimeOffset now)
    {
        var age = now - start;
        return age <= TimeSpan.FromDays(15) ? 60 : age <= TimeSpan.FromDays(63) ? 300 : 3600;
    }

    private List<MetricPoint> MetricPoints(MetricStat stat, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, SandboxState state, long completeBefore)
    {
        var granularity = RetentionGranularitySeconds(start, now);
        if (stat.Period % granularity != 0 || !_engine.TryResolve(stat.Metric, stat.Stat, out var metric))
        {
            // Finer than what CloudWatch still keeps for that age: no datapoints, as CloudWatch answers.
            return [];
        }
        var oldest = (now - Retention).ToUnixTimeSeconds();
        var startSeconds = Math.Max(SandboxNoise.FloorDiv(start.ToUnixTimeSeconds(), granularity) * granularity, oldest);
        var periodMinutes = stat.Period / 60;
        var firstMinute = SandboxNoise.FloorDiv(startSeconds, stat.Period) * periodMinutes;
        var endMinute = Math.Min(SandboxNoise.FloorDiv(end.ToUnixTimeSeconds() + 59, 60), completeBefore);
        return _engine.Points(metric, periodMinutes, firstMinute, endMinute, state);
    }

    /// <summary>Metric math over every period of the range: <c>FILL</c> gives a value to periods a metric has none for.</summary>
    private static List<MetricPoint> ExpressionPoints(MetricDataQuery query, GetMetricDataRequest request,
        Dictionary<string, List<MetricPoint>> computed, DateTimeOffset now, long completeBefore)
    {
        var math = SandboxMetricMath.Parse(query.Expression!);
        var period = query.Period
            ?? request.MetricDataQueries.Where(q => math.Ids.Contains(q.Id) && q.MetricStat is not null).Select(q => (int?)q.MetricStat!.Period).Min()
            ?? 60;
        var inputs = new Dictionary<string, Dictionary<DateTimeOffset, double>>(StringComparer.Ordinal);
        foreach (var id in math.Ids)
        {
            inputs[id] = computed.TryGetValue(id, out var points)
                ? points.ToDictionary(p => p.Timestamp, p => p.Value)
                : throw new ArgumentException($"Expression '{query.Expression}' of query '{query.Id}' reads '{id}', which is not a query of this request.", nameof(request));
        }
        var granularity = RetentionGranularitySeconds(request.StartTime, now);
        var first = SandboxNoise.FloorDiv(SandboxNoise.FloorDiv(request.StartTime.ToUnixTimeSeconds(), granularity) * granularity, period) * period;
        var end = Math.Min(request.EndTime.ToUnixTimeSeconds(), completeBefore * 60);
        var result = new List<MetricPoint>();
        for (var t = first; t < end; t += period)
        {
            var timestamp = DateTimeOffset.FromUnixTimeSeconds(t);
            var value = math.Evaluate(id => inputs[id].TryGetValue(timestamp, out var v) ? v : double.NaN);
            if (!double.IsNaN(value) && !double.IsInfinity(value))
            {
                result.Add(new MetricPoint(timestamp, value));
            }
        }
        return result;
    }

    private static void Validate(GetMetricDataRequest request)
    {
        var queries = request.MetricDataQueries;
        if (queries.Count is 0 or > GetMetricDataRequest.MaxQueries)
        {
            throw new ArgumentException(
                $"A GetMetricData request holds 1 to {GetMetricDataRequest.MaxQueries} queries; this one has {queries.Count}. Split it.", nameof(request));
        }
        if (request.EndTime <= request.StartTime)
        {
            throw new ArgumentException($"EndTime ({request.EndTime:O}) must be after StartTime ({request.StartTime:O}).", nameof(request));
        }
        if (request.MaxDatapoints is < 1 or > GetMetricDataRequest.MaxDatapointsPerCall)
        {
            throw new ArgumentException($"MaxDatapoints must be 1 to {GetMetricDataRequest.MaxDatapointsPerCall:N0}; got {request.MaxDatapoints}.", nameof(request));
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var query in queries)
        {
            if (string.IsNullOrEmpty(query.Id) || !char.IsAsciiLetterLower(query.Id[0]) || !query.Id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ArgumentException($"Query id '{query.Id}' must start with a lower-case letter and hold only letters, digits and underscores.", nameof(request));
            }
            if (!ids.Add(query.Id))
            {
                throw new ArgumentException($"Query id '{query.Id}' is used twice; ids must be unique within a request.", nameof(request));
            }
            if ((query.MetricStat is null) == (query.Expression is null))
            {
                throw new ArgumentException($"Query '{query.Id}' must have exactly one of MetricStat and Expression.", nameof(request));
            }
            var period = query.MetricStat?.Period ?? query.Period;
            if (period is { } p && (p < 60 || p % 60 != 0))
            {
                throw new ArgumentException(
                    $"Query '{query.Id}' asks for a period of {p} s. The Sandbox, like CloudWatch for standard-resolution metrics, needs a multiple of 60 seconds (60, 300, 3600, ...).",
                    nameof(request));
            }
            if (query.MetricStat is { Stat.Name: null })
            {
                throw new ArgumentException($"Query '{query.Id}' has no statistic. Use Average, Sum, Minimum, Maximum, SampleCount or pNN.", nameof(request));
            }
        }
    }

    /// <summary>A token names the offset into the flattened datapoints and the request it belongs to.</summary>
    private static string Token(GetMetricDataRequest request, long offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset.ToString(CultureInfo.InvariantCulture)}|{Fingerprint(request)}"));

    private static long ParseToken(GetMetricDataRequest request, long total)
    {
        if (request.NextToken is not { } token)
        {
            return 0;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split('|', 2);
            if (parts.Length == 2 && parts[1] == Fingerprint(request)
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) && offset <= total)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Reported below like any other foreign token.
        }
        throw new ArgumentException("The NextToken was not issued for this GetMetricData request (same queries, range and order are needed).", nameof(request));
    }

    private static string Fingerprint(GetMetricDataRequest request)
    {
        var text = new StringBuilder();
        text.Append(request.StartTime.ToUnixTimeSeconds()).Append(',').Append(request.EndTime.ToUnixTimeSeconds()).Append(',').Append(request.ScanBy);
        foreach (var q in request.MetricDataQueries)
        {
            text.Append(';').Append(q.Id).Append(',').Append(q.Expression).Append(',').Append(q.MetricStat?.Metric.MetricName).Append(',').Append(q.MetricStat?.Period);
        }
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
