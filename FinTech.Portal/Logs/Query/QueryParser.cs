using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Logs.Query;

/// <summary>
/// Compiles the CloudWatch Logs Insights query language, the part SREs use every day: <c>fields</c>,
/// <c>display</c>, <c>filter</c>, <c>stats</c> (count, sum, avg, min, max, pct, count_distinct) by
/// <c>bin(…)</c> and fields, <c>sort</c>, <c>limit</c>, <c>parse</c> (glob and regex) and <c>dedup</c>.
/// A query that does not compile throws <see cref="MalformedQueryException"/> pointing at the part
/// that is wrong, as StartQuery does.
/// </summary>
public sealed class QueryParser
{
    public static readonly IReadOnlyList<string> CommandNames = ["fields", "display", "filter", "stats", "sort", "limit", "parse", "dedup"];

    public static readonly IReadOnlyList<string> AggregateFunctions = ["count", "sum", "avg", "min", "max", "pct", "count_distinct"];

    public static readonly IReadOnlyList<string> ScalarFunctions =
        ["bin", "datefloor", "strlen", "tolower", "toupper", "concat", "trim", "substr", "abs", "floor", "ceil", "round", "ispresent", "isempty", "isblank", "coalesce", "replace"];

    /// <summary>Regexes come from people: a pattern that would backtrack forever is cut off.</summary>
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);

    private readonly string _text;
    private int _position;
    private Token? _peeked;

    private QueryParser(string text) => _text = text;

    public static InsightsQuery Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new QueryParser(text);
        return new InsightsQuery(text, parser.ParseCommands());
    }

    // ---- Commands --------------------------------------------------------------------------

    private List<QueryCommand> ParseCommands()
    {
        var commands = new List<QueryCommand>();
        if (Peek().Kind == TokenKind.End)
        {
            throw Error("The query is empty. Start with a command such as fields, filter or stats.", Peek());
        }
        while (true)
        {
            commands.Add(ParseCommand());
            var next = Next();
            if (next.Kind == TokenKind.End)
            {
                return commands;
            }
            if (next.Kind != TokenKind.Pipe)
            {
                throw Error($"Expected '|' before the next command but found '{next.Text}'.", next);
            }
        }
    }

    private QueryCommand ParseCommand()
    {
        var keyword = Next();
        if (keyword.Kind != TokenKind.Identifier || keyword.Quoted)
        {
            throw Error($"Expected a command ({string.Join(", ", CommandNames)}) but found '{Describe(keyword)}'.", keyword);
        }
        return keyword.Text.ToLowerInvariant() switch
        {
            "fields" => new FieldsCommand(ParseNamedList(), keyword.Start),
            "display" => new DisplayCommand(ParseNamedList(), keyword.Start),
            "filter" => new FilterCommand(ParseExpression(), keyword.Start),
            "stats" => ParseStats(keyword),
            "sort" => ParseSort(keyword),
            "limit" => ParseLimit(keyword),
            "parse" => ParseParse(keyword),
            "dedup" => new DedupCommand(ParseList(ParseExpression), keyword.Start),
            _ => throw Error($"Unknown command '{keyword.Text}'. Commands: {string.Join(", ", CommandNames)}.", keyword),
        };
    }

    private List<NamedExpression> ParseNamedList() => ParseList(ParseNamed);

    private NamedExpression ParseNamed()
    {
        var expression = ParseExpression();
        return new NamedExpression(expression, ParseAlias() ?? expression.Text);
    }

    private string? ParseAlias()
    {
        if (!IsKeyword(Peek(), "as"))
        {
            return null;
        }
        Next();
        var name = Next();
        if (name.Kind != TokenKind.Identifier)
        {
            throw Error($"Expected a field name after 'as' but found '{Describe(name)}'.", name);
        }
        return name.Text;
    }

    private List<T> ParseList<T>(Func<T> item)
    {
        var items = new List<T> { item() };
        while (Peek().Kind == TokenKind.Comma)
        {
            Next();
            items.Add(item());
        }
        return items;
    }

    private StatsCommand ParseStats(Token keyword)
    {
        var aggregations = ParseList(ParseAggregation);
        var groups = new List<NamedExpression>();
        if (IsKeyword(Peek(), "by"))
        {
            Next();
            groups = ParseNamedList();
        }
        var names = aggregations.Select(a => a.Name).Concat(groups.Select(g => g.Name)).ToList();
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Error($"stats names the column '{duplicate.Key}' twice; give one of them another name with 'as'.", keyword);
        }
        return new StatsCommand(aggregations, groups, keyword.Start);
    }

    private Aggregation ParseAggregation()
    {
        var name = Next();
        var function = name.Text.ToLowerInvariant();
        if (name.Kind != TokenKind.Identifier || !AggregateFunctions.Contains(function))
        {
            throw Error($"Expected an aggregation ({string.Join(", ", AggregateFunctions)}) but found '{Describe(name)}'.", name);
        }
        Expect(TokenKind.LeftParen, $"Expected '(' after {name.Text}.");
        QueryExpression? argument = null;
        double percentile = 0;
        if (function == "count" && Peek() is { Kind: TokenKind.Operator, Text: "*" })
        {
            Next();
        }
        else if (!(function == "count" && Peek().Kind == TokenKind.RightParen))
        {
            argument = ParseExpression();
        }
        if (function == "pct")
        {
            Expect(TokenKind.Comma, "pct takes a field and a percentile, e.g. pct(durationMs, 99).");
            var value = Next();
            if (value.Kind != TokenKind.Number || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out percentile) || percentile < 0 || percentile > 100)
            {
                throw Error("The percentile of pct must be a number from 0 to 100.", value);
            }
        }
        var close = Expect(TokenKind.RightParen, $"Expected ')' to close {name.Text}(.");
        var text = _text[name.Start..close.End];
        return new Aggregation(function, argument, percentile, ParseAlias() ?? text, name.Start, close.End);
    }

    private SortCommand ParseSort(Token keyword) => new(ParseList(() =>
    {
        var expression = ParseExpression();
        var descending = false;
        if (IsKeyword(Peek(), "desc") || IsKeyword(Peek(), "asc"))
        {
            descending = IsKeyword(Next(), "desc");
        }
        return new SortKey(expression, descending);
    }), keyword.Start);

    private LimitCommand ParseLimit(Token keyword)
    {
        var count = Next();
        if (count.Kind != TokenKind.Number || !int.TryParse(count.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < 1 || value > StartQueryRequest.MaxLimit)
        {
            throw Error($"limit takes a whole number from 1 to {StartQueryRequest.MaxLimit:N0} but found '{Describe(count)}'.", count);
        }
        return new LimitCommand(value, keyword.Start);
    }

    private ParseCommand ParseParse(Token keyword)
    {
        QueryExpression source = new FieldExpression("@message", keyword.Start, keyword.End, "@message");
        var next = Peek();
        if (next.Kind is not TokenKind.String && !IsSlash(next))
        {
            source = ParsePrimary();
        }
        next = Peek();
        if (IsSlash(next))
        {
            var (pattern, start, end) = ReadRegex();
            var regex = CompileRegex(pattern, start, end);
            var names = regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToList();
            if (names.Count == 0)
            {
                throw Error("A parse regex needs a named group per field, e.g. /user=(?<user>\\S+)/.", start, end);
            }
            return new ParseCommand(source, regex, names, keyword.Start);
        }
        if (next.Kind != TokenKind.String)
        {
            throw Error($"Expected a pattern (\"text with * wildcards\" or /regex/) but found '{Describe(next)}'.", next);
        }
        Next();
        var stars = next.Text.Count(c => c == '*');
        if (stars == 0)
        {
            throw Error("A parse pattern needs a * for each field it extracts.", next);
        }
        if (!IsKeyword(Peek(), "as"))
        {
            throw Error($"Name the {stars} extracted field(s) with 'as', e.g. as a, b.", Peek());
        }
        var asToken = Next();
        var fields = ParseList(() =>
        {
            var name = Next();
            return name.Kind == TokenKind.Identifier ? name.Text : throw Error($"Expected a field name but found '{Describe(name)}'.", name);
        });
        if (fields.Count != stars)
        {
            throw Error($"The pattern has {stars} '*' but {fields.Count} field name(s) follow 'as'.", asToken.Start, Peek().Start);
        }
        return new ParseCommand(source, GlobRegex(next.Text), fields, keyword.Start);
    }

    /// <summary>Each <c>*</c> captures (lazily, the last one greedily); the rest matches literally.</summary>
    private static Regex GlobRegex(string glob)
    {
        var parts = glob.Split('*');
        var pattern = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            pattern.Append(Regex.Escape(parts[i]));
            if (i < parts.Length - 1)
            {
                pattern.Append(i == parts.Length - 2 && parts[^1].Length == 0 ? $"(?<g{i}>.*)" : $"(?<g{i}>.*?)");
            }
        }
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline, RegexTimeout);
    }

    // ---- Expressions ----------------------------------------------------------------------

    private QueryExpression ParseExpression() => ParseOr();

    private QueryExpression ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword(Peek(), "or") || Peek() is { Kind: TokenKind.Operator, Text: "||" })
        {
            Next();
            var right = ParseAnd();
            left = Binary("or", left, right);
        }
        return left;
    }

    private QueryExpression ParseAnd()
    {
        var left = ParseNot();
        while (IsKeyword(Peek(), "and") || Peek() is { Kind: TokenKind.Operator, Text: "&&" })
        {
            Next();
            var right = ParseNot();
            left = Binary("and", left, right);
        }
        return left;
    }

    private QueryExpression ParseNot()
    {
        var token = Peek();
        if (IsKeyword(token, "not") || token is { Kind: TokenKind.Operator, Text: "!" })
        {
            Next();
            var operand = ParseNot();
            return new UnaryExpression("not", operand, token.Start, operand.End, _text[token.Start..operand.End]);
        }
        return ParseComparison();
    }

    private QueryExpression ParseComparison()
    {
        var left = ParseAdditive();
        var token = Peek();
        if (token.Kind == TokenKind.Operator && token.Text is "=" or "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            Next();
            var right = ParseAdditive();
            return Binary(token.Text == "==" ? "=" : token.Text, left, right);
        }
        if (token is { Kind: TokenKind.Operator, Text: "=~" })
        {
            Next();
            return ParseLikeOperand(left, negated: false);
        }
        var negated = false;
        if (IsKeyword(token, "not") && (IsKeyword(PeekAfter(), "like") || IsKeyword(PeekAfter(), "in")))
        {
            Next();
            negated = true;
            token = Peek();
        }
        if (IsKeyword(token, "like"))
        {
            Next();
            return ParseLikeOperand(left, negated);
        }
        if (IsKeyword(token, "in"))
        {
            Next();
            Expect(TokenKind.LeftBracket, "Expected '[' to start the list after 'in', e.g. status in [500, 503].");
            var items = new List<QueryExpression>();
            if (Peek().Kind != TokenKind.RightBracket)
            {
                items = ParseList(ParseAdditive);
            }
            var close = Expect(TokenKind.RightBracket, "Expected ']' to close the list of 'in'.");
            return new InExpression(left, items, negated, left.Start, close.End, _text[left.Start..close.End]);
        }
        return left;
    }

    private LikeExpression ParseLikeOperand(QueryExpression left, bool negated)
    {
        var operand = Peek();
        if (IsSlash(operand))
        {
            var (pattern, start, end) = ReadRegex();
            return new LikeExpression(left, null, CompileRegex(pattern, start, end), negated, left.Start, end, _text[left.Start..end]);
        }
        if (operand.Kind == TokenKind.String)
        {
            Next();
            return new LikeExpression(left, operand.Text, null, negated, left.Start, operand.End, _text[left.Start..operand.End]);
        }
        throw Error($"Expected a \"string\" or /regex/ after like but found '{Describe(operand)}'.", operand);
    }

    private QueryExpression ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek() is { Kind: TokenKind.Operator, Text: "+" or "-" } token)
        {
            Next();
            left = Binary(token.Text, left, ParseMultiplicative());
        }
        return left;
    }

    private QueryExpression ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek() is { Kind: TokenKind.Operator, Text: "*" or "/" or "%" } token)
        {
            Next();
            left = Binary(token.Text, left, ParseUnary());
        }
        return left;
    }

    private QueryExpression ParseUnary()
    {
        var token = Peek();
        if (token is { Kind: TokenKind.Operator, Text: "-" })
        {
            Next();
            var operand = ParseUnary();
            return new UnaryExpression("-", operand, token.Start, operand.End, _text[token.Start..operand.End]);
        }
        return ParsePrimary();
    }

    private QueryExpression ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new LiteralExpression(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), token.Start, token.End, token.Text);
            case TokenKind.String:
                return new LiteralExpression(token.Text, token.Start, token.End, _text[token.Start..token.End]);
            case TokenKind.Duration:
                return new DurationExpression(DurationMilliseconds(token), token.Start, token.End, token.Text);
            case TokenKind.LeftParen:
                var inner = ParseExpression();
                var close = Expect(TokenKind.RightParen, "Expected ')' to close '('.");
                return inner with { Start = token.Start, End = close.End, Text = _text[token.Start..close.End] };
            case TokenKind.Identifier when !token.Quoted && Peek().Kind == TokenKind.LeftParen:
                return ParseCall(token);
            case TokenKind.Identifier when !token.Quoted && token.Text.ToLowerInvariant() is "true" or "false":
                return new LiteralExpression(token.Text.Equals("true", StringComparison.OrdinalIgnoreCase), token.Start, token.End, token.Text);
            case TokenKind.Identifier when !token.Quoted && IsReserved(token.Text):
                throw Error($"Expected a field or a value but found the keyword '{token.Text}'. Quote a field with that name in backticks: `{token.Text}`.", token);
            case TokenKind.Identifier:
                return new FieldExpression(token.Text, token.Start, token.End, _text[token.Start..token.End]);
            default:
                throw Error($"Expected a field or a value but found '{Describe(token)}'.", token);
        }
    }

    private QueryExpression ParseCall(Token name)
    {
        var function = name.Text.ToLowerInvariant();
        if (AggregateFunctions.Contains(function) && !ScalarFunctions.Contains(function))
        {
            throw Error($"{name.Text}() aggregates: it belongs in stats, e.g. stats {function}(...) by ...", name);
        }
        if (!ScalarFunctions.Contains(function))
        {
            throw Error($"Unknown function '{name.Text}'. Functions: {string.Join(", ", ScalarFunctions)}.", name);
        }
        Next();
        var arguments = Peek().Kind == TokenKind.RightParen ? [] : ParseList(ParseExpression);
        var close = Expect(TokenKind.RightParen, $"Expected ')' to close {name.Text}(.");
        var (min, max) = function switch
        {
            "bin" => (1, 1),
            "datefloor" => (2, 2),
            "concat" or "coalesce" => (1, 32),
            "substr" => (2, 3),
            "replace" => (3, 3),
            _ => (1, 1),
        };
        if (arguments.Count < min || arguments.Count > max)
        {
            throw Error($"{name.Text} takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}")} argument(s) but has {arguments.Count}.", name.Start, close.End);
        }
        if (function == "bin" && arguments[0] is not DurationExpression)
        {
            throw Error("bin takes a period such as 1m, 5m or 1h.", arguments[0].Start, arguments[0].End);
        }
        if (function == "datefloor" && arguments[1] is not DurationExpression)
        {
            throw Error("datefloor takes a field and a period such as 1h.", arguments[1].Start, arguments[1].End);
        }
        return new CallExpression(function, arguments, name.Start, close.End, _text[name.Start..close.End]);
    }

    private BinaryExpression Binary(string op, QueryExpression left, QueryExpression right) =>
        new(op, left, right, left.Start, right.End, _text[left.Start..right.End]);

    private static bool IsReserved(string word) => word.ToLowerInvariant() is "and" or "or" or "not" or "like" or "in" or "as" or "by" or "asc" or "desc";

    private static long DurationMilliseconds(Token token)
    {
        var unitStart = token.Text.TakeWhile(c => char.IsDigit(c) || c == '.').Count();
        var amount = double.Parse(token.Text[..unitStart], CultureInfo.InvariantCulture);
        var unit = token.Text[unitStart..].ToLowerInvariant();
        return (long)(amount * unit switch
        {
            "ms" => 1,
            "s" or "sec" => 1000,
            "m" or "min" => 60_000,
            "h" or "hr" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => 0,
        });
    }

    private Regex CompileRegex(string pattern, int start, int end)
    {
        var flags = RegexOptions.CultureInvariant;
        try
        {
            try
            {
                // Linear time whatever the pattern: a query cannot hang the portal.
                return new Regex(pattern, flags | RegexOptions.NonBacktracking);
            }
            catch (NotSupportedException)
            {
                return new Regex(pattern, flags, RegexTimeout);
            }
        }
        catch (ArgumentException error)
        {
            throw Error($"The regex /{pattern}/ is not valid: {error.Message}", start, end);
        }
    }

    // ---- Tokens ------------------------------------------------------------------------------

    private enum TokenKind { End, Pipe, Comma, LeftParen, RightParen, LeftBracket, RightBracket, Operator, Number, Duration, String, Identifier }

    private readonly record struct Token(TokenKind Kind, string Text, int Start, int End, bool Quoted = false);

    private static bool IsKeyword(Token token, string keyword) =>
        token.Kind == TokenKind.Identifier && !token.Quoted && token.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);

    private static bool IsSlash(Token token) => token is { Kind: TokenKind.Operator, Text: "/" };

    private static string Describe(Token token) => token.Kind == TokenKind.End ? "the end of the query" : token.Text;

    private Token Expect(TokenKind kind, string message)
    {
        var token = Next();
        return token.Kind == kind ? token : throw Error($"{message} Found '{Describe(token)}'.", token);
    }

    private Token Peek() => _peeked ??= Scan(_position);

    private Token PeekAfter() => Scan(Peek().End);

    private Token Next()
    {
        var token = Peek();
        _peeked = null;
        _position = token.End;
        return token;
    }

    /// <summary>Reads <c>/regex/</c> from the current '/' token: a slash inside is written <c>\/</c>.</summary>
    private (string Pattern, int Start, int End) ReadRegex()
    {
        var slash = Next();
        var pattern = new StringBuilder();
        var i = slash.Start + 1;
        while (i < _text.Length && _text[i] != '/')
        {
            if (_text[i] == '\\' && i + 1 < _text.Length && _text[i + 1] == '/')
            {
                pattern.Append('/');
                i += 2;
                continue;
            }
            pattern.Append(_text[i++]);
        }
        if (i >= _text.Length)
        {
            throw Error("The regex is not closed: end it with '/'.", slash.Start, _text.Length);
        }
        _position = i + 1;
        _peeked = null;
        return (pattern.ToString(), slash.Start, i + 1);
    }

    private Token Scan(int position)
    {
        while (position < _text.Length && char.IsWhiteSpace(_text[position]))
        {
            position++;
        }
        if (position >= _text.Length)
        {
            return new Token(TokenKind.End, "", _text.Length, _text.Length);
        }
        var c = _text[position];
        var start = position;
        switch (c)
        {
            case '|' when At(position + 1) == '|':
                return new Token(TokenKind.Operator, "||", start, start + 2);
            case '|':
                return new Token(TokenKind.Pipe, "|", start, start + 1);
            case ',':
                return new Token(TokenKind.Comma, ",", start, start + 1);
            case '(':
                return new Token(TokenKind.LeftParen, "(", start, start + 1);
            case ')':
                return new Token(TokenKind.RightParen, ")", start, start + 1);
            case '[':
                return new Token(TokenKind.LeftBracket, "[", start, start + 1);
            case ']':
                return new Token(TokenKind.RightBracket, "]", start, start + 1);
            case '"' or '\'':
                return ScanString(start, c);
            case '`':
                var close = _text.IndexOf('`', start + 1);
                if (close < 0)
                {
                    throw Error("The quoted field name is not closed: end it with '`'.", start, _text.Length);
                }
                return new Token(TokenKind.Identifier, _text[(start + 1)..close], start, close + 1, Quoted: true);
        }
        if (char.IsDigit(c) || (c == '.' && char.IsDigit(At(position + 1))))
        {
            while (char.IsDigit(At(position)) || At(position) == '.')
            {
                position++;
            }
            if (At(position) is 'e' or 'E' && (char.IsDigit(At(position + 1)) || (At(position + 1) is '-' or '+' && char.IsDigit(At(position + 2)))))
            {
                position += 2;
                while (char.IsDigit(At(position)))
                {
                    position++;
                }
            }
            if (char.IsLetter(At(position)))
            {
                var unitStart = position;
                while (char.IsLetter(At(position)))
                {
                    position++;
                }
                var unit = _text[unitStart..position].ToLowerInvariant();
                if (unit is not ("ms" or "s" or "sec" or "m" or "min" or "h" or "hr" or "d" or "w"))
                {
                    throw Error($"'{_text[start..position]}' is not a number or a period (units: ms, s, m, h, d, w).", start, position);
                }
                return new Token(TokenKind.Duration, _text[start..position], start, position);
            }
            return new Token(TokenKind.Number, _text[start..position], start, position);
        }
        if (char.IsLetter(c) || c is '_' or '@' or '$')
        {
            while (char.IsLetterOrDigit(At(position)) || At(position) is '_' or '@' or '.' or '$')
            {
                position++;
            }
            return new Token(TokenKind.Identifier, _text[start..position], start, position);
        }
        foreach (var op in (string[])["<=", ">=", "!=", "==", "=~", "&&", "<", ">", "=", "+", "-", "*", "/", "%", "!"])
        {
            if (string.CompareOrdinal(_text, start, op, 0, op.Length) == 0)
            {
                return new Token(TokenKind.Operator, op, start, start + op.Length);
            }
        }
        throw Error($"Unexpected character '{c}'.", start, start + 1);
    }

    private Token ScanString(int start, char quote)
    {
        var value = new StringBuilder();
        var i = start + 1;
        while (i < _text.Length && _text[i] != quote)
        {
            if (_text[i] == '\\' && i + 1 < _text.Length)
            {
                i++;
                value.Append(_text[i] switch { 'n' => '\n', 't' => '\t', var other => other });
                i++;
                continue;
            }
            value.Append(_text[i++]);
        }
        if (i >= _text.Length)
        {
            throw Error($"The string is not closed: end it with {quote}.", start, _text.Length);
        }
        return new Token(TokenKind.String, value.ToString(), start, i + 1);
    }

    private char At(int index) => index < _text.Length ? _text[index] : '\0';

    private MalformedQueryException Error(string message, Token token) =>
        Error(message, token.Start, Math.Max(token.End, token.Start + (token.Kind == TokenKind.End ? 0 : 1)));

    private MalformedQueryException Error(string message, int start, int end)
    {
        var line = 1 + _text.AsSpan(0, start).Count('\n');
        var lineStart = start == 0 ? -1 : _text.LastIndexOf('\n', start - 1);
        var column = start - lineStart;
        return new MalformedQueryException($"{message} (line {line}, column {column})", new QueryCompileErrorLocation(start, end));
    }
}
