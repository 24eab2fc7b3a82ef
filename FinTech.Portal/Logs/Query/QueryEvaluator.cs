using System.Globalization;
using System.Text.RegularExpressions;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Logs.Query;

/// <summary>A row in flight: an event with the fields commands added, or (after <c>stats</c>) only fields.</summary>
public sealed class QueryRow(LogEvent? source, long sequence)
{
    private Dictionary<string, object?>? _values;

    public LogEvent? Source { get; } = source;

    /// <summary>Order of arrival, so that sorting is stable and repeatable.</summary>
    public long Sequence { get; } = sequence;

    public bool TryGet(string field, out object? value)
    {
        if (_values is not null && _values.TryGetValue(field, out value))
        {
            return value is not null;
        }
        value = null;
        return Source is not null && Source.TryGet(field, out value) && value is not null;
    }

    public object? Get(string field) => TryGet(field, out var value) ? value : null;

    public void Set(string field, object? value) => (_values ??= new Dictionary<string, object?>(StringComparer.Ordinal))[field] = value;
}

/// <summary>What a query found so far or in the end.</summary>
public sealed record QueryOutcome(IReadOnlyList<IReadOnlyList<ResultField>> Rows, long RecordsMatched, long RecordsScanned, long BytesScanned)
{
    public QueryStatistics Statistics => new(RecordsMatched, RecordsScanned, BytesScanned);
}

/// <summary>Live counters of a running query, read by GetQueryResults while it runs.</summary>
public sealed class QueryProgress
{
    private long _matched;
    private long _scanned;
    private long _bytes;

    public QueryStatistics Statistics => new(Volatile.Read(ref _matched), Volatile.Read(ref _scanned), Volatile.Read(ref _bytes));

    internal void Report(long matched, long scanned, long bytes)
    {
        Volatile.Write(ref _matched, matched);
        Volatile.Write(ref _scanned, scanned);
        Volatile.Write(ref _bytes, bytes);
    }
}

/// <summary>
/// Runs a compiled Logs Insights query over events in ascending time order, the way Logs Insights
/// does: per-event commands stream, <c>stats</c> and <c>sort</c> gather, rows are capped at
/// <see cref="StartQueryRequest.MaxLimit"/>. A query without <c>stats</c> or <c>sort</c> returns the
/// newest events first; without <c>limit</c> it returns <paramref name="defaultLimit"/> rows.
/// </summary>
public sealed class QueryEvaluator(InsightsQuery query, int defaultLimit = StartQueryRequest.DefaultLimit)
{
    private const int ProgressEvery = 16_384;

    private static readonly SortKey NewestFirst = new(new FieldExpression("@timestamp", 0, 0, "@timestamp"), Descending: true);

    public QueryOutcome Run(IEnumerable<LogEvent> events, CancellationToken cancellationToken, QueryProgress? progress = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        long scanned = 0, bytes = 0, matched = 0, sequence = 0;
        IEnumerable<QueryRow> Source()
        {
            foreach (var logEvent in events)
            {
                scanned++;
                bytes += logEvent.Size;
                if (scanned % ProgressEvery == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(matched, scanned, bytes);
                }
                yield return new QueryRow(logEvent, sequence++);
            }
        }
        IEnumerable<QueryRow> Count(IEnumerable<QueryRow> rows)
        {
            foreach (var row in rows)
            {
                matched++;
                yield return row;
            }
        }

        var commands = query.Commands;
        var hasStats = query.HasStats;
        var hasSort = commands.Any(c => c is SortCommand);
        // Events "match" once past the per-event commands: before the first stats, sort or limit.
        var matchPoint = commands.Select((c, i) => (c, i)).FirstOrDefault(x => x.c is StatsCommand or SortCommand or LimitCommand, (null!, commands.Count)).Item2;
        List<string>? visible = null;
        var rows = Source();
        var limited = false;
        for (var i = 0; i <= commands.Count; i++)
        {
            if (i == matchPoint)
            {
                rows = Count(rows);
            }
            if (i == commands.Count)
            {
                break;
            }
            var command = commands[i];
            switch (command)
            {
                case FieldsCommand fields:
                    rows = Project(rows, fields.Fields);
                    visible = Add(visible ?? [], fields.Fields.Select(f => f.Name));
                    break;
                case DisplayCommand display:
                    rows = Project(rows, display.Fields.Where(f => f.Expression is not FieldExpression fe || fe.Name != f.Name).ToList());
                    visible = display.Fields.Select(f => f.Name).Distinct().ToList();
                    break;
                case ParseCommand parse:
                    rows = Parse(rows, parse);
                    if (visible is not null)
                    {
                        visible = Add(visible, parse.Names);
                    }
                    break;
                case FilterCommand filter:
                    var condition = Compile(filter.Condition);
                    rows = rows.Where(row => LogValues.IsTruthy(condition(row)));
                    break;
                case DedupCommand dedup:
                    rows = Dedup(rows, dedup.Fields.Select(Compile).ToList());
                    break;
                case StatsCommand stats:
                    rows = Stats(rows, stats, cancellationToken);
                    visible = stats.GroupBy.Select(g => g.Name).Concat(stats.Aggregations.Select(a => a.Name)).ToList();
                    break;
                case SortCommand sort:
                    var next = i + 1 < commands.Count ? commands[i + 1] as LimitCommand : null;
                    rows = Sort(rows, sort.Keys, next?.Count);
                    break;
                case LimitCommand limit:
                    if (!hasStats && !hasSort && !limited)
                    {
                        // "The newest N": without a sort, Logs Insights orders by @timestamp descending.
                        rows = Sort(rows, [NewestFirst], limit.Count);
                    }
                    rows = rows.Take(limit.Count);
                    limited = true;
                    break;
            }
        }
        if (!hasStats && !hasSort && !limited)
        {
            rows = Sort(rows, [NewestFirst], defaultLimit);
        }
        var cap = limited ? StartQueryRequest.MaxLimit : hasStats ? StartQueryRequest.MaxLimit : Math.Min(defaultLimit, StartQueryRequest.MaxLimit);
        var columns = visible ?? ["@timestamp", "@message"];
        var results = new List<IReadOnlyList<ResultField>>();
        foreach (var row in rows)
        {
            if (results.Count >= cap)
            {
                break;
            }
            var fields = new List<ResultField>(columns.Count);
            foreach (var column in columns)
            {
                if (row.TryGet(column, out var value))
                {
                    fields.Add(new ResultField(column, LogValues.Format(value)));
                }
            }
            results.Add(fields);
        }
        // Every path above reads the whole range (stats, sort and the implicit newest-first all gather), so the statistics cover it.
        progress?.Report(matched, scanned, bytes);
        return new QueryOutcome(results, matched, scanned, bytes);
    }

    private static List<string> Add(List<string> visible, IEnumerable<string> names)
    {
        var list = new List<string>(visible);
        foreach (var name in names)
        {
            if (!list.Contains(name))
            {
                list.Add(name);
            }
        }
        return list;
    }

    private IEnumerable<QueryRow> Project(IEnumerable<QueryRow> rows, IReadOnlyList<NamedExpression> fields)
    {
        var computed = fields
            .Where(f => f.Expression is not FieldExpression field || field.Name != f.Name)
            .Select(f => (f.Name, Value: Compile(f.Expression)))
            .ToList();
        if (computed.Count == 0)
        {
            return rows;
        }
        return rows.Select(row =>
        {
            foreach (var (name, value) in computed)
            {
                row.Set(name, value(row));
            }
            return row;
        });
    }

    private IEnumerable<QueryRow> Parse(IEnumerable<QueryRow> rows, ParseCommand parse)
    {
        var source = Compile(parse.Source);
        var groups = parse.Pattern.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToList();
        return rows.Select(row =>
        {
            var text = source(row) is { } value ? LogValues.Format(value) : null;
            Match? match = null;
            if (text is not null)
            {
                try
                {
                    match = parse.Pattern.Match(text);
                }
                catch (RegexMatchTimeoutException)
                {
                    match = null;
                }
            }
            for (var i = 0; i < parse.Names.Count; i++)
            {
                var group = match is { Success: true } ? match.Groups[groups[i]] : null;
                row.Set(parse.Names[i], group is { Success: true } ? Typed(group.Value) : null);
            }
            return row;
        });
    }

    /// <summary>Extracted text that reads as a number is a number, so <c>stats avg(ms)</c> works on parsed fields.</summary>
    private static object Typed(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : text;

    private static IEnumerable<QueryRow> Dedup(IEnumerable<QueryRow> rows, IReadOnlyList<Func<QueryRow, object?>> keys)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (seen.Add(string.Join('\u0001', keys.Select(k => LogValues.Format(k(row))))))
            {
                yield return row;
            }
        }
    }

    private IEnumerable<QueryRow> Sort(IEnumerable<QueryRow> rows, IReadOnlyList<SortKey> keys, int? take)
    {
        var compiled = keys.Select(k => (Value: Compile(k.Expression), k.Descending)).ToList();
        var comparer = Comparer<QueryRow>.Create((a, b) =>
        {
            foreach (var (value, descending) in compiled)
            {
                var x = value(a);
                var y = value(b);
                // Rows without the field come last whatever the direction.
                var order = (x, y) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    _ => descending ? LogValues.Compare(y, x) : LogValues.Compare(x, y),
                };
                if (order != 0)
                {
                    return order;
                }
            }
            return a.Sequence.CompareTo(b.Sequence);
        });
        if (take is not { } n)
        {
            var all = rows.ToList();
            all.Sort(comparer);
            return all;
        }
        // The best n in one pass: a heap of n rows whose top is the worst kept.
        var heap = new PriorityQueue<QueryRow, QueryRow>(Comparer<QueryRow>.Create((a, b) => comparer.Compare(b, a)));
        foreach (var row in rows)
        {
            if (heap.Count < n)
            {
                heap.Enqueue(row, row);
            }
            else if (comparer.Compare(row, heap.Peek()) < 0)
            {
                heap.EnqueueDequeue(row, row);
            }
        }
        var kept = new List<QueryRow>(heap.Count);
        while (heap.Count > 0)
        {
            kept.Add(heap.Dequeue());
        }
        kept.Reverse();
        return kept;
    }

    private List<QueryRow> Stats(IEnumerable<QueryRow> rows, StatsCommand stats, CancellationToken cancellationToken)
    {
        var groupBy = stats.GroupBy.Select(g => Compile(g.Expression)).ToList();
        var arguments = stats.Aggregations.Select(a => a.Argument is null ? null : Compile(a.Argument)).ToList();
        var groups = new Dictionary<GroupKey, Accumulator[]>();
        var order = new List<(GroupKey Key, Accumulator[] Values)>();
        var scratch = new object?[groupBy.Count];
        foreach (var row in rows)
        {
            for (var i = 0; i < groupBy.Count; i++)
            {
                scratch[i] = groupBy[i](row);
            }
            var probe = new GroupKey(scratch);
            if (!groups.TryGetValue(probe, out var accumulators))
            {
                var key = new GroupKey((object?[])scratch.Clone());
                accumulators = stats.Aggregations.Select(a => new Accumulator(a)).ToArray();
                groups.Add(key, accumulators);
                order.Add((key, accumulators));
                if (groups.Count > 100_000)
                {
                    throw new InvalidLogsRequestException("LimitExceededException",
                        "stats made more than 100,000 groups. Group by fewer fields or a coarser bin.");
                }
            }
            for (var i = 0; i < accumulators.Length; i++)
            {
                accumulators[i].Add(row, arguments[i]);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<QueryRow>(order.Count);
        var sequence = 0;
        foreach (var (key, accumulators) in order)
        {
            var row = new QueryRow(null, sequence++);
            for (var i = 0; i < stats.GroupBy.Count; i++)
            {
                row.Set(stats.GroupBy[i].Name, key.Values[i]);
            }
            foreach (var accumulator in accumulators)
            {
                row.Set(accumulator.Name, accumulator.Result());
            }
            result.Add(row);
        }
        return result;
    }

    private readonly struct GroupKey(object?[] values) : IEquatable<GroupKey>
    {
        public object?[] Values { get; } = values;

        public bool Equals(GroupKey other)
        {
            for (var i = 0; i < Values.Length; i++)
            {
                if (!Equals(Values[i], other.Values[i]))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var value in Values)
            {
                hash.Add(value);
            }
            return hash.ToHashCode();
        }
    }

    private sealed class Accumulator(Aggregation aggregation)
    {
        private long _count;
        private double _sum;
        private object? _extreme;
        private List<double>? _values;
        private HashSet<string>? _distinct;

        public string Name => aggregation.Name;

        public void Add(QueryRow row, Func<QueryRow, object?>? argument)
        {
            if (argument is null)
            {
                _count++;
                return;
            }
            var value = argument(row);
            if (value is null)
            {
                return;
            }
            switch (aggregation.Function)
            {
                case "count":
                    _count++;
                    break;
                case "count_distinct":
                    (_distinct ??= new HashSet<string>(StringComparer.Ordinal)).Add(LogValues.Format(value));
                    break;
                case "min" or "max":
                    var better = aggregation.Function == "min" ? -1 : 1;
                    if (_extreme is null || Math.Sign(LogValues.Compare(value, _extreme)) == better)
                    {
                        _extreme = value;
                    }
                    break;
                case "pct":
                    if (LogValues.TryNumber(value, out var p))
                    {
                        (_values ??= []).Add(p);
                    }
                    break;
                default:
                    if (LogValues.TryNumber(value, out var number))
                    {
                        _sum += number;
                        _count++;
                    }
                    break;
            }
        }

        public object? Result()
        {
            switch (aggregation.Function)
            {
                case "count":
                    return (double)_count;
                case "count_distinct":
                    return (double)(_distinct?.Count ?? 0);
                case "min" or "max":
                    return _extreme;
                case "sum":
                    return _count == 0 ? null : _sum;
                case "avg":
                    return _count == 0 ? null : _sum / _count;
                case "pct":
                    if (_values is not { Count: > 0 } values)
                    {
                        return null;
                    }
                    values.Sort();
                    // Nearest rank, like the metrics' percentiles of a set of samples.
                    var rank = (int)Math.Ceiling(aggregation.Percentile / 100 * values.Count);
                    return values[Math.Clamp(rank, 1, values.Count) - 1];
                default:
                    return null;
            }
        }
    }

    // ---- Expressions -------------------------------------------------------------------------

    private static Func<QueryRow, object?> Compile(QueryExpression expression)
    {
        switch (expression)
        {
            case FieldExpression field:
                var name = field.Name;
                return row => row.Get(name);
            case LiteralExpression literal:
                var constant = literal.Value;
                return _ => constant;
            case DurationExpression duration:
                object milliseconds = (double)duration.Milliseconds;
                return _ => milliseconds;
            case UnaryExpression { Operator: "not" } not:
                var operand = Compile(not.Operand);
                return row => !LogValues.IsTruthy(operand(row));
            case UnaryExpression negate:
                var value = Compile(negate.Operand);
                return row => LogValues.TryNumber(value(row), out var n) ? -n : null;
            case BinaryExpression binary:
                return CompileBinary(binary);
            case LikeExpression like:
                var subject = Compile(like.Value);
                var negated = like.Negated;
                if (like.Pattern is { } regex)
                {
                    return row => subject(row) is { } v ? SafeIsMatch(regex, LogValues.Format(v)) != negated : negated;
                }
                var contains = like.Contains!;
                return row => subject(row) is { } v ? LogValues.Format(v).Contains(contains, StringComparison.Ordinal) != negated : negated;
            case InExpression @in:
                var item = Compile(@in.Value);
                var items = @in.Items.Select(Compile).ToList();
                return row =>
                {
                    var v = item(row);
                    return items.Any(candidate => LogValues.AreEqual(v, candidate(row))) != @in.Negated;
                };
            case CallExpression call:
                return CompileCall(call);
            default:
                throw new InvalidOperationException($"No evaluation for {expression.GetType().Name}.");
        }
    }

    private static bool SafeIsMatch(Regex regex, string text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static Func<QueryRow, object?> CompileBinary(BinaryExpression binary)
    {
        var left = Compile(binary.Left);
        var right = Compile(binary.Right);
        switch (binary.Operator)
        {
            case "and":
                return row => LogValues.IsTruthy(left(row)) && LogValues.IsTruthy(right(row));
            case "or":
                return row => LogValues.IsTruthy(left(row)) || LogValues.IsTruthy(right(row));
            case "=" or "!=" or "<" or "<=" or ">" or ">=":
                var op = binary.Operator;
                return row =>
                {
                    var a = left(row);
                    var b = right(row);
                    if (a is null || b is null)
                    {
                        return false;
                    }
                    var order = LogValues.Compare(a, b);
                    return op switch
                    {
                        "=" => order == 0,
                        "!=" => order != 0,
                        "<" => order < 0,
                        "<=" => order <= 0,
                        ">" => order > 0,
                        _ => order >= 0,
                    };
                };
            default:
                var arithmetic = binary.Operator;
                return row =>
                {
                    if (!LogValues.TryNumber(left(row), out var a) || !LogValues.TryNumber(right(row), out var b))
                    {
                        return null;
                    }
                    return arithmetic switch
                    {
                        "+" => a + b,
                        "-" => a - b,
                        "*" => a * b,
                        "/" => b == 0 ? null : a / b,
                        _ => b == 0 ? null : a % b,
                    };
                };
        }
    }

    private static Func<QueryRow, object?> CompileCall(CallExpression call)
    {
        var args = call.Arguments.Select(Compile).ToList();
        string? Text(QueryRow row, int i) => args[i](row) is { } v ? LogValues.Format(v) : null;
        double? Number(QueryRow row, int i) => LogValues.TryNumber(args[i](row), out var n) ? n : null;
        switch (call.Function)
        {
            case "bin":
                var period = ((DurationExpression)call.Arguments[0]).Milliseconds;
                return row => row.Source is { } e ? new LogTimestamp(Floor(e.Timestamp, period)) : row.Get("@timestamp") is LogTimestamp t ? new LogTimestamp(Floor(t.Milliseconds, period)) : null;
            case "datefloor":
                var floor = ((DurationExpression)call.Arguments[1]).Milliseconds;
                return row => args[0](row) is { } v && LogValues.TryNumber(v, out var ms) ? new LogTimestamp(Floor((long)ms, floor)) : null;
            case "strlen":
                return row => Text(row, 0) is { } s ? (double)s.Length : null;
            case "tolower":
                return row => Text(row, 0)?.ToLowerInvariant();
            case "toupper":
                return row => Text(row, 0)?.ToUpperInvariant();
            case "trim":
                return row => Text(row, 0)?.Trim();
            case "concat":
                return row => string.Concat(Enumerable.Range(0, args.Count).Select(i => Text(row, i)));
            case "substr":
                return row =>
                {
                    var s = Text(row, 0);
                    if (s is null || Number(row, 1) is not { } from)
                    {
                        return null;
                    }
                    var start = Math.Clamp((int)from, 0, s.Length);
                    var length = args.Count > 2 && Number(row, 2) is { } l ? Math.Clamp((int)l, 0, s.Length - start) : s.Length - start;
                    return s.Substring(start, length);
                };
            case "replace":
                return row => Text(row, 0) is { } s && Text(row, 1) is { Length: > 0 } find ? s.Replace(find, Text(row, 2) ?? "", StringComparison.Ordinal) : Text(row, 0);
            case "abs":
                return row => Number(row, 0) is { } n ? Math.Abs(n) : null;
            case "floor":
                return row => Number(row, 0) is { } n ? Math.Floor(n) : null;
            case "ceil":
                return row => Number(row, 0) is { } n ? Math.Ceiling(n) : null;
            case "round":
                return row => Number(row, 0) is { } n ? Math.Round(n, MidpointRounding.AwayFromZero) : null;
            case "ispresent":
                return row => args[0](row) is not null;
            case "isempty":
                return row => Text(row, 0) is not { Length: > 0 };
            case "isblank":
                return row => string.IsNullOrWhiteSpace(Text(row, 0));
            case "coalesce":
                return row => args.Select(a => a(row)).FirstOrDefault(v => v is not null);
            default:
                throw new InvalidOperationException($"No evaluation for function {call.Function}.");
        }
    }

    private static long Floor(long value, long period) => period <= 0 ? value : value - ((value % period) + period) % period;
}
