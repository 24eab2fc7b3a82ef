using System.Text.RegularExpressions;

namespace FinTech.Portal.Logs.Query;

/// <summary>An expression of the query; <see cref="Text"/> is its source, which names an unnamed result column.</summary>
public abstract record QueryExpression(int Start, int End, string Text);

public sealed record FieldExpression(string Name, int Start, int End, string Text) : QueryExpression(Start, End, Text);

public sealed record LiteralExpression(object? Value, int Start, int End, string Text) : QueryExpression(Start, End, Text);

public sealed record UnaryExpression(string Operator, QueryExpression Operand, int Start, int End, string Text) : QueryExpression(Start, End, Text);

public sealed record BinaryExpression(string Operator, QueryExpression Left, QueryExpression Right, int Start, int End, string Text)
    : QueryExpression(Start, End, Text);

/// <summary><c>x like "text"</c> (contains), <c>x like /regex/</c> or <c>x =~ /regex/</c>; negated with <c>not like</c>.</summary>
public sealed record LikeExpression(QueryExpression Value, string? Contains, Regex? Pattern, bool Negated, int Start, int End, string Text)
    : QueryExpression(Start, End, Text);

/// <summary><c>x in [a, b]</c>, <c>x not in [a, b]</c>.</summary>
public sealed record InExpression(QueryExpression Value, IReadOnlyList<QueryExpression> Items, bool Negated, int Start, int End, string Text)
    : QueryExpression(Start, End, Text);

public sealed record CallExpression(string Function, IReadOnlyList<QueryExpression> Arguments, int Start, int End, string Text)
    : QueryExpression(Start, End, Text);

/// <summary>A duration literal of <c>bin(5m)</c>, in milliseconds.</summary>
public sealed record DurationExpression(long Milliseconds, int Start, int End, string Text) : QueryExpression(Start, End, Text);

/// <summary>An expression with the name of its column.</summary>
public sealed record NamedExpression(QueryExpression Expression, string Name);

/// <summary>One aggregation of <c>stats</c>: <c>count(*)</c>, <c>avg(x)</c>, <c>pct(x, 99)</c>, ...</summary>
public sealed record Aggregation(string Function, QueryExpression? Argument, double Percentile, string Name, int Start, int End);

public sealed record SortKey(QueryExpression Expression, bool Descending);

/// <summary>One command of the pipeline.</summary>
public abstract record QueryCommand(int Start);

public sealed record FieldsCommand(IReadOnlyList<NamedExpression> Fields, int Start) : QueryCommand(Start);

public sealed record DisplayCommand(IReadOnlyList<NamedExpression> Fields, int Start) : QueryCommand(Start);

public sealed record FilterCommand(QueryExpression Condition, int Start) : QueryCommand(Start);

public sealed record StatsCommand(IReadOnlyList<Aggregation> Aggregations, IReadOnlyList<NamedExpression> GroupBy, int Start) : QueryCommand(Start);

public sealed record SortCommand(IReadOnlyList<SortKey> Keys, int Start) : QueryCommand(Start);

public sealed record LimitCommand(int Count, int Start) : QueryCommand(Start);

/// <summary><c>parse field "glob * with * stars" as a, b</c> or <c>parse field /(?&lt;a&gt;...)/</c>: a regex with a named group per field.</summary>
public sealed record ParseCommand(QueryExpression Source, Regex Pattern, IReadOnlyList<string> Names, int Start) : QueryCommand(Start);

public sealed record DedupCommand(IReadOnlyList<QueryExpression> Fields, int Start) : QueryCommand(Start);

/// <summary>A compiled query: the commands in order.</summary>
public sealed record InsightsQuery(string Text, IReadOnlyList<QueryCommand> Commands)
{
    public bool HasStats => Commands.Any(c => c is StatsCommand);
}
