using System.Text.Json;

namespace FinTech.Portal.Audit;

/// <summary>One stored event: its place in the chain and its canonical content, read back into fields.</summary>
public sealed record AuditEvent(
    long Sequence,
    string PreviousHash,
    string Hash,
    string Content,
    DateTimeOffset OccurredAt,
    string EventType,
    AuditActor Actor,
    AuditOutcome Outcome,
    string? Environment,
    string? Target,
    IReadOnlyDictionary<string, string?> Parameters,
    string? Reason,
    string Instance)
{
    /// <summary>Reads the fields from <paramref name="content"/>: what is shown is what the chain protects.</summary>
    public static AuditEvent FromStored(long sequence, string previousHash, string hash, string content)
    {
        using var document = JsonDocument.Parse(content);
        var root = document.RootElement;
        var actor = root.GetProperty("actor");
        var roles = actor.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? "").ToList();
        var parameters = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        if (root.TryGetProperty("parameters", out var parameterObject) && parameterObject.ValueKind == JsonValueKind.Object)
        {
            foreach (var parameter in parameterObject.EnumerateObject())
            {
                parameters[parameter.Name] = parameter.Value.ValueKind == JsonValueKind.Null ? null : parameter.Value.ToString();
            }
        }
        return new AuditEvent(
            sequence,
            previousHash,
            hash,
            content,
            AuditCanonical.ParseTimestamp(root.GetProperty("occurredAt").GetString() ?? ""),
            root.GetProperty("eventType").GetString() ?? "",
            new AuditActor(
                String(actor, "userId") ?? "",
                String(actor, "displayName") ?? "",
                roles,
                String(actor, "sourceIp")),
            Enum.TryParse<AuditOutcome>(String(root, "outcome"), out var outcome) ? outcome : AuditOutcome.Failed,
            String(root, "environment"),
            String(root, "target"),
            parameters,
            String(root, "reason"),
            String(root, "instance") ?? "");
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// What a reviewer searches by. Every criterion is optional; they combine with AND. Time bounds
/// are inclusive from, exclusive to; <see cref="Text"/> matches anywhere in the event (case-insensitive).
/// </summary>
public sealed record AuditFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Actor = null,
    string? EventType = null,
    string? Environment = null,
    string? Target = null,
    AuditOutcome? Outcome = null,
    string? Text = null)
{
    public static AuditFilter None { get; } = new();

    /// <summary>The filter as audit parameters (what a reviewer looked for is itself part of the record).</summary>
    public IReadOnlyDictionary<string, string?> ToParameters()
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parameters[name] = value;
            }
        }
        Add("from", From is { } from ? AuditCanonical.FormatTimestamp(from) : null);
        Add("to", To is { } to ? AuditCanonical.FormatTimestamp(to) : null);
        Add("actor", Actor);
        Add("eventType", EventType);
        Add("environment", Environment);
        Add("target", Target);
        Add("outcome", Outcome?.ToString());
        Add("text", Text);
        return parameters;
    }
}

/// <summary>One page of a search, newest first. <see cref="NextBefore"/> continues with older events.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, long? NextBefore);

/// <summary>The last event of the chain.</summary>
public sealed record AuditChainHead(long Sequence, string Hash, DateTimeOffset OccurredAt, string EventType);
