using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FinTech.Portal.Audit;

public enum AuditExportFormat
{
    /// <summary>For people and spreadsheets.</summary>
    Csv,

    /// <summary>For machines: carries each event's exact hashed content, hashes and the anchors, so the range verifies offline.</summary>
    JsonLines,
}

/// <summary>
/// The export formats. JSON Lines, one object per line, each with a <c>type</c>:
/// <list type="bullet">
/// <item><c>header</c>: format version, the filter, the hash rule and the genesis previous hash;</item>
/// <item><c>event</c>: <c>sequence</c>, <c>previousHash</c>, <c>hash</c> and <c>content</c>, the exact canonical
/// JSON that was hashed (a JSON string, so its bytes survive);</item>
/// <item><c>anchor</c>: anchors whose sequence lies in the exported range.</item>
/// </list>
/// Offline check: each event's <c>hash</c> = SHA-256(hex-decoded previousHash || sequence as 8-byte
/// big-endian || UTF-8 content); consecutive sequences link (previousHash = hash of the one before);
/// an anchor's hash equals the hash of the event with its sequence. A filtered export holds a
/// subset: each event still proves itself, and links are checked where sequences are consecutive.
/// </summary>
public static class AuditExport
{
    public const string FormatVersion = "fintech-portal-audit-export/1";

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "sequence", "occurred_at", "event_type", "outcome", "actor_id", "actor_name", "actor_roles", "source_ip",
        "environment", "target", "reason", "parameters", "instance", "previous_hash", "hash",
    ];

    public static async Task WriteCsvAsync(IAsyncEnumerable<AuditEvent> events, Stream output, CancellationToken ct)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true) { NewLine = "\r\n" };
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        await foreach (var e in events.WithCancellation(ct))
        {
            string?[] fields =
            [
                e.Sequence.ToString(CultureInfo.InvariantCulture),
                AuditCanonical.FormatTimestamp(e.OccurredAt),
                e.EventType,
                e.Outcome.ToString(),
                e.Actor.UserId,
                e.Actor.DisplayName,
                string.Join(';', e.Actor.Roles),
                e.Actor.SourceIp,
                e.Environment,
                e.Target,
                e.Reason,
                JsonSerializer.Serialize(e.Parameters),
                e.Instance,
                e.PreviousHash,
                e.Hash,
            ];
            await writer.WriteLineAsync(string.Join(',', fields.Select(CsvField)));
        }
    }

    public static async Task WriteJsonLinesAsync(IAsyncEnumerable<AuditEvent> events, AuditFilter filter, IReadOnlyList<AuditAnchor> anchors, DateTimeOffset exportedAt, Stream output, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        async Task LineAsync(Action<Utf8JsonWriter> write)
        {
            buffer.ResetWrittenCount();
            using (var json = new Utf8JsonWriter(buffer, LineOptions))
            {
                write(json);
            }
            buffer.Write("\n"u8);
            await output.WriteAsync(buffer.WrittenMemory, ct);
        }

        await LineAsync(json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "header");
            json.WriteString("format", FormatVersion);
            json.WriteString("exportedAt", AuditCanonical.FormatTimestamp(exportedAt));
            json.WriteStartObject("filter");
            foreach (var (name, value) in filter.ToParameters())
            {
                json.WriteString(name, value);
            }
            json.WriteEndObject();
            json.WriteString("hash", "SHA-256(previousHash bytes || sequence as 8-byte big-endian || UTF-8 content), lowercase hex");
            json.WriteString("genesisPreviousHash", AuditCanonical.GenesisHash);
            json.WriteEndObject();
        });
        long? min = null, max = null;
        await foreach (var e in events.WithCancellation(ct))
        {
            min ??= e.Sequence;
            max = e.Sequence;
            await LineAsync(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "event");
                json.WriteNumber("sequence", e.Sequence);
                json.WriteString("previousHash", e.PreviousHash);
                json.WriteString("hash", e.Hash);
                json.WriteString("content", e.Content);
                json.WriteEndObject();
            });
        }
        foreach (var anchor in anchors.Where(a => min is not null && a.Sequence >= min && a.Sequence <= max))
        {
            await LineAsync(json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "anchor");
                json.WriteNumber("sequence", anchor.Sequence);
                json.WriteString("hash", anchor.Hash);
                json.WriteString("anchoredAt", AuditCanonical.FormatTimestamp(anchor.AnchoredAt));
                json.WriteString("instance", anchor.Instance);
                json.WriteEndObject();
            });
        }
        await output.FlushAsync(ct);
    }

    /// <summary>
    /// The offline check of a JSON Lines export, as a reviewer's script would do it: returns null
    /// when every event hashes, links and matches its anchors, else what is wrong first.
    /// </summary>
    public static string? VerifyJsonLines(TextReader export)
    {
        var hashes = new Dictionary<long, string>();
        var anchors = new List<(long Sequence, string Hash)>();
        long? previousSequence = null;
        string? previousHash = null;
        string? line;
        var lineNumber = 0;
        while ((line = export.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            switch (root.GetProperty("type").GetString())
            {
                case "event":
                    var sequence = root.GetProperty("sequence").GetInt64();
                    var previous = root.GetProperty("previousHash").GetString() ?? "";
                    var hash = root.GetProperty("hash").GetString() ?? "";
                    var content = root.GetProperty("content").GetString() ?? "";
                    var input = new byte[AuditCanonical.HashBytes + sizeof(long) + Encoding.UTF8.GetByteCount(content)];
                    Convert.FromHexString(previous).CopyTo(input, 0);
                    BinaryPrimitives.WriteInt64BigEndian(input.AsSpan(AuditCanonical.HashBytes), sequence);
                    Encoding.UTF8.GetBytes(content, input.AsSpan(AuditCanonical.HashBytes + sizeof(long)));
                    if (Convert.ToHexStringLower(SHA256.HashData(input)) != hash)
                    {
                        return $"line {lineNumber}: #{sequence} does not hash to its hash";
                    }
                    if (previousSequence == sequence - 1 && previousHash != previous)
                    {
                        return $"line {lineNumber}: #{sequence} does not link to #{sequence - 1}";
                    }
                    if (sequence == 1 && previous != AuditCanonical.GenesisHash)
                    {
                        return $"line {lineNumber}: #1 does not start from the genesis hash";
                    }
                    hashes[sequence] = hash;
                    previousSequence = sequence;
                    previousHash = hash;
                    break;
                case "anchor":
                    anchors.Add((root.GetProperty("sequence").GetInt64(), root.GetProperty("hash").GetString() ?? ""));
                    break;
                default:
                    break;
            }
        }
        foreach (var (sequence, hash) in anchors)
        {
            if (hashes.TryGetValue(sequence, out var exported) && exported != hash)
            {
                return $"anchor at #{sequence} does not match the exported event";
            }
        }
        return null;
    }

    /// <summary>
    /// RFC 4180 quoting, for every separator a spreadsheet may split on (comma, semicolon in many
    /// locales, tab) and for quotes and line breaks. A formula character (<c>= + - @</c>) at the
    /// start of the field or right after any separator or line break gets a quote (<c>'</c>) in
    /// front, so that no split of the field, whatever the locale's separator, starts a formula.
    /// </summary>
    internal static string CsvField(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var neutralised = new StringBuilder(value.Length + 4);
        for (var i = 0; i < value.Length; i++)
        {
            var startsCell = i == 0 || IsCsvSeparator(value[i - 1]);
            if (startsCell && value[i] is '=' or '+' or '-' or '@' or '\t' or '\r')
            {
                neutralised.Append('\'');
            }
            neutralised.Append(value[i]);
        }
        var text = neutralised.ToString();
        return text.AsSpan().IndexOfAny(",;\t\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    private static bool IsCsvSeparator(char c) => c is ',' or ';' or '\t' or '\r' or '\n';
}
