using System.Globalization;
using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Logs;

/// <summary>What someone asks: a query over some log groups of an environment in a time window.</summary>
public sealed record LogsQueryRequest(PortalEnvironment Environment, IReadOnlyList<string> LogGroups, DateTimeOffset Start, DateTimeOffset End, string QueryText);

/// <summary>A started query and, for a query without stats, the histogram query started beside it.</summary>
public sealed record LogsQueryRun(string QueryId, string? HistogramQueryId, int HistogramPeriodSeconds);

/// <summary>
/// Runs Logs Insights queries for people: checks the role in the service, compiles the query here
/// first (so a typo is pointed at without a round trip), records queries of production
/// environments in the audit trail before they run (fail closed: no record, no query), starts a
/// histogram of the matches beside a query without stats, and remembers the person's recent queries.
/// </summary>
public sealed class LogsQueryService(
    PlatformRegistry registry,
    PortalAuthorization authorization,
    AuditTrail trail,
    SavedQueries saved,
    ILogger<LogsQueryService> logger)
{
    /// <summary>The histogram has about this many bars whatever the range.</summary>
    public const int HistogramBars = 60;

    private static readonly int[] NicePeriods = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

    public async Task<IReadOnlyList<LogGroup>> LogGroupsAsync(PortalEnvironment environment, CancellationToken ct)
    {
        var response = await Port(environment).DescribeLogGroupsAsync(new DescribeLogGroupsRequest(), ct);
        return response.LogGroups;
    }

    public async Task<LogsQueryRun> StartAsync(ClaimsPrincipal user, string? sourceIp, LogsQueryRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        await authorization.EnsureCanViewDashboardsAsync(user, sourceIp, ct);
        if (request.LogGroups.Count == 0)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", "Pick at least one log group.");
        }
        if (request.End <= request.Start)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", "The end of the time range must be after its start.");
        }
        var compiled = QueryParser.Parse(request.QueryText);
        if (request.Environment.IsProduction)
        {
            // Audit first: a query of production logs that cannot be recorded does not run.
            await trail.RecordAsync(new AuditEntry(
                LogsAuditEvents.Queried,
                AuditActor.FromPrincipal(user, sourceIp),
                AuditOutcome.Succeeded,
                Environment: request.Environment.Key,
                Target: string.Join(", ", request.LogGroups),
                Parameters: new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["query"] = request.QueryText,
                    ["logGroups"] = string.Join(", ", request.LogGroups),
                    ["start"] = request.Start.ToString("O", CultureInfo.InvariantCulture),
                    ["end"] = request.End.ToString("O", CultureInfo.InvariantCulture),
                }), ct);
        }
        var port = Port(request.Environment);
        // StartQuery's times are whole seconds, both inclusive.
        var start = request.Start.ToUnixTimeSeconds();
        var end = request.End.ToUnixTimeSeconds() - 1;
        var started = await port.StartQueryAsync(new StartQueryRequest(request.LogGroups, start, end, request.QueryText), ct);
        string? histogramId = null;
        var period = HistogramPeriod(request.End - request.Start);
        if (HistogramQuery(compiled, period) is { } histogram)
        {
            histogramId = (await port.StartQueryAsync(new StartQueryRequest(request.LogGroups, start, end, histogram, StartQueryRequest.MaxLimit), ct)).QueryId;
        }
        try
        {
            await saved.AddRecentAsync(user, request.Environment.Key, request.QueryText, request.LogGroups, ct);
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException)
        {
            // The recent list is a convenience: a database hiccup must not fail the query itself.
            logger.LogWarning(error, "Could not remember a recent logs query");
        }
        return new LogsQueryRun(started.QueryId, histogramId, period);
    }

    public Task<GetQueryResultsResponse> ResultsAsync(PortalEnvironment environment, string queryId, CancellationToken ct) =>
        Port(environment).GetQueryResultsAsync(new GetQueryResultsRequest(queryId), ct);

    public async Task StopAsync(PortalEnvironment environment, LogsQueryRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var port = Port(environment);
        await port.StopQueryAsync(new StopQueryRequest(run.QueryId), ct);
        if (run.HistogramQueryId is { } histogram)
        {
            await port.StopQueryAsync(new StopQueryRequest(histogram), ct);
        }
    }

    /// <summary>A bar width that gives about <see cref="HistogramBars"/> bars, rounded to a period people read easily.</summary>
    public static int HistogramPeriod(TimeSpan range)
    {
        var wanted = range.TotalSeconds / HistogramBars;
        return NicePeriods.FirstOrDefault(p => p >= wanted, NicePeriods[^1]);
    }

    /// <summary>
    /// The matches per bar: the query's per-event commands (fields, parse, filter) followed by a
    /// count by bin. None for a query that aggregates (its own result is the picture).
    /// </summary>
    public static string? HistogramQuery(InsightsQuery query, int periodSeconds)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.HasStats)
        {
            return null;
        }
        var cut = query.Commands.FirstOrDefault(c => c is SortCommand or LimitCommand or DedupCommand or DisplayCommand)?.Start ?? query.Text.Length;
        var head = query.Text[..cut].TrimEnd().TrimEnd('|').TrimEnd();
        var period = periodSeconds % 3600 == 0 ? $"{periodSeconds / 3600}h" : $"{periodSeconds / 60}m";
        return head.Length == 0
            ? $"stats count(*) as matches by bin({period})"
            : $"{head}\n| stats count(*) as matches by bin({period})";
    }

    private ICloudWatchLogs Port(PortalEnvironment environment) => registry.Connect(environment).Get<ICloudWatchLogs>();
}

public static class LogsAuditEvents
{
    /// <summary>A Logs Insights query of a production environment: the query text, the log groups and the time range.</summary>
    public const string Queried = "logs.queried";
}
