using System.Collections.Concurrent;
using System.Globalization;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Logs.Sandbox;

/// <summary>
/// CloudWatch Logs as the Sandbox answers it: Logs Insights queries run in the background over the
/// generated logs (StartQuery returns at once, GetQueryResults reports Running with growing
/// statistics, then Complete), with AWS's limits: 50 log groups, 10,000 rows, 30 concurrent queries.
/// </summary>
public sealed class SandboxCloudWatchLogs : ICloudWatchLogs
{
    /// <summary>Logs Insights runs at most this many queries at once per account.</summary>
    public const int MaxConcurrentQueries = 30;

    /// <summary>Finished queries kept for GetQueryResults (AWS keeps them for 7 days).</summary>
    private const int KeptQueries = 200;

    private readonly SandboxLogGenerator _generator;
    private readonly SandboxPlatform _platform;
    private readonly ConcurrentDictionary<string, SandboxQuery> _queries = new(StringComparer.Ordinal);

    public SandboxCloudWatchLogs(SandboxPlatform platform, PortalEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(platform);
        _platform = platform;
        _generator = new SandboxLogGenerator(platform, environment);
    }

    internal SandboxLogGenerator Generator => _generator;

    /// <summary>The events of some groups in [start, end) (epoch ms), oldest first, as generated.</summary>
    public IEnumerable<LogEvent> Events(IReadOnlyCollection<string> logGroups, long startMs, long endMs) => _generator.Events(logGroups, startMs, endMs);

    public Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var groups = _generator.Groups.All
            .Where(g => request.LogGroupNamePrefix is null || g.StartsWith(request.LogGroupNamePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Take(request.Limit ?? 50)
            .Select(g => new LogGroup(g, $"arn:aws:logs:eu-west-1:000000000000:log-group:{g}", 90, 0))
            .ToList();
        return Task.FromResult(new DescribeLogGroupsResponse(groups));
    }

    public Task<StartQueryResponse> StartQueryAsync(StartQueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogGroupNames.Count == 0 || request.LogGroupNames.Count > StartQueryRequest.MaxLogGroups)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", $"A query needs 1 to {StartQueryRequest.MaxLogGroups} log groups; it names {request.LogGroupNames.Count}.");
        }
        var unknown = request.LogGroupNames.FirstOrDefault(g => !_generator.Groups.All.Contains(g));
        if (unknown is not null)
        {
            throw new InvalidLogsRequestException("ResourceNotFoundException", $"Log group '{unknown}' does not exist. Groups: {string.Join(", ", _generator.Groups.All)}.");
        }
        if (request.EndTime < request.StartTime)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", "The end of the time range is before its start.");
        }
        if (request.Limit is < 1 or > StartQueryRequest.MaxLimit)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", $"Limit must be from 1 to {StartQueryRequest.MaxLimit:N0}.");
        }
        var compiled = QueryParser.Parse(request.QueryString);
        if (_queries.Values.Count(q => !q.IsFinished) >= MaxConcurrentQueries)
        {
            throw new InvalidLogsRequestException("LimitExceededException", $"{MaxConcurrentQueries} queries are already running. Wait for one to finish or stop one.");
        }
        Forget();
        var id = Guid.NewGuid().ToString();
        var groups = request.LogGroupNames.ToHashSet(StringComparer.Ordinal);
        // StartTime and EndTime are whole seconds, both inclusive.
        var events = _generator.Events(groups, request.StartTime * 1000, (request.EndTime + 1) * 1000);
        var query = new SandboxQuery(new QueryEvaluator(compiled, request.Limit ?? StartQueryRequest.DefaultLimit), events, _platform.Now);
        _queries[id] = query;
        query.Start();
        return Task.FromResult(new StartQueryResponse(id));
    }

    public Task<GetQueryResultsResponse> GetQueryResultsAsync(GetQueryResultsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Find(request.QueryId).Results());
    }

    public Task<StopQueryResponse> StopQueryAsync(StopQueryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(new StopQueryResponse(Find(request.QueryId).Stop()));
    }

    public Task<FilterLogEventsResponse> FilterLogEventsAsync(FilterLogEventsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_generator.Groups.All.Contains(request.LogGroupName))
        {
            throw new InvalidLogsRequestException("ResourceNotFoundException", $"Log group '{request.LogGroupName}' does not exist.");
        }
        if (request.Limit is < 1 or > FilterLogEventsRequest.MaxLimit)
        {
            throw new InvalidLogsRequestException("InvalidParameterException", $"Limit must be from 1 to {FilterLogEventsRequest.MaxLimit:N0}.");
        }
        var pattern = FilterPattern.Parse(request.FilterPattern);
        var limit = request.Limit ?? FilterLogEventsRequest.MaxLimit;
        var now = _platform.Now.ToUnixTimeMilliseconds();
        var start = request.StartTime ?? now - 3_600_000;
        var end = request.EndTime ?? now + 1;
        var skip = 0;
        if (request.NextToken is { } token)
        {
            // The token is where the previous page stopped: a timestamp and how many events of it were returned.
            var parts = token.Split(':');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var resume)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out skip) || resume < start)
            {
                throw new InvalidLogsRequestException("InvalidParameterException", "The next token is not valid for this request.");
            }
            start = resume;
        }
        var events = new List<FilteredLogEvent>();
        string? next = null;
        long lastTimestamp = long.MinValue;
        var sameTimestamp = 0;
        foreach (var logEvent in _generator.Events([request.LogGroupName], start, end))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!pattern.Matches(logEvent))
            {
                continue;
            }
            sameTimestamp = logEvent.Timestamp == lastTimestamp ? sameTimestamp + 1 : 1;
            lastTimestamp = logEvent.Timestamp;
            if (logEvent.Timestamp == start && skip > 0)
            {
                skip--;
                continue;
            }
            if (events.Count == limit)
            {
                var returnedAtLast = events[^1].Timestamp == logEvent.Timestamp ? sameTimestamp - 1 : 0;
                next = returnedAtLast > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{logEvent.Timestamp}:{returnedAtLast}")
                    : string.Create(CultureInfo.InvariantCulture, $"{logEvent.Timestamp}:0");
                break;
            }
            events.Add(new FilteredLogEvent(logEvent.LogStream, logEvent.Timestamp, logEvent.Message, logEvent.Timestamp + 180,
                string.Create(CultureInfo.InvariantCulture, $"{logEvent.Timestamp}{sameTimestamp:000000}")));
        }
        return Task.FromResult(new FilterLogEventsResponse(events, next));
    }

    private SandboxQuery Find(string queryId) =>
        _queries.TryGetValue(queryId, out var query)
            ? query
            : throw new InvalidLogsRequestException("ResourceNotFoundException", $"There is no query '{queryId}'.");

    private void Forget()
    {
        var finished = _queries.Where(q => q.Value.IsFinished).OrderBy(q => q.Value.StartedAt).ToList();
        foreach (var (id, _) in finished.Take(Math.Max(0, finished.Count - KeptQueries)))
        {
            _queries.TryRemove(id, out _);
        }
    }

    private sealed class SandboxQuery(QueryEvaluator evaluator, IEnumerable<LogEvent> events, DateTimeOffset startedAt)
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly QueryProgress _progress = new();
        private volatile QueryOutcome? _outcome;
        private volatile int _status = (int)QueryStatus.Scheduled;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public bool IsFinished => (QueryStatus)_status is QueryStatus.Complete or QueryStatus.Cancelled or QueryStatus.Failed;

        public void Start() => _ = Task.Run(() =>
        {
            Interlocked.CompareExchange(ref _status, (int)QueryStatus.Running, (int)QueryStatus.Scheduled);
            try
            {
                _outcome = evaluator.Run(events, _stop.Token, _progress);
                Interlocked.CompareExchange(ref _status, (int)QueryStatus.Complete, (int)QueryStatus.Running);
            }
            catch (OperationCanceledException)
            {
                _status = (int)QueryStatus.Cancelled;
            }
            catch (Exception)
            {
                _status = (int)QueryStatus.Failed;
            }
        });

        public GetQueryResultsResponse Results()
        {
            var status = (QueryStatus)_status;
            return status == QueryStatus.Complete && _outcome is { } outcome
                ? new GetQueryResultsResponse(status, outcome.Rows, outcome.Statistics)
                : new GetQueryResultsResponse(status, [], _progress.Statistics);
        }

        public bool Stop()
        {
            if (IsFinished)
            {
                return false;
            }
            _status = (int)QueryStatus.Cancelled;
            _stop.Cancel();
            return true;
        }
    }
}
