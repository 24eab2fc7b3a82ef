namespace FinTech.Portal.Platform.CloudWatchLogs;

// The CloudWatch Logs port, shaped like the SDK's AmazonCloudWatchLogsClient: request and response
// records named after the API actions, times in the API's units (StartQuery: epoch seconds;
// FilterLogEvents: epoch milliseconds). The Sandbox answers from its model, the Aws backend with
// signed calls to logs.<region>.amazonaws.com (JSON 1.1, target Logs_20140328.*).

/// <summary>CloudWatch Logs: Logs Insights queries over log groups, and following a group live.</summary>
public interface ICloudWatchLogs
{
    /// <summary><c>DescribeLogGroups</c>: the groups whose names start with the prefix.</summary>
    Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken cancellationToken);

    /// <summary><c>StartQuery</c>: schedules a Logs Insights query. A query that does not compile throws <see cref="MalformedQueryException"/>.</summary>
    Task<StartQueryResponse> StartQueryAsync(StartQueryRequest request, CancellationToken cancellationToken);

    /// <summary><c>GetQueryResults</c>: the status, the rows so far and the statistics of a query.</summary>
    Task<GetQueryResultsResponse> GetQueryResultsAsync(GetQueryResultsRequest request, CancellationToken cancellationToken);

    /// <summary><c>StopQuery</c>: cancels a running query; false when it had already ended.</summary>
    Task<StopQueryResponse> StopQueryAsync(StopQueryRequest request, CancellationToken cancellationToken);

    /// <summary><c>FilterLogEvents</c>: the events of one group in a time window, oldest first, page by page.</summary>
    Task<FilterLogEventsResponse> FilterLogEventsAsync(FilterLogEventsRequest request, CancellationToken cancellationToken);
}

public sealed record DescribeLogGroupsRequest(string? LogGroupNamePrefix = null, int? Limit = null);

public sealed record DescribeLogGroupsResponse(IReadOnlyList<LogGroup> LogGroups);

/// <summary>A log group as DescribeLogGroups lists it.</summary>
public sealed record LogGroup(string LogGroupName, string Arn, int? RetentionInDays, long StoredBytes);

/// <summary>
/// <c>StartQuery</c>. <paramref name="StartTime"/> and <paramref name="EndTime"/> are epoch seconds,
/// both inclusive, as the API has them. <paramref name="Limit"/> caps the rows when the query has no <c>limit</c>.
/// </summary>
public sealed record StartQueryRequest(IReadOnlyList<string> LogGroupNames, long StartTime, long EndTime, string QueryString, int? Limit = null)
{
    /// <summary>Logs Insights returns at most this many rows.</summary>
    public const int MaxLimit = 10_000;

    /// <summary>The rows a query without <c>limit</c> returns (the console's default).</summary>
    public const int DefaultLimit = 1_000;

    /// <summary>StartQuery accepts at most this many log groups.</summary>
    public const int MaxLogGroups = 50;
}

public sealed record StartQueryResponse(string QueryId);

public sealed record GetQueryResultsRequest(string QueryId);

/// <summary>The query's state, as <c>GetQueryResults</c> reports it.</summary>
public enum QueryStatus { Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown }

/// <summary>One field of a result row: every value is a string, like the API's.</summary>
public sealed record ResultField(string Field, string Value);

/// <summary>What the query cost, as AWS reports it.</summary>
public sealed record QueryStatistics(double RecordsMatched, double RecordsScanned, double BytesScanned);

/// <summary>
/// <c>GetQueryResults</c>. While <see cref="Status"/> is Running the rows are those found so far
/// (possibly none) and the statistics grow; they are final once it is Complete.
/// </summary>
public sealed record GetQueryResultsResponse(
    QueryStatus Status,
    IReadOnlyList<IReadOnlyList<ResultField>> Results,
    QueryStatistics Statistics,
    string? EncryptionKey = null);

public sealed record StopQueryRequest(string QueryId);

public sealed record StopQueryResponse(bool Success);

/// <summary>
/// <c>FilterLogEvents</c> on one group. Times are epoch milliseconds (start inclusive, end
/// exclusive). <paramref name="FilterPattern"/> uses the CloudWatch Logs filter-pattern syntax:
/// terms (all must occur, <c>"quoted phrases"</c>, <c>-term</c> to exclude) or a JSON selector such as
/// <c>{ $.status &gt;= 500 }</c>. Page on with <paramref name="NextToken"/>.
/// </summary>
public sealed record FilterLogEventsRequest(
    string LogGroupName,
    long? StartTime = null,
    long? EndTime = null,
    string? FilterPattern = null,
    int? Limit = null,
    string? NextToken = null)
{
    /// <summary>The API's largest page (and its default).</summary>
    public const int MaxLimit = 10_000;
}

public sealed record FilteredLogEvent(string LogStreamName, long Timestamp, string Message, long IngestionTime, string EventId);

public sealed record FilterLogEventsResponse(IReadOnlyList<FilteredLogEvent> Events, string? NextToken);

/// <summary>Where in the query string a compile error is: character offsets, end exclusive.</summary>
public sealed record QueryCompileErrorLocation(int StartCharOffset, int EndCharOffset);

/// <summary>
/// <c>MalformedQueryException</c>: the query does not compile. <see cref="Location"/> points at the
/// offending part of the query string, like the API's <c>QueryCompileError</c>.
/// </summary>
public sealed class MalformedQueryException(string message, QueryCompileErrorLocation location)
    : Exception(message)
{
    public QueryCompileErrorLocation Location { get; } = location;
}

/// <summary>A request the API would reject (<c>InvalidParameterException</c>, <c>ResourceNotFoundException</c>, limits).</summary>
public sealed class InvalidLogsRequestException(string errorCode, string message) : Exception(message)
{
    /// <summary>The API's error code, e.g. <c>ResourceNotFoundException</c> or <c>LimitExceededException</c>.</summary>
    public string ErrorCode { get; } = errorCode;
}
