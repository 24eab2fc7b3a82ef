using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// The awsQuery protocol (CloudWatch, RDS, ElastiCache, ELBv2): the input becomes form parameters
/// (<c>Action</c>, <c>Version</c>, then the members flattened with <c>.member.N</c> and
/// <c>.entry.N.key</c>), the reply is XML under <c>{Operation}Response/{ResultWrapper}</c>.
/// Both directions walk the operation's shapes.
/// </summary>
public static class AwsQueryProtocol
{
    public static List<KeyValuePair<string, string>> Serialize(AwsOperation operation, JsonObject input)
    {
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("Action", operation.Name),
            new("Version", operation.Model.ApiVersion),
        };
        if (operation.Input is { } shape)
        {
            AwsShapeCheck.Validate(shape, input, operation.Name);
            SerializeStructure(shape, input, "", parameters);
        }
        return parameters;
    }

    public static string FormBody(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Escape(p.Key)}={Escape(p.Value)}"));

    /// <summary>RFC 3986 unreserved characters stay, everything else is percent-encoded (as the SDKs do).</summary>
    public static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    private static void SerializeStructure(Shape shape, JsonObject value, string prefix, List<KeyValuePair<string, string>> into)
    {
        foreach (var (name, member) in shape.Members)
        {
            if (value[name] is { } node)
            {
                var wireName = member.QueryName ?? member.LocationName ?? name;
                Serialize(member, node, prefix.Length == 0 ? wireName : $"{prefix}.{wireName}", into);
            }
        }
    }

    private static void Serialize(Shape shape, JsonNode value, string name, List<KeyValuePair<string, string>> into)
    {
        switch (shape.Type)
        {
            case "structure":
                SerializeStructure(shape, value.AsObject(), name, into);
                break;
            case "list":
                var items = value.AsArray();
                if (items.Count == 0)
                {
                    into.Add(new(name, ""));
                    break;
                }
                var itemShape = shape.Member;
                var itemPrefix = shape.Flattened ? name : $"{name}.{itemShape.LocationName ?? "member"}";
                for (var i = 0; i < items.Count; i++)
                {
                    Serialize(itemShape, items[i]!, $"{itemPrefix}.{i + 1}", into);
                }
                break;
            case "map":
                var entryPrefix = shape.Flattened ? name : $"{name}.entry";
                var index = 1;
                foreach (var (key, entry) in value.AsObject())
                {
                    into.Add(new($"{entryPrefix}.{index}.{shape.Key.LocationName ?? "key"}", key));
                    Serialize(shape.Value, entry!, $"{entryPrefix}.{index}.{shape.Value.LocationName ?? "value"}", into);
                    index++;
                }
                break;
            default:
                into.Add(new(name, AwsScalars.ToQueryText(shape, value)));
                break;
        }
    }

    /// <summary>Reads <c>{Operation}Response/{ResultWrapper}</c> into the output shape's members.</summary>
    public static JsonObject Deserialize(AwsOperation operation, string xml)
    {
        var document = XDocument.Parse(xml);
        var root = document.Root ?? throw new FormatException("The reply has no XML root element.");
        if (operation.Output is not { } shape)
        {
            return [];
        }
        var result = operation.ResultWrapper is { } wrapper ? Child(root, wrapper) : root;
        return result is null ? [] : (JsonObject)ReadStructure(shape, result);
    }

    /// <summary>The <c>Code</c>, <c>Message</c> and <c>RequestId</c> of an awsQuery error reply, if it is one.</summary>
    public static (string Code, string Message, string? RequestId)? ReadError(string xml)
    {
        try
        {
            var root = XDocument.Parse(xml).Root;
            var error = root is null ? null : root.Name.LocalName == "Error" ? root : root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            if (error is null)
            {
                return null;
            }
            var code = Child(error, "Code")?.Value ?? "Unknown";
            var message = Child(error, "Message")?.Value ?? "";
            var requestId = root!.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            return (code, message, requestId);
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static JsonNode ReadStructure(Shape shape, XElement element)
    {
        var result = new JsonObject();
        foreach (var (name, member) in shape.Members)
        {
            var wireName = member.LocationName ?? name;
            if (member is { Type: "list", Flattened: true })
            {
                var items = element.Elements().Where(e => e.Name.LocalName == wireName).ToList();
                if (items.Count > 0)
                {
                    result[name] = new JsonArray(items.Select(i => Read(member.Member, i)).ToArray());
                }
            }
            else if (Child(element, wireName) is { } child)
            {
                result[name] = Read(member, child);
            }
            // An absent list or map reads as empty, as the SDKs' unmarshallers give it.
            result[name] ??= AwsScalars.EmptyCollection(member);
            if (result[name] is null)
            {
                result.Remove(name);
            }
        }
        return result;
    }

    private static JsonNode? Read(Shape shape, XElement element)
    {
        switch (shape.Type)
        {
            case "structure":
                return ReadStructure(shape, element);
            case "list":
                var itemName = shape.Member.LocationName ?? "member";
                return new JsonArray(element.Elements().Where(e => e.Name.LocalName == itemName).Select(e => Read(shape.Member, e)).ToArray());
            case "map":
                var map = new JsonObject();
                var entries = shape.Flattened ? [element] : element.Elements().Where(e => e.Name.LocalName == "entry");
                foreach (var entry in entries)
                {
                    var key = Child(entry, shape.Key.LocationName ?? "key")?.Value;
                    if (key is not null && Child(entry, shape.Value.LocationName ?? "value") is { } value)
                    {
                        map[key] = Read(shape.Value, value);
                    }
                }
                return map;
            default:
                return AwsScalars.FromText(shape, element.Value);
        }
    }

    private static XElement? Child(XElement element, string localName) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == localName);
}
