using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// Scalars between the portal's records (timestamps as ISO 8601 strings, numbers, booleans) and
/// the wire: query text, JSON values (timestamps as epoch seconds) and XML text.
/// </summary>
internal static class AwsScalars
{
    /// <summary>An empty list or map for a collection member the reply left out; null for anything else.</summary>
    public static JsonNode? EmptyCollection(Shape shape) => shape.Type switch
    {
        "list" => new JsonArray(),
        "map" => new JsonObject(),
        _ => null,
    };

    public static string ToQueryText(Shape shape, JsonNode value) => shape.Type switch
    {
        "timestamp" => Timestamp(value).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        "boolean" => value.GetValue<bool>() ? "true" : "false",
        // From the number's JSON text: a node built from an int (new JsonObject { ["X"] = 1 }) has no GetValue<long>.
        "integer" or "long" => long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        "double" or "float" => double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        _ => value.GetValue<string>(),
    };

    public static JsonNode ToJsonValue(Shape shape, JsonNode value) => shape.Type switch
    {
        // JSON protocols send timestamps as epoch seconds (fractional when the time has them).
        "timestamp" => JsonValue.Create(Timestamp(value).ToUnixTimeMilliseconds() / 1000.0),
        _ => value.DeepClone(),
    };

    public static JsonNode? FromText(Shape shape, string text) => shape.Type switch
    {
        "timestamp" => JsonValue.Create(ParseTimestamp(text).ToString("O", CultureInfo.InvariantCulture)),
        "boolean" => JsonValue.Create(string.Equals(text, "true", StringComparison.OrdinalIgnoreCase)),
        "integer" or "long" => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
        "double" or "float" => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(text),
    };

    public static JsonNode? FromJsonValue(Shape shape, JsonNode value) => shape.Type switch
    {
        "timestamp" when value.GetValueKind() == JsonValueKind.Number =>
            JsonValue.Create(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetValue<double>() * 1000)).ToString("O", CultureInfo.InvariantCulture)),
        "timestamp" => JsonValue.Create(ParseTimestamp(value.GetValue<string>()).ToString("O", CultureInfo.InvariantCulture)),
        _ => value.DeepClone(),
    };

    private static DateTimeOffset Timestamp(JsonNode value) =>
        value.GetValueKind() == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(value.GetValue<double>() * 1000))
            : ParseTimestamp(value.GetValue<string>());

    private static DateTimeOffset ParseTimestamp(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

/// <summary>
/// Checks a request against the operation's input shape before it leaves the portal: required
/// members, member names the model knows, and the JSON kind each type needs. A mistake in an
/// adapter fails here with the path of the member, not as a 400 from AWS.
/// </summary>
internal static class AwsShapeCheck
{
    public static void Validate(Shape shape, JsonNode? value, string path)
    {
        var problems = new List<string>();
        Check(shape, value, path, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The request does not fit the model: {string.Join("; ", problems)}");
        }
    }

    private static void Check(Shape shape, JsonNode? value, string path, List<string> problems)
    {
        if (value is null)
        {
            return;
        }
        var kind = value.GetValueKind();
        switch (shape.Type)
        {
            case "structure" when kind == JsonValueKind.Object:
                var obj = value.AsObject();
                foreach (var required in shape.Required.Where(r => obj[r] is null))
                {
                    problems.Add($"{path}.{required} is required");
                }
                foreach (var (name, member) in obj)
                {
                    if (!shape.TryGetMember(name, out var memberShape))
                    {
                        problems.Add($"{path}.{name} is not a member of the input");
                    }
                    else
                    {
                        Check(memberShape, member, $"{path}.{name}", problems);
                    }
                }
                break;
            case "list" when kind == JsonValueKind.Array:
                var items = value.AsArray();
                for (var i = 0; i < items.Count; i++)
                {
                    Check(shape.Member, items[i], $"{path}[{i}]", problems);
                }
                break;
            case "map" when kind == JsonValueKind.Object:
                foreach (var (key, entry) in value.AsObject())
                {
                    Check(shape.Value, entry, $"{path}[{key}]", problems);
                }
                break;
            case "string" or "blob" when kind == JsonValueKind.String:
            case "timestamp" when kind is JsonValueKind.String or JsonValueKind.Number:
            case "boolean" when kind is JsonValueKind.True or JsonValueKind.False:
            case "integer" or "long" or "double" or "float" when kind == JsonValueKind.Number:
                break;
            default:
                problems.Add($"{path} must be a {shape.Type}, got {kind}");
                break;
        }
    }
}
