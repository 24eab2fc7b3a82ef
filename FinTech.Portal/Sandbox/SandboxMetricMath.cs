using System.Globalization;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The part of CloudWatch metric math the platform's alarms and dashboards use: numbers, query ids,
/// <c>+ - * /</c>, parentheses and <c>FILL(id, value)</c>. Evaluated per timestamp: a missing value
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
            SkipSpaces();
            if (_position < text.Length && text[_position] == '(')
            {
                throw Error($"the function {name} is not one the Sandbox evaluates (it knows FILL and + - * /)");
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
            return _position > start ? text[start.._position] : throw Error("expected a number, a query id or FILL(...)");
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
