using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FinTech.Portal.Audit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace FinTech.Portal.Logs;

/// <summary>
/// The Logs page: pick log groups and a time range (shared with the dashboards: <c>range</c>, or
/// <c>start</c>/<c>end</c> from a link), write or pick a query, run it, watch it run (cancel it),
/// read the rows (a click shows the whole event as JSON) and a histogram of the matches.
/// </summary>
public sealed partial class LogsPage : IDisposable
{
    public const string DefaultQuery = "fields @timestamp, @message, @logStream\n| sort @timestamp desc\n| limit 100";

    private const string CustomRange = "custom";

    /// <summary>How often a running query is asked for results: real time, it paces calls to the Logs API.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<int> _expanded = [];
    private IReadOnlyList<Platform.CloudWatchLogs.LogGroup> _available = [];
    private IReadOnlyCollection<string> _groups = [];
    private IReadOnlyList<RecentQuery> _recent = [];
    private IReadOnlyList<SavedQuery> _saved = [];
    private (DateTimeOffset Start, DateTimeOffset End)? _custom;
    private TimeRange _range = TimeRange.Default;
    private string _queryText = DefaultQuery;
    private string? _error;
    private string? _errorText;
    private QueryCompileErrorLocation? _errorLocation;
    private string? _problem;
    private bool _running;
    private int _generation;
    private LogsQueryRun? _run;
    private QueryStatus? _status;
    private QueryStatistics? _statistics;
    private List<IReadOnlyList<ResultField>>? _rows;
    private List<string> _columns = [];
    private ChartSeries? _histogram;
    private (DateTimeOffset Start, DateTimeOffset End)? _window;
    private string? _saveName;
    private bool _saveShared;
    private string? _saveMessage;
    private string? _loadedFor;
    private bool _autoRun;

    [Inject] private LogsQueryService Queries { get; set; } = default!;
    [Inject] private SavedQueries Saved { get; set; } = default!;
    [Inject] private PortalCaller Caller { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    [CascadingParameter] public required PortalEnvironment Environment { get; set; }

    [SupplyParameterFromQuery(Name = "group")] public string[]? GroupParameter { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? RangeKey { get; set; }
    [SupplyParameterFromQuery(Name = "start")] public string? StartParameter { get; set; }
    [SupplyParameterFromQuery(Name = "end")] public string? EndParameter { get; set; }
    [SupplyParameterFromQuery(Name = "q")] public string? QueryParameter { get; set; }
    [SupplyParameterFromQuery(Name = "run")] public string? RunParameter { get; set; }

    private string RangeValue => _custom is null ? _range.Key : CustomRange;

    protected override async Task OnParametersSetAsync()
    {
        var groups = EnvironmentLogGroups.For(Environment);
        _range = TimeRange.Find(RangeKey) ?? TimeRange.Default;
        // A link may leave the end open ("since the alarm"): it then reaches to now.
        var from = ParseTime(StartParameter);
        var until = ParseTime(EndParameter) ?? (from is null ? null : Time.GetUtcNow());
        _custom = from is { } start && until is { } end && end > start ? (start, end) : null;
        var address = Navigation.Uri;
        if (_loadedFor == address)
        {
            return;
        }
        var environmentChanged = _loadedFor is null || !_groups.Any() || !_groups.All(g => groups.All.Contains(g) || _available.Any(a => a.LogGroupName == g));
        _loadedFor = address;
        if (QueryParameter is { Length: > 0 } query)
        {
            _queryText = query;
        }
        _groups = GroupParameter is { Length: > 0 } chosen ? chosen.Distinct().ToList() : environmentChanged ? [groups.Api] : _groups;
        _autoRun = RunParameter == "1";
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        try
        {
            _available = await Queries.LogGroupsAsync(Environment, _disposed.Token);
            _problem = null;
        }
        catch (PlatformUnavailableException error)
        {
            _problem = $"The log groups of {Environment.DisplayName} could not be listed: {error.Message}";
        }
        await LoadListsAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_autoRun && RendererInfo.IsInteractive)
        {
            _autoRun = false;
            await RunAsync();
        }
    }

    private async Task LoadListsAsync()
    {
        var user = await Caller.UserAsync();
        try
        {
            _recent = await Saved.RecentAsync(user, _disposed.Token);
            _saved = await Saved.ListAsync(user, _disposed.Token);
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException)
        {
            _problem = $"Recent and saved queries could not be read ({error.Message}). Queries still run.";
        }
    }

    private async Task RunAsync()
    {
        if (_running)
        {
            return;
        }
        _error = null;
        _errorLocation = null;
        _rows = null;
        _histogram = null;
        _expanded.Clear();
        var window = Window();
        var generation = ++_generation;
        var text = _queryText ?? "";
        LogsQueryRun run;
        try
        {
            run = await Queries.StartAsync(await Caller.UserAsync(), Caller.SourceIp,
                new LogsQueryRequest(Environment, _groups.ToList(), window.Start, window.End, text), _disposed.Token);
        }
        catch (MalformedQueryException malformed)
        {
            (_error, _errorText, _errorLocation) = (malformed.Message, text, malformed.Location);
            return;
        }
        catch (Exception error) when (error is InvalidLogsRequestException or PlatformUnavailableException or PortalAccessDeniedException)
        {
            _error = error.Message;
            return;
        }
        catch (AuditUnavailableException error)
        {
            _error = $"This query of production logs could not be recorded in the audit trail, so it did not run. {error.Message}";
            return;
        }
        _run = run;
        _window = window;
        _running = true;
        _status = QueryStatus.Running;
        _statistics = null;
        StateHasChanged();
        try
        {
            await PollAsync(run, generation);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        catch (Exception error) when (error is InvalidLogsRequestException or PlatformUnavailableException)
        {
            _error = $"The query stopped: {error.Message}";
        }
        finally
        {
            if (generation == _generation)
            {
                _running = false;
            }
        }
        _recent = await SafeRecentAsync();
        // A run started on arrival (run=1) is not an event handler: nothing else renders its end.
        StateHasChanged();
    }

    private async Task PollAsync(LogsQueryRun run, int generation)
    {
        while (true)
        {
            var results = await Queries.ResultsAsync(Environment, run.QueryId, _disposed.Token);
            if (generation != _generation)
            {
                return;
            }
            _status = results.Status;
            _statistics = results.Statistics;
            if (results.Status is not (QueryStatus.Running or QueryStatus.Scheduled))
            {
                if (results.Status == QueryStatus.Complete)
                {
                    Show(results.Results);
                }
                break;
            }
            StateHasChanged();
            await Task.Delay(PollInterval, _disposed.Token);
        }
        if (run.HistogramQueryId is { } histogramId && _status == QueryStatus.Complete)
        {
            while (true)
            {
                var histogram = await Queries.ResultsAsync(Environment, histogramId, _disposed.Token);
                if (histogram.Status == QueryStatus.Complete)
                {
                    _histogram = LogsPageFormat.Histogram(histogram.Results, _window!.Value.Start, _window.Value.End, run.HistogramPeriodSeconds);
                    break;
                }
                if (histogram.Status is not (QueryStatus.Running or QueryStatus.Scheduled) || generation != _generation)
                {
                    break;
                }
                await Task.Delay(PollInterval, _disposed.Token);
            }
        }
    }

    private async Task CancelAsync()
    {
        if (_run is not { } run || !_running)
        {
            return;
        }
        _generation++;
        _running = false;
        _status = QueryStatus.Cancelled;
        try
        {
            await Queries.StopAsync(Environment, run, _disposed.Token);
        }
        catch (Exception error) when (error is InvalidLogsRequestException or PlatformUnavailableException)
        {
            _error = $"The query could not be stopped: {error.Message}";
        }
    }

    private void Show(IReadOnlyList<IReadOnlyList<ResultField>> rows)
    {
        _rows = rows.ToList();
        _columns = rows.SelectMany(r => r.Select(f => f.Field)).Distinct().Where(c => c != "@ptr").ToList();
    }

    private async Task SaveAsync()
    {
        try
        {
            var saved = await Saved.SaveAsync(await Caller.UserAsync(), _saveName ?? "", _queryText ?? "", _groups.ToList(), _saveShared, _disposed.Token);
            _saveMessage = $"Saved “{saved.Name}”{(saved.Shared ? ", shared with everyone who reads logs" : "")}.";
            _saved = await Saved.ListAsync(await Caller.UserAsync(), _disposed.Token);
        }
        catch (SavedQueryException error)
        {
            _saveMessage = error.Message;
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException)
        {
            _saveMessage = $"The query could not be saved ({error.Message}).";
        }
    }

    private void UseQuery(string query, IReadOnlyList<string> groups)
    {
        _queryText = query;
        _groups = groups.ToList();
        _error = null;
    }

    private void SelectGroups(IReadOnlyCollection<string> groups) => _groups = groups.ToList();

    private void SelectRange(string key)
    {
        if (key == CustomRange)
        {
            return;
        }
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
        {
            ["range"] = key,
            ["start"] = null,
            ["end"] = null,
            ["run"] = null,
            ["q"] = _queryText,
        }));
    }

    private void Toggle(int index)
    {
        if (!_expanded.Add(index))
        {
            _expanded.Remove(index);
        }
    }

    private (DateTimeOffset Start, DateTimeOffset End) Window()
    {
        if (_custom is { } custom)
        {
            return custom;
        }
        var now = Time.GetUtcNow();
        return (now - _range.Length, now);
    }


    private async Task<IReadOnlyList<RecentQuery>> SafeRecentAsync()
    {
        try
        {
            return await Saved.RecentAsync(await Caller.UserAsync(), _disposed.Token);
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException or OperationCanceledException)
        {
            return _recent;
        }
    }

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    private static string FormatWindow(DateTimeOffset start, DateTimeOffset end) =>
        Timestamps.ShowRange(start, end);

    private static string OneLine(string query) => query.ReplaceLineEndings(" ").Length > 90 ? query.ReplaceLineEndings(" ")[..90] + "…" : query.ReplaceLineEndings(" ");

    private static string Marked(string text, QueryCompileErrorLocation location) =>
        location.EndCharOffset > location.StartCharOffset ? text[location.StartCharOffset..Math.Min(text.Length, location.EndCharOffset)] : " ";

    private static string Cell(IReadOnlyList<ResultField> row, string column)
    {
        var value = row.FirstOrDefault(f => f.Field == column)?.Value ?? "";
        return value.Length > 300 ? value[..300] + "…" : value;
    }

    private static string StatusText(QueryStatus status) => status switch
    {
        QueryStatus.Complete => "Complete.",
        QueryStatus.Cancelled => "Cancelled.",
        QueryStatus.Failed => "The query failed.",
        QueryStatus.Timeout => "The query timed out.",
        _ => status.ToString(),
    };

    private static string Describe(QueryStatistics? statistics) => statistics is null
        ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"{statistics.RecordsMatched:N0} records matched · {statistics.RecordsScanned:N0} scanned · {statistics.BytesScanned / 1_000_000:N1} MB scanned");

    public void Dispose()
    {
        _generation++;
        _disposed.Cancel();
        _disposed.Dispose();
    }
}

/// <summary>How the Logs page shows results: the whole event as JSON, the histogram as a series.</summary>
public static class LogsPageFormat
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A JSON @message pretty-printed with the row's other fields; otherwise the row's fields.</summary>
    public static string Json(IReadOnlyList<ResultField> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var result = new JsonObject();
        foreach (var field in row)
        {
            JsonNode? value = JsonValue.Create(field.Value);
            if (field.Field == "@message" && field.Value.TrimStart().StartsWith('{'))
            {
                try
                {
                    value = JsonNode.Parse(field.Value);
                }
                catch (JsonException)
                {
                }
            }
            result[field.Field] = value;
        }
        return result.ToJsonString(Indented);
    }

    /// <summary>One bar per period from start to end; periods without matches are zero.</summary>
    public static ChartSeries Histogram(IReadOnlyList<IReadOnlyList<ResultField>> rows, DateTimeOffset start, DateTimeOffset end, int periodSeconds)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var counts = new Dictionary<long, double>();
        foreach (var row in rows)
        {
            var bin = row.FirstOrDefault(f => f.Field.StartsWith("bin(", StringComparison.Ordinal))?.Value;
            var matches = row.FirstOrDefault(f => f.Field == "matches")?.Value;
            if (bin is not null && LogTimestamp.TryParse(bin, out var time) && double.TryParse(matches, NumberStyles.Float, CultureInfo.InvariantCulture, out var count))
            {
                counts[time.Milliseconds] = count;
            }
        }
        var period = periodSeconds * 1000L;
        var first = start.ToUnixTimeMilliseconds() / period * period;
        var points = new List<MetricPoint>();
        for (var t = first; t < end.ToUnixTimeMilliseconds(); t += period)
        {
            points.Add(new MetricPoint(DateTimeOffset.FromUnixTimeMilliseconds(t), counts.GetValueOrDefault(t)));
        }
        return new ChartSeries("matches", points);
    }
}
