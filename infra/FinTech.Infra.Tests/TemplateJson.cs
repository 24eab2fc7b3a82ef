using System.Text.Json.Nodes;

namespace FinTech.Infra.Tests;

/// <summary>Small helpers to read a synthesized template as JSON where the assertions API is awkward in C#.</summary>
public static class TemplateJson
{
    public static IEnumerable<(string Id, JsonNode Properties)> Resources(string json, string type) =>
        JsonNode.Parse(json)!["Resources"]!.AsObject()
            .Where(r => r.Value!["Type"]!.GetValue<string>() == type)
            .Select(r => (r.Key, r.Value!["Properties"] ?? new JsonObject()));

    public static IReadOnlyList<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString() ?? "").ToList(),
        JsonValue value when value.TryGetValue<string>(out var s) => [s],
        null => [],
        _ => [node.ToJsonString()],
    };
}
