using System.Text.Json;
using System.Text.Json.Nodes;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// The awsJson 1.0/1.1 protocols (CloudWatch Logs, ECS, ECR, Secrets Manager): <c>POST /</c> with
/// <c>X-Amz-Target: {targetPrefix}.{Operation}</c> and the input as JSON, members as the model names
/// them, timestamps as epoch seconds.
/// </summary>
public static class AwsJsonProtocol
{
    public static string ContentType(AwsServiceModel model) => $"application/x-amz-json-{model.JsonVersion ?? "1.0"}";

    public static string Target(AwsOperation operation) => $"{operation.Model.TargetPrefix}.{operation.Name}";

    public static string Serialize(AwsOperation operation, JsonObject input)
    {
        if (operation.Input is not { } shape)
        {
            return "{}";
        }
        AwsShapeCheck.Validate(shape, input, operation.Name);
        return Write(shape, input)!.ToJsonString();
    }

    public static JsonObject Deserialize(AwsOperation operation, string json)
    {
        if (operation.Output is not { } shape || string.IsNullOrWhiteSpace(json))
        {
            return [];
        }
        return Read(shape, JsonNode.Parse(json)) as JsonObject ?? [];
    }

    /// <summary>The code (after any <c>#</c> namespace, before any <c>:</c>) and message of a JSON error reply.</summary>
    public static (string Code, string Message)? ReadError(string json, string? errorTypeHeader)
    {
        string? type = errorTypeHeader;
        string message = "";
        try
        {
            if (JsonNode.Parse(json) is JsonObject body)
            {
                type ??= (string?)body["__type"] ?? (string?)body["code"];
                message = (string?)body["message"] ?? (string?)body["Message"] ?? "";
            }
        }
        catch (JsonException)
        {
            // Not JSON: the header alone names the error, if it is there.
        }
        if (type is null)
        {
            return null;
        }
        var code = type[(type.LastIndexOf('#') + 1)..];
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        return (colon >= 0 ? code[..colon] : code, message);
    }

    private static JsonNode? Write(Shape shape, JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }
        switch (shape.Type)
        {
            case "structure":
                var result = new JsonObject();
                foreach (var (name, member) in shape.Members)
                {
                    if (value[name] is { } node)
                    {
                        result[member.LocationName ?? name] = Write(member, node);
                    }
                }
                return result;
            case "list":
                return new JsonArray(value.AsArray().Select(item => Write(shape.Member, item)).ToArray());
            case "map":
                var map = new JsonObject();
                foreach (var (key, entry) in value.AsObject())
                {
                    map[key] = Write(shape.Value, entry);
                }
                return map;
            default:
                return AwsScalars.ToJsonValue(shape, value);
        }
    }

    private static JsonNode? Read(Shape shape, JsonNode? value)
    {
        if (value is null)
        {
            return null;
        }
        switch (shape.Type)
        {
            case "structure":
                var result = new JsonObject();
                foreach (var (name, member) in shape.Members)
                {
                    if ((value[member.LocationName ?? name] is { } node ? Read(member, node) : AwsScalars.EmptyCollection(member)) is { } read)
                    {
                        result[name] = read;
                    }
                }
                return result;
            case "list":
                return new JsonArray(value.AsArray().Select(item => Read(shape.Member, item)).ToArray());
            case "map":
                var map = new JsonObject();
                foreach (var (key, entry) in value.AsObject())
                {
                    map[key] = Read(shape.Value, entry);
                }
                return map;
            default:
                return AwsScalars.FromJsonValue(shape, value);
        }
    }
}
