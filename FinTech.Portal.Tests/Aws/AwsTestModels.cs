using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// The test endpoint's own reading of the published models in the shared aws-models folder (no portal
/// code): it turns what arrives on the wire back into the operation's input, rejecting unknown
/// members, missing required ones, wrong types and values outside the enums the portal sends, and
/// writes replies from the output shapes.
/// </summary>
public sealed class AwsTestModel
{
    public static readonly string ModelsFolder = Path.Combine(SharedFolder.Path, "aws-models");

    /// <summary>
    /// The <c>*.min.json</c> models carry no enum lists, so the enums of the members the portal
    /// sends are listed here from the API reference.
    /// </summary>
    private static readonly Dictionary<string, string[]> Enums = new(StringComparer.Ordinal)
    {
        ["ScanBy"] = ["TimestampDescending", "TimestampAscending"],
        ["StateValue"] = ["OK", "ALARM", "INSUFFICIENT_DATA"],
        ["AlarmTypes[]"] = ["CompositeAlarm", "MetricAlarm"],
        ["Stat"] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
    };

    private static readonly Dictionary<string, AwsTestModel> Cache = new(StringComparer.Ordinal);
    private readonly JsonElement _shapes;
    private readonly JsonElement _operations;

    private AwsTestModel(string uid)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelsFolder, uid + ".min.json"))).RootElement;
        Uid = uid;
        Metadata = root.GetProperty("metadata");
        _shapes = root.GetProperty("shapes");
        _operations = root.GetProperty("operations");
        var examplesPath = Path.Combine(ModelsFolder, uid + ".examples.json");
        Examples = File.Exists(examplesPath) ? JsonNode.Parse(File.ReadAllText(examplesPath))!["examples"]!.AsObject() : [];
    }

    public string Uid { get; }
    public JsonElement Metadata { get; }
    public JsonObject Examples { get; }
    public string Protocol => Metadata.GetProperty("protocol").GetString()!;
    public string SigningName => Metadata.TryGetProperty("signingName", out var s) ? s.GetString()! : Metadata.GetProperty("endpointPrefix").GetString()!;

    public static AwsTestModel Load(string uid)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(uid, out var model))
            {
                Cache[uid] = model = new AwsTestModel(uid);
            }
            return model;
        }
    }

    public bool HasOperation(string name) => _operations.TryGetProperty(name, out _);

    public JsonElement? InputShape(string operation) =>
        _operations.GetProperty(operation).TryGetProperty("input", out var input) ? Resolve(input) : null;

    public JsonElement? OutputShape(string operation) =>
        _operations.GetProperty(operation).TryGetProperty("output", out var output) ? Resolve(output) : null;

    public string? ResultWrapper(string operation) =>
        _operations.GetProperty(operation).TryGetProperty("output", out var output) && output.TryGetProperty("resultWrapper", out var w) ? w.GetString() : null;

    private JsonElement Resolve(JsonElement reference) =>
        reference.TryGetProperty("shape", out var name) ? _shapes.GetProperty(name.GetString()!) : reference;

    private static string TypeOf(JsonElement shape) => shape.TryGetProperty("type", out var t) ? t.GetString()! : "string";

    private static string? Trait(JsonElement reference, JsonElement shape, string name) =>
        reference.TryGetProperty(name, out var local) ? local.ToString() : shape.TryGetProperty(name, out var own) ? own.ToString() : null;

    // ---- awsQuery input: flat form parameters back into a tree --------------------------------

    public JsonObject ReadQuery(string operation, Dictionary<string, string> form, List<string> problems)
    {
        var consumed = new HashSet<string>(StringComparer.Ordinal) { "Action", "Version" };
        var result = new JsonObject();
        if (InputShape(operation) is { } shape)
        {
            result = (JsonObject)ReadQueryStructure(shape, "", form, consumed, problems, operation)!;
        }
        foreach (var unknown in form.Keys.Where(k => !consumed.Contains(k)))
        {
            problems.Add($"unknown parameter {unknown}");
        }
        return result;
    }

    private JsonNode? ReadQueryStructure(JsonElement shape, string prefix, Dictionary<string, string> form, HashSet<string> consumed, List<string> problems, string path)
    {
        var result = new JsonObject();
        var members = shape.TryGetProperty("members", out var m) ? m.EnumerateObject().ToList() : [];
        foreach (var member in members)
        {
            var memberShape = Resolve(member.Value);
            var wire = Trait(member.Value, memberShape, "locationName") ?? member.Name;
            var key = prefix.Length == 0 ? wire : $"{prefix}.{wire}";
            var value = ReadQueryValue(member.Value, memberShape, key, form, consumed, problems, $"{path}.{member.Name}", member.Name);
            if (value is not null)
            {
                result[member.Name] = value;
            }
        }
        if (shape.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(r => result[r] is null))
            {
                problems.Add($"{path}.{name} is required");
            }
        }
        return result;
    }

    private JsonNode? ReadQueryValue(JsonElement reference, JsonElement shape, string key, Dictionary<string, string> form,
        HashSet<string> consumed, List<string> problems, string path, string memberName)
    {
        switch (TypeOf(shape))
        {
            case "structure":
                return form.Keys.Any(k => k.StartsWith(key + ".", StringComparison.Ordinal))
                    ? ReadQueryStructure(shape, key, form, consumed, problems, path)
                    : null;
            case "list":
                if (form.TryGetValue(key, out var empty) && empty.Length == 0)
                {
                    consumed.Add(key);
                    return new JsonArray();
                }
                var itemRef = shape.GetProperty("member");
                var itemShape = Resolve(itemRef);
                var flattened = Trait(reference, shape, "flattened") == "True";
                var itemPrefix = flattened ? key : $"{key}.{Trait(itemRef, itemShape, "locationName") ?? "member"}";
                var items = new JsonArray();
                for (var i = 1; form.Keys.Any(k => k == $"{itemPrefix}.{i}" || k.StartsWith($"{itemPrefix}.{i}.", StringComparison.Ordinal)); i++)
                {
                    items.Add(ReadQueryValue(itemRef, itemShape, $"{itemPrefix}.{i}", form, consumed, problems, $"{path}[{i}]", memberName + "[]"));
                }
                return items.Count == 0 ? null : items;
            case "map":
                var map = new JsonObject();
                for (var i = 1; form.TryGetValue($"{key}.entry.{i}.key", out var mapKey); i++)
                {
                    consumed.Add($"{key}.entry.{i}.key");
                    map[mapKey] = ReadQueryValue(shape.GetProperty("value"), Resolve(shape.GetProperty("value")), $"{key}.entry.{i}.value", form, consumed, problems, $"{path}[{mapKey}]", memberName);
                }
                return map.Count == 0 ? null : map;
            default:
                if (!form.TryGetValue(key, out var text))
                {
                    return null;
                }
                consumed.Add(key);
                return Scalar(TypeOf(shape), text, path, memberName, problems);
        }
    }

    private static JsonNode? Scalar(string type, string text, string path, string memberName, List<string> problems)
    {
        switch (type)
        {
            case "integer" or "long" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l):
                return l;
            case "double" or "float" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return d;
            case "boolean" when text is "true" or "false":
                return text == "true";
            case "timestamp" when DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t):
                return t.ToString("O", CultureInfo.InvariantCulture);
            case "string" or "blob":
                CheckEnum(memberName, text, path, problems);
                return text;
            default:
                problems.Add($"{path} = '{text}' is not a valid {type}");
                return null;
        }
    }

    private static void CheckEnum(string memberName, string text, string path, List<string> problems)
    {
        if (Enums.TryGetValue(memberName, out var allowed) && !allowed.Contains(text)
            && !(memberName == "Stat" && text.StartsWith('p')))
        {
            problems.Add($"{path} = '{text}' is not one of {string.Join(", ", allowed)}");
        }
    }

    // ---- awsJson input --------------------------------------------------------------------------

    public JsonObject ReadJson(string operation, JsonNode? body, List<string> problems)
    {
        if (InputShape(operation) is not { } shape)
        {
            return [];
        }
        if (body is not JsonObject obj)
        {
            problems.Add("the body is not a JSON object");
            return [];
        }
        CheckJson(shape, obj, operation, "", problems);
        return obj;
    }

    private void CheckJson(JsonElement shape, JsonNode? value, string path, string memberName, List<string> problems)
    {
        if (value is null)
        {
            return;
        }
        var kind = value.GetValueKind();
        switch (TypeOf(shape))
        {
            case "structure" when kind == JsonValueKind.Object:
                var members = shape.TryGetProperty("members", out var m) ? m : default;
                foreach (var (name, member) in value.AsObject())
                {
                    if (members.ValueKind != JsonValueKind.Object || !members.TryGetProperty(name, out var memberRef))
                    {
                        problems.Add($"{path}.{name} is not a member");
                        continue;
                    }
                    CheckJson(Resolve(memberRef), member, $"{path}.{name}", name, problems);
                }
                if (shape.TryGetProperty("required", out var required))
                {
                    foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(r => value[r] is null))
                    {
                        problems.Add($"{path}.{name} is required");
                    }
                }
                break;
            case "list" when kind == JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.AsArray())
                {
                    CheckJson(Resolve(shape.GetProperty("member")), item, $"{path}[{i++}]", memberName + "[]", problems);
                }
                break;
            case "map" when kind == JsonValueKind.Object:
                foreach (var (key, entry) in value.AsObject())
                {
                    CheckJson(Resolve(shape.GetProperty("value")), entry, $"{path}[{key}]", memberName, problems);
                }
                break;
            case "string" or "blob" when kind == JsonValueKind.String:
                CheckEnum(memberName, value.GetValue<string>(), path, problems);
                break;
            case "timestamp" or "integer" or "long" or "double" or "float" when kind == JsonValueKind.Number:
            case "boolean" when kind is JsonValueKind.True or JsonValueKind.False:
                break;
            default:
                problems.Add($"{path} must be a {TypeOf(shape)}, got {kind}");
                break;
        }
    }

    // ---- replies ---------------------------------------------------------------------------------

    /// <summary>The first example's output for the operation, if AWS published one.</summary>
    public JsonObject? ExampleOutput(string operation) =>
        Examples[operation] is JsonArray { Count: > 0 } examples && examples[0]!["output"] is JsonObject output
            ? (JsonObject)output.DeepClone()
            : null;

    public string WriteQueryReply(string operation, JsonObject output, string requestId)
    {
        XNamespace ns = Metadata.TryGetProperty("xmlNamespace", out var x) ? x.GetString()! : "";
        var result = new XElement(ns + (ResultWrapper(operation) ?? operation + "Result"));
        if (OutputShape(operation) is { } shape)
        {
            WriteXmlMembers(shape, output, result, ns, operation);
        }
        return new XDocument(new XElement(ns + operation + "Response", result,
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", requestId)))).ToString(SaveOptions.DisableFormatting);
    }

    private void WriteXmlMembers(JsonElement shape, JsonObject value, XElement into, XNamespace ns, string path)
    {
        var members = shape.TryGetProperty("members", out var m) ? m : default;
        foreach (var (name, node) in value)
        {
            if (members.ValueKind != JsonValueKind.Object || !members.TryGetProperty(name, out var memberRef))
            {
                throw new InvalidOperationException($"The test reply has {path}.{name}, which the output shape does not have.");
            }
            var memberShape = Resolve(memberRef);
            var wire = Trait(memberRef, memberShape, "locationName") ?? name;
            if (TypeOf(memberShape) == "list" && Trait(memberRef, memberShape, "flattened") == "True")
            {
                foreach (var item in node!.AsArray())
                {
                    into.Add(WriteXml(memberShape.GetProperty("member"), item, wire, ns, path));
                }
            }
            else if (node is not null)
            {
                into.Add(WriteXml(memberRef, node, wire, ns, $"{path}.{name}"));
            }
        }
    }

    private XElement WriteXml(JsonElement reference, JsonNode? value, string name, XNamespace ns, string path)
    {
        var shape = Resolve(reference);
        var element = new XElement(ns + name);
        switch (TypeOf(shape))
        {
            case "structure":
                WriteXmlMembers(shape, value!.AsObject(), element, ns, path);
                break;
            case "list":
                var itemRef = shape.GetProperty("member");
                var itemName = Trait(itemRef, Resolve(itemRef), "locationName") ?? "member";
                foreach (var item in value!.AsArray())
                {
                    element.Add(WriteXml(itemRef, item, itemName, ns, path));
                }
                break;
            case "timestamp":
                element.Value = DateTimeOffset.Parse(value!.ToString(), CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
                break;
            case "boolean":
                element.Value = value!.GetValue<bool>() ? "true" : "false";
                break;
            case "double" or "float":
                element.Value = value!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
                break;
            default:
                element.Value = value!.ToString();
                break;
        }
        return element;
    }

    /// <summary>Checks a JSON reply against the output shape and writes timestamps as epoch seconds.</summary>
    public string WriteJsonReply(string operation, JsonObject output)
    {
        if (OutputShape(operation) is not { } shape)
        {
            return "{}";
        }
        return ToWireJson(shape, output, operation)!.ToJsonString();
    }

    private JsonNode? ToWireJson(JsonElement shape, JsonNode? value, string path)
    {
        if (value is null)
        {
            return null;
        }
        switch (TypeOf(shape))
        {
            case "structure":
                var result = new JsonObject();
                var members = shape.TryGetProperty("members", out var m) ? m : default;
                foreach (var (name, node) in value.AsObject())
                {
                    if (members.ValueKind != JsonValueKind.Object || !members.TryGetProperty(name, out var memberRef))
                    {
                        throw new InvalidOperationException($"The test reply has {path}.{name}, which the output shape does not have.");
                    }
                    result[name] = ToWireJson(Resolve(memberRef), node, $"{path}.{name}");
                }
                return result;
            case "list":
                return new JsonArray(value.AsArray().Select(i => ToWireJson(Resolve(shape.GetProperty("member")), i, path)).ToArray());
            case "map":
                var map = new JsonObject();
                foreach (var (key, entry) in value.AsObject())
                {
                    map[key] = ToWireJson(Resolve(shape.GetProperty("value")), entry, path);
                }
                return map;
            case "timestamp" when value.GetValueKind() == JsonValueKind.String:
                // AWS's examples write some timestamps as epoch seconds in a string.
                var text = value.GetValue<string>();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds
                    : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0;
            default:
                return value.DeepClone();
        }
    }
}
