using System.Globalization;
using System.Text;
using FinTech.Portal.Logs.Query;

namespace FinTech.Portal.Logs.Sandbox;

/// <summary>
/// Writes a flat JSON object, or only counts its UTF-8 bytes: "bytes scanned" needs the size of
/// every event, and building a million strings to measure them would be most of a query's work.
/// </summary>
internal struct JsonLine
{
    private readonly StringBuilder? _builder;
    private int _bytes;
    private bool _first;

    private JsonLine(StringBuilder? builder)
    {
        _builder = builder;
        _first = true;
        _bytes = 1;
        builder?.Append('{');
    }

    public static JsonLine Writer(int capacity = 320) => new(new StringBuilder(capacity));

    public static JsonLine Counter() => new(null);

    public void Field(string name, string value)
    {
        Name(name);
        _bytes += 2 + EscapedBytes(value);
        if (_builder is not null)
        {
            _builder.Append('"');
            Escape(_builder, value);
            _builder.Append('"');
        }
    }

    /// <summary>A string field whose escaped UTF-8 size is known, so counting need not make the string.</summary>
    public void Field(string name, Func<string> value, int bytes)
    {
        Name(name);
        _bytes += 2 + bytes;
        if (_builder is not null)
        {
            _builder.Append('"');
            Escape(_builder, value());
            _builder.Append('"');
        }
    }

    public void Field(string name, double value)
    {
        Name(name);
        Span<char> digits = stackalloc char[32];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        _bytes += written;
        _builder?.Append(digits[..written]);
    }

    /// <summary>The bytes written (closing brace included).</summary>
    public int Bytes => _bytes + 1;

    public override string ToString() => _builder!.Append('}').ToString();

    private void Name(string name)
    {
        _bytes += (_first ? 0 : 1) + 3 + name.Length;
        if (_builder is not null)
        {
            if (!_first)
            {
                _builder.Append(',');
            }
            _builder.Append('"').Append(name).Append("\":");
        }
        _first = false;
    }

    private static int EscapedBytes(string value)
    {
        var bytes = 0;
        foreach (var c in value)
        {
            bytes += c switch
            {
                '"' or '\\' or '\n' or '\r' or '\t' or '\b' or '\f' => 2,
                < ' ' => 6,
                < (char)0x80 => 1,
                < (char)0x800 => 2,
                _ when char.IsSurrogate(c) => 2,
                _ => 3,
            };
        }
        return bytes;
    }

    private static void Escape(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: builder.Append(c); break;
            }
        }
    }
}

/// <summary>
/// A JSON line whose fields are known when it is made (values are strings or numbers): fields are
/// read without parsing, and the message is written only when someone reads it.
/// </summary>
internal sealed class StructuredLogEvent(long timestamp, string logGroup, string logStream, (string Name, object Value)[] fields)
    : LogEvent(timestamp, logGroup, logStream)
{
    private string? _message;

    public override string Message => _message ??= Write(JsonLine.Writer()).ToString();

    private int _size = -1;

    public override int Size => _size >= 0 ? _size : _size = Write(JsonLine.Counter()).Bytes;

    public override IEnumerable<KeyValuePair<string, object?>> Fields =>
        fields.Select(f => new KeyValuePair<string, object?>(f.Name, f.Value));

    protected override bool TryGetField(string field, out object? value)
    {
        foreach (var (name, candidate) in fields)
        {
            if (string.Equals(name, field, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }
        value = null;
        return false;
    }

    private JsonLine Write(JsonLine line)
    {
        foreach (var (name, value) in fields)
        {
            if (value is double number)
            {
                line.Field(name, number);
            }
            else
            {
                line.Field(name, (string)value);
            }
        }
        return line;
    }
}
