using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FinTech.Portal.Audit;

/// <summary>
/// The canonical form of an event and its hash. Documented here because an exported range is
/// verified offline with nothing but this description:
/// <list type="bullet">
/// <item><c>content</c> is compact UTF-8 JSON, object keys in ordinal order at every level:
/// <c>actor</c> {<c>displayName</c>, <c>roles</c> (sorted), <c>sourceIp</c>, <c>userId</c>},
/// <c>environment</c>, <c>eventType</c>, <c>instance</c>, <c>occurredAt</c> (UTC,
/// <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>), <c>outcome</c>, <c>parameters</c> (keys sorted), <c>reason</c>,
/// <c>target</c>; absent values are <c>null</c>. Only <c>"</c>, <c>\</c> and control characters are escaped.</item>
/// <item><c>hash = SHA-256(previousHash (32 bytes) || sequence (8 bytes, big-endian) || content)</c>,
/// written as lowercase hex. The first event's previous hash is 32 zero bytes.</item>
/// </list>
/// The stored <c>content</c> is exactly the hashed bytes, so verification never has to re-serialize.
/// </summary>
public static class AuditCanonical
{
    public const string TimestampFormat = FinTech.Portal.Hosting.Timestamps.Stored;
    public const int HashBytes = 32;

    /// <summary>The previous hash of event #1.</summary>
    public static readonly string GenesisHash = new('0', HashBytes * 2);

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.ParseExact(value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>The canonical content of <paramref name="entry"/> as it happened at <paramref name="occurredAt"/> on <paramref name="instance"/>.</summary>
    public static string Content(AuditEntry entry, DateTimeOffset occurredAt, string instance)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("actor");
            json.WriteString("displayName", entry.Actor.DisplayName);
            json.WriteStartArray("roles");
            foreach (var role in entry.Actor.Roles.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(role);
            }
            json.WriteEndArray();
            json.WriteString("sourceIp", entry.Actor.SourceIp);
            json.WriteString("userId", entry.Actor.UserId);
            json.WriteEndObject();
            json.WriteString("environment", entry.Environment);
            json.WriteString("eventType", entry.EventType);
            json.WriteString("instance", instance);
            json.WriteString("occurredAt", FormatTimestamp(occurredAt));
            json.WriteString("outcome", entry.Outcome.ToString());
            json.WriteStartObject("parameters");
            if (entry.Parameters is not null)
            {
                foreach (var (name, value) in entry.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(name, value);
                }
            }
            json.WriteEndObject();
            json.WriteString("reason", entry.Reason);
            json.WriteString("target", entry.Target);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>SHA-256 over previous hash, sequence and content, as lowercase hex.</summary>
    public static string Hash(string previousHash, long sequence, string content)
    {
        Span<byte> hash = stackalloc byte[HashBytes];
        var contentBytes = System.Text.Encoding.UTF8.GetByteCount(content);
        var rented = ArrayPool<byte>.Shared.Rent(HashBytes + sizeof(long) + contentBytes);
        try
        {
            var length = WriteHashInput(previousHash, sequence, content, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes the hashed bytes, with content already in UTF-8, into <paramref name="destination"/> and returns their length.</summary>
    public static int WriteHashInput(string previousHash, long sequence, ReadOnlySpan<byte> content, Span<byte> destination)
    {
        WriteLink(previousHash, sequence, destination);
        content.CopyTo(destination[(HashBytes + sizeof(long))..]);
        return HashBytes + sizeof(long) + content.Length;
    }

    /// <summary>Writes the hashed bytes into <paramref name="destination"/> and returns their length.</summary>
    public static int WriteHashInput(string previousHash, long sequence, string content, Span<byte> destination)
    {
        WriteLink(previousHash, sequence, destination);
        var length = System.Text.Encoding.UTF8.GetBytes(content, destination[(HashBytes + sizeof(long))..]);
        return HashBytes + sizeof(long) + length;
    }

    private static void WriteLink(string previousHash, long sequence, Span<byte> destination)
    {
        if (previousHash.Length != HashBytes * 2 || Convert.FromHexString(previousHash, destination[..HashBytes], out _, out var written) != OperationStatus.Done || written != HashBytes)
        {
            // A malformed stored hash cannot be the hash of anything: hash a zero link so the comparison fails.
            destination[..HashBytes].Fill(0xFF);
        }
        BinaryPrimitives.WriteInt64BigEndian(destination.Slice(HashBytes, sizeof(long)), sequence);
    }
}
