using System.Globalization;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The part of CloudWatch metric math the platform's alarms and dashboards use: numbers, query ids,
/// <c>+ - * /</c>, parentheses, <c>FILL(id, value)</c> and <c>MAX</c>, <c>MIN</c>, <c>SUM</c>, <c>AVG</c> over an
/// array of series (<c>MAX([cpu0, cpu1])</c>: per timestamp, over the series that have a value there, as
/// an alarm that follows whichever node is primary needs). Evaluated per timestamp: a missing value
/// (NaN) makes the result missing unless <c>FILL</c> replaces it; division by zero is missing.
/// Anything else is refused with a message that says what the Sandbox understands.
/// </summary>
internal sealed class SandboxMetricMath
{
    private readonly Node _root;

    private SandboxMetricMath(string expression, Node root, IReadOnlyList<string> ids)
    {
        Expression = expression;
        _root = root;
        Ids = ids;
    }

    public string Expression { get; }

    /// <summary>The query ids the expression reads.</summary>
    public IReadOnlyList<string> Ids { get; }

    public static SandboxMetricMath Parse(string expression)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var parser = new Parser(expression);
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return new SandboxMetricMath(expression, root, parser.Ids.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>The value at one timestamp, given each id's value there (NaN when it has none).</summary>
    public double Evaluate(Func<string, double> valueOf) => _root.Evaluate(valueOf);

    private abstract record Node
    {
        public abstract double Evaluate(Func<string, double> valueOf);
    }

    private sealed record Number(double Value) : Node
    {
        public override double Evaluate(Func<string, double> valueOf) => Value;
    }

    private sealed record Reference(string Id) : Node
    {
        public override double Evaluate(Func<string, double> valueOf) => valueOf(Id);
    }

    private sealed record Fill(Node Series, Node Value) : Node
    {
        public override double Evaluate(Func<string, double> valueOf)
        {
            var value = Series.Evaluate(valueOf);
            return double.IsNaN(value) ? Value.Evaluate(valueOf) : value;
        }
    }

    /// <summary>A function over an array of series, per timestamp, skipping missing values; missing when all are.</summary>
    private sealed record Aggregate(string Function, IReadOnlyList<Node> Series) : Node
    {
        public override double Evaluate(Func<string, double> valueOf)
        {
            var values = Series.Select(s => s.Evaluate(valueOf)).Where(v => !double.IsNaN(v)).ToList();
            if (values.Count == 0)
            {
                return double.NaN;
            }
            return Function switch
            {
                "MAX" => values.Max(),
                "MIN" => values.Min(),
                "SUM" => values.Sum(),
                _ => values.Average(),
            };
        }
    }

    private sealed record Binary(char Operator, Node Left, Node Right) : Node
    {
        public override double Evaluate(Func<string, double> valueOf)
        {
            var left = Left.Evaluate(valueOf);
            var right = Right.Evaluate(valueOf);
            return Operator switch
            {
                '+' => left + right,
                '-' => left - right,
                '*' => left * right,
                _ => right == 0 ? double.NaN : left / right,
            };
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public List<string> Ids { get; } = [];

        public Node ParseExpression()
        {
            var node = ParseTerm();
            while (TryTake('+') || TryTake('-'))
            {
                var op = text[_position - 1];
                node = new Binary(op, node, ParseTerm());
            }
            return node;
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (_position < text.Length)
            {
                throw Error($"unexpected '{text[_position]}'");
            }
        }

        private Node ParseTerm()
        {
            var node = ParseFactor();
            while (TryTake('*') || TryTake('/'))
            {
                var op = text[_position - 1];
                node = new Binary(op, node, ParseFactor());
            }
            return node;
        }

        private Node ParseFactor()
        {
            SkipSpaces();
            if (TryTake('('))
            {
                var inner = ParseExpression();
                Expect(')');
                return inner;
            }
            if (TryTake('-'))
            {
                return new Binary('-', new Number(0), ParseFactor());
            }
            if (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
            {
                var start = _position;
                while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
                {
                    _position++;
                }
                return new Number(double.Parse(text.AsSpan(start, _position - start), CultureInfo.InvariantCulture));
            }
            var name = Identifier();
            if (name == "FILL")
            {
                Expect('(');
                var series = ParseExpression();
                Expect(',');
                var value = ParseExpression();
                Expect(')');
                return new Fill(series, value);
            }
            if (name is "MAX" or "MIN" or "SUM" or "AVG")
            {
                Expect('(');
                Expect('[');
                var series = new List<Node> { ParseExpression() };
                while (TryTake(','))
                {
                    series.Add(ParseExpression());
                }
                Expect(']');
                Expect(')');
                return new Aggregate(name, series);
            }
            SkipSpaces();
            if (_position < text.Length && text[_position] == '(')
            {
                throw Error($"the function {name} is not one the Sandbox evaluates (it knows FILL, MAX, MIN, SUM, AVG and + - * /)");
            }
            if (!char.IsAsciiLetterLower(name[0]))
            {
                throw Error($"'{name}' is not a query id (ids start with a lower-case letter)");
            }
            Ids.Add(name);
            return new Reference(name);
        }

        private string Identifier()
        {
            SkipSpaces();
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }
            return _position > start ? text[start.._position] : throw Error("expected a number, a query id or a function");
        }

        private bool TryTake(char c)
        {
            SkipSpaces();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Error($"expected '{c}'");
            }
        }

        private void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private ArgumentException Error(string what) =>
            new($"The metric math expression '{text}' cannot be evaluated: {what} at position {_position + 1}.", "expression");
    }
}
