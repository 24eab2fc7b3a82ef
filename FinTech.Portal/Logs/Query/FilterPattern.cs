using System.Globalization;
using System.Text.RegularExpressions;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Logs.Query;

/// <summary>
/// CloudWatch Logs filter patterns, the everyday part: terms that must all occur (case-sensitive),
/// <c>"quoted phrases"</c>, <c>-term</c> to exclude, <c>?a ?b</c> for any of them, and JSON selectors
/// such as <c>{ $.status &gt;= 500 &amp;&amp; $.route = "/v1/payments" }</c> (<c>*</c> as a wildcard in strings).
/// </summary>
public sealed class FilterPattern
{
    private readonly Func<LogEvent, bool> _matches;

    private FilterPattern(Func<LogEvent, bool> matches) => _matches = matches;

    public static FilterPattern All { get; } = new(_ => true);

    public bool Matches(LogEvent logEvent) => _matches(logEvent);

    /// <summary>Throws <see cref="InvalidLogsRequestException"/> (InvalidParameterException) when the pattern is not valid.</summary>
    public static FilterPattern Parse(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return All;
        }
        var trimmed = pattern.Trim();
        return trimmed.StartsWith('{') ? Json(trimmed) : Terms(trimmed);
    }

    private static FilterPattern Terms(string pattern)
    {
        var required = new List<string>();
        var excluded = new List<string>();
        var optional = new List<string>();
        foreach (Match match in Regex.Matches(pattern, "([-?]?)(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)"))
        {
            var term = match.Groups[2].Value;
            if (term.Length >= 2 && term[0] == '"' && term[^1] == '"')
            {
                term = term[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal);
            }
            (match.Groups[1].Value switch { "-" => excluded, "?" => optional, _ => required }).Add(term);
        }
        return new FilterPattern(e =>
        {
            var message = e.Message;
            return required.All(t => message.Contains(t, StringComparison.Ordinal))
                && !excluded.Any(t => message.Contains(t, StringComparison.Ordinal))
                && (optional.Count == 0 || optional.Any(t => message.Contains(t, StringComparison.Ordinal)));
        });
    }

    private static FilterPattern Json(string pattern)
    {
        if (!pattern.EndsWith('}'))
        {
            throw Invalid(pattern, "a JSON filter pattern ends with '}'");
        }
        var body = pattern[1..^1];
        var position = 0;
        var condition = Or(body, ref position);
        Skip(body, ref position);
        if (position < body.Length)
        {
            throw Invalid(pattern, $"unexpected '{body[position..]}'");
        }
        return new FilterPattern(e => condition(e));
    }

    private static Func<LogEvent, bool> Or(string text, ref int position)
    {
        var left = And(text, ref position);
        while (Accept(text, ref position, "||"))
        {
            var right = And(text, ref position);
            var l = left;
            left = e => l(e) || right(e);
        }
        return left;
    }

    private static Func<LogEvent, bool> And(string text, ref int position)
    {
        var left = Comparison(text, ref position);
        while (Accept(text, ref position, "&&"))
        {
            var right = Comparison(text, ref position);
            var l = left;
            left = e => l(e) && right(e);
        }
        return left;
    }

    private static Func<LogEvent, bool> Comparison(string text, ref int position)
    {
        if (Accept(text, ref position, "("))
        {
            var inner = Or(text, ref position);
            if (!Accept(text, ref position, ")"))
            {
                throw Invalid(text, "a '(' is not closed");
            }
            return inner;
        }
        Skip(text, ref position);
        var selector = Regex.Match(text[position..], @"^\$\.([A-Za-z0-9_@.\-\[\]]+)");
        if (!selector.Success)
        {
            throw Invalid(text, "expected a selector such as $.status");
        }
        position += selector.Length;
        var field = selector.Groups[1].Value.Replace("[", ".", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
        Skip(text, ref position);
        var at = position;
        var op = new[] { "<=", ">=", "!=", "=", "<", ">" }.FirstOrDefault(o => string.CompareOrdinal(text, at, o, 0, o.Length) == 0)
            ?? throw Invalid(text, $"expected a comparison after $.{field}");
        position += op.Length;
        Skip(text, ref position);
        var value = Regex.Match(text[position..], "^(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s&|)]+)");
        if (!value.Success)
        {
            throw Invalid(text, $"expected a value after $.{field} {op}");
        }
        position += value.Length;
        var literal = value.Value;
        if (literal.StartsWith('"'))
        {
            var wildcard = new Regex("^" + Regex.Escape(literal[1..^1]).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
            return e => e.TryGet(field, out var v) && v is not null && (op == "!=") != wildcard.IsMatch(LogValues.Format(v));
        }
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            var wildcard = new Regex("^" + Regex.Escape(literal).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
            return e => e.TryGet(field, out var v) && v is not null && (op == "!=") != wildcard.IsMatch(LogValues.Format(v));
        }
        return e =>
        {
            if (!e.TryGet(field, out var v) || !LogValues.TryNumber(v, out var actual))
            {
                return false;
            }
            return op switch
            {
                "=" => actual == number,
                "!=" => actual != number,
                "<" => actual < number,
                "<=" => actual <= number,
                ">" => actual > number,
                _ => actual >= number,
            };
        };
    }

    private static bool Accept(string text, ref int position, string token)
    {
        Skip(text, ref position);
        if (string.CompareOrdinal(text, position, token, 0, token.Length) == 0)
        {
            position += token.Length;
            return true;
        }
        return false;
    }

    private static void Skip(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    private static InvalidLogsRequestException Invalid(string pattern, string reason) =>
        new("InvalidParameterException", $"Invalid filter pattern '{pattern}': {reason}.");
}
