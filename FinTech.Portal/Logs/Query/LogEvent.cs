using System.Globalization;
using System.Text.Json;

namespace FinTech.Portal.Logs.Query;

/// <summary>A point in time as Logs Insights shows it: epoch milliseconds, printed <c>yyyy-MM-dd HH:mm:ss.fff</c> (UTC).</summary>
public readonly record struct LogTimestamp(long Milliseconds) : IComparable<LogTimestamp>
{
    public const string Format = "yyyy-MM-dd HH:mm:ss.fff";

    public DateTimeOffset ToDateTimeOffset() => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds);

    public int CompareTo(LogTimestamp other) => Milliseconds.CompareTo(other.Milliseconds);

    public override string ToString() => ToDateTimeOffset().UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out LogTimestamp timestamp)
    {
        if (DateTimeOffset.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            timestamp = new LogTimestamp(parsed.ToUnixTimeMilliseconds());
            return true;
        }
        timestamp = default;
        return false;
    }
}

/// <summary>
/// One log event as Logs Insights sees it: the system fields (<c>@timestamp</c>, <c>@message</c>,
/// <c>@logStream</c>, <c>@log</c>) and the fields discovered in a JSON message. Field values are
/// <see cref="string"/>, <see cref="double"/>, <see cref="bool"/> or <see cref="LogTimestamp"/>;
/// a field that is not there is absent, not null.
/// </summary>
public abstract class LogEvent
{
    protected LogEvent(long timestamp, string logGroup, string logStream)
    {
        Timestamp = timestamp;
        LogGroup = logGroup;
        LogStream = logStream;
    }

    /// <summary>Epoch milliseconds.</summary>
    public long Timestamp { get; }

    public string LogGroup { get; }

    public string LogStream { get; }

    /// <summary>The raw line as the service wrote it.</summary>
    public abstract string Message { get; }

    /// <summary>What this event adds to "bytes scanned" (the UTF-8 size of the message).</summary>
    public virtual int Size => System.Text.Encoding.UTF8.GetByteCount(Message);

    public bool TryGet(string field, out object? value)
    {
        switch (field)
        {
            case "@timestamp":
                value = new LogTimestamp(Timestamp);
                return true;
            case "@message":
                value = Message;
                return true;
            case "@logStream":
                value = LogStream;
                return true;
            case "@log":
                value = LogGroup;
                return true;
            default:
                return TryGetField(field, out value);
        }
    }

    /// <summary>The discovered fields in the order of the message, for showing a whole event.</summary>
    public abstract IEnumerable<KeyValuePair<string, object?>> Fields { get; }

    /// <summary>A discovered field of the message (JSON keys, nested ones as <c>a.b</c>).</summary>
    protected abstract bool TryGetField(string field, out object? value);
}

/// <summary>An event whose message is a JSON object or plain text; fields are discovered on first use.</summary>
public sealed class TextLogEvent(long timestamp, string logGroup, string logStream, string message)
    : LogEvent(timestamp, logGroup, logStream)
{
    private Dictionary<string, object?>? _fields;

    public override string Message => message;

    public override IEnumerable<KeyValuePair<string, object?>> Fields => Discovered;

    private Dictionary<string, object?> Discovered => _fields ??= Discover(message);

    protected override bool TryGetField(string field, out object? value) => Discovered.TryGetValue(field, out value);

    /// <summary>Flattens a JSON object's members: nested objects as <c>a.b</c>, arrays as <c>a.0</c>; text lines have none.</summary>
    public static Dictionary<string, object?> Discover(string message)
    {
        var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
        var trimmed = message.AsSpan().TrimStart();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return fields;
        }
        try
        {
            using var document = JsonDocument.Parse(message);
            Flatten(document.RootElement, null, fields);
        }
        catch (JsonException)
        {
            fields.Clear();
        }
        return fields;
    }

    private static void Flatten(JsonElement element, string? prefix, Dictionary<string, object?> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, prefix is null ? property.Name : $"{prefix}.{property.Name}", fields);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}.{index++}", fields);
                }
                break;
            case JsonValueKind.String:
                fields[prefix!] = element.GetString();
                break;
            case JsonValueKind.Number:
                fields[prefix!] = element.GetDouble();
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                fields[prefix!] = element.GetBoolean();
                break;
        }
    }
}

/// <summary>How Logs Insights compares, prints and converts values.</summary>
public static class LogValues
{
    public static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d:
                number = d;
                return true;
            case LogTimestamp t:
                number = t.Milliseconds;
                return true;
            case bool b:
                number = b ? 1 : 0;
                return true;
            case string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                number = parsed;
                return true;
            default:
                number = 0;
                return false;
        }
    }

    /// <summary>The text of a value as GetQueryResults returns it.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => FormatNumber(d),
        bool b => b ? "true" : "false",
        LogTimestamp t => t.ToString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static string FormatNumber(double d) =>
        double.IsNaN(d) ? "NaN" : d == Math.Floor(d) && Math.Abs(d) < 1e15 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("0.###############", CultureInfo.InvariantCulture);

    /// <summary>Numbers compare as numbers (a string that reads as one too), everything else as ordinal text.</summary>
    public static int Compare(object? left, object? right)
    {
        if (left is LogTimestamp lt && right is string rs && LogTimestamp.TryParse(rs, out var rt))
        {
            return lt.CompareTo(rt);
        }
        if (right is LogTimestamp rt2 && left is string ls && LogTimestamp.TryParse(ls, out var lt2))
        {
            return lt2.CompareTo(rt2);
        }
        if (TryNumber(left, out var a) && TryNumber(right, out var b))
        {
            return a.CompareTo(b);
        }
        return string.CompareOrdinal(Format(left), Format(right));
    }

    public static bool AreEqual(object? left, object? right) => left is not null && right is not null && Compare(left, right) == 0;

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        _ => true,
    };
}
