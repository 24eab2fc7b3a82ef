using System.Globalization;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Logs;

/// <summary>Which logs explain a metric: the log groups to search and a query that fits.</summary>
public sealed record LogView(IReadOnlyList<string> LogGroups, string Query);

/// <summary>
/// Addresses of the Logs page: from a dashboard panel ("logs around this point"), from an alarm,
/// and from anything else that knows a time window and what to look for (an operation run page
/// passes its log groups, its start and end, and a query through <see cref="Around"/>). The page
/// reads <c>env</c>, <c>group</c> (repeated), <c>start</c>/<c>end</c> (ISO 8601, UTC) or <c>range</c>,
/// <c>q</c> and <c>run=1</c> (run on arrival).
/// </summary>
public static class LogLinks
{
    public const string Path = "/logs";

    /// <summary>How far before a point the logs reach: enough to see what led up to it.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    /// <summary>The Logs page over [start, end) (an open end reaches to the moment the query runs), running <paramref name="query"/>.</summary>
    public static string Around(PortalEnvironment environment, IEnumerable<string> logGroups, DateTimeOffset start, DateTimeOffset? end, string query, bool run = true) =>
        Build(environment, logGroups, Uri.EscapeDataString(Format(start)), end is { } until ? Uri.EscapeDataString(Format(until)) : null, query, run);

    /// <summary>
    /// The logs of any point of a panel's chart, as the address the chart's script completes: it
    /// puts the point's time less <see cref="Margin"/> for <c>{start}</c> and the end of its period
    /// for <c>{end}</c> (ISO 8601, UTC), as <see cref="ForPanelPoint"/> does on the server. One
    /// address per panel rather than one link per point: a dashboard has hundreds of points.
    /// </summary>
    public static string? ForPanelPoints(PortalEnvironment environment, PanelDefinition panel)
    {
        ArgumentNullException.ThrowIfNull(panel);
        var view = ForMetrics(environment, panel.Series.SelectMany(s => s.Metrics).Select(m => (m.Namespace, m.MetricName)));
        return view is null ? null : Build(environment, view.LogGroups, StartToken, EndToken, view.Query, run: true);
    }

    public const string StartToken = "{start}";
    public const string EndToken = "{end}";

    private static string Build(PortalEnvironment environment, IEnumerable<string> logGroups, string start, string? end, string query, bool run)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var parts = new List<string> { $"env={Uri.EscapeDataString(environment.Key)}" };
        parts.AddRange(logGroups.Select(g => $"group={Uri.EscapeDataString(g)}"));
        parts.Add($"start={start}");
        if (end is not null)
        {
            parts.Add($"end={end}");
        }
        parts.Add($"q={Uri.EscapeDataString(query)}");
        if (run)
        {
            parts.Add("run=1");
        }
        return $"{Path}?{string.Join('&', parts)}";
    }

    /// <summary>
    /// The logs of a panel's point: from <see cref="Margin"/> before its period to the period's end,
    /// so that, newest first, the lines of the point itself lead.
    /// </summary>
    public static string? ForPanelPoint(PortalEnvironment environment, PanelDefinition panel, DateTimeOffset pointStart, int periodSeconds)
    {
        ArgumentNullException.ThrowIfNull(panel);
        var view = ForMetrics(environment, panel.Series.SelectMany(s => s.Metrics).Select(m => (m.Namespace, m.MetricName)));
        return view is null ? null : Around(environment, view.LogGroups, pointStart - Margin, pointStart.AddSeconds(periodSeconds), view.Query);
    }

    /// <summary>The logs from shortly before an alarm changed state up to the moment they are read.</summary>
    /// A metric-math alarm links by the metrics its expression reads; a composite alarm has no metric of its own.
    public static string? ForAlarm(PortalEnvironment environment, FinTech.Portal.Platform.CloudWatch.Alarm alarm)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        if (alarm is not FinTech.Portal.Platform.CloudWatch.MetricAlarm metricAlarm)
        {
            return null;
        }
        IEnumerable<(string, string)> metrics = metricAlarm is { Namespace: { } ns, MetricName: { } name }
            ? [(ns, name)]
            : metricAlarm.Metrics.Where(q => q.MetricStat is not null).Select(q => (q.MetricStat!.Metric.Namespace, q.MetricStat.Metric.MetricName));
        var view = ForMetrics(environment, metrics);
        return view is null ? null : Around(environment, view.LogGroups, alarm.StateUpdatedTimestamp - 2 * Margin, null, view.Query);
    }

    /// <summary>The logs that explain these metrics, or null when no log group does (cache, sessions).</summary>
    public static LogView? ForMetrics(PortalEnvironment environment, IEnumerable<(string Namespace, string MetricName)> metrics)
    {
        var groups = EnvironmentLogGroups.For(environment);
        var list = metrics.ToList();
        bool Any(Func<string, string, bool> test) => list.Any(m => test(m.Namespace, m.MetricName));

        if (Any((_, name) => name.Contains("5XX", StringComparison.Ordinal) || name == "TransactionsFailed"))
        {
            return new LogView([groups.Api], "fields @timestamp, status, route, error, traceId, @logStream\n| filter status >= 500\n| sort @timestamp desc\n| limit 500");
        }
        if (Any((ns, name) => name is "TargetResponseTime" or "TransactionLatency"))
        {
            return new LogView([groups.Api], "fields @timestamp, route, durationMs, status, message, traceId\n| filter durationMs >= 1000\n| sort durationMs desc\n| limit 500");
        }
        if (Any((_, name) => name is "RequestCount" or "TransactionsProcessed"))
        {
            return new LogView([groups.Api], "filter ispresent(status)\n| stats sum(sampleRate) as requests, count(*) as lines by bin(1m), status");
        }
        if (Any((ns, name) => ns is "AWS/ECS" or "ECS/ContainerInsights" || name is "HealthyHostCount" or "UnHealthyHostCount"))
        {
            return new LogView([groups.EcsEvents, groups.Api],
                "fields @timestamp, @log, detail.lastStatus, detail.containers.0.reason, message, task\n| filter ispresent(detail.lastStatus) or message like 'Application started'\n| sort @timestamp desc\n| limit 500");
        }
        if (Any((ns, _) => ns == "AWS/RDS"))
        {
            return new LogView([groups.Postgresql],
                "fields @timestamp, @logStream, @message\n| filter @message like /ERROR|FATAL|duration:|shutdown|promote|ready to accept/\n| sort @timestamp desc\n| limit 500");
        }
        return null;
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
