using System.Collections.Concurrent;
using System.Text.Json;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// One AWS API model (the <c>*.min.json</c> published in aws-sdk@2's <c>apis/</c>), embedded in the
/// portal under <c>Aws/Models</c>. Serialization is driven by it: member names, wire names, types,
/// list and map encodings and required members all come from here, never from hand-written code.
/// </summary>
public sealed class AwsServiceModel
{
    private static readonly ConcurrentDictionary<string, AwsServiceModel> Loaded = new(StringComparer.Ordinal);
    private readonly JsonElement _operations;
    private readonly JsonElement _shapes;

    private AwsServiceModel(string uid, JsonDocument document)
    {
        Uid = uid;
        var root = document.RootElement;
        var metadata = root.GetProperty("metadata");
        _operations = root.GetProperty("operations");
        _shapes = root.GetProperty("shapes");
        ApiVersion = metadata.GetProperty("apiVersion").GetString()!;
        EndpointPrefix = metadata.GetProperty("endpointPrefix").GetString()!;
        ServiceId = metadata.GetProperty("serviceId").GetString()!;
        Protocol = metadata.GetProperty("protocol").GetString()!;
        SigningName = metadata.TryGetProperty("signingName", out var signing) ? signing.GetString()! : EndpointPrefix;
        TargetPrefix = metadata.TryGetProperty("targetPrefix", out var target) ? target.GetString() : null;
        JsonVersion = metadata.TryGetProperty("jsonVersion", out var json) ? json.GetString() : null;
        XmlNamespace = metadata.TryGetProperty("xmlNamespace", out var ns) ? ns.GetString() : null;
    }

    /// <summary>The model's uid, e.g. <c>monitoring-2010-08-01</c>, which is also its file name.</summary>
    public string Uid { get; }
    public string ApiVersion { get; }
    public string EndpointPrefix { get; }

    /// <summary>The service id (<c>CloudWatch</c>, <c>CloudWatch Logs</c>): names the service for people and
    /// gives the <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c> variable.</summary>
    public string ServiceId { get; }

    /// <summary><c>query</c> or <c>json</c>.</summary>
    public string Protocol { get; }
    public string SigningName { get; }
    public string? TargetPrefix { get; }
    public string? JsonVersion { get; }
    public string? XmlNamespace { get; }

    /// <summary>The embedded models (file names without extension).</summary>
    public static IReadOnlyList<string> Embedded { get; } = typeof(AwsServiceModel).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("Aws.Models.", StringComparison.Ordinal))
        .Select(n => n["Aws.Models.".Length..^".min.json".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    public static AwsServiceModel Load(string uid) => Loaded.GetOrAdd(uid, key =>
    {
        using var stream = typeof(AwsServiceModel).Assembly.GetManifestResourceStream($"Aws.Models.{key}.min.json")
            ?? throw new InvalidOperationException($"The AWS model {key} is not embedded in the portal (Aws/Models).");
        return new AwsServiceModel(key, JsonDocument.Parse(stream));
    });

    /// <summary>Reads the embedded file as it is, for the test that compares it with the published model.</summary>
    public static byte[] ReadEmbedded(string uid)
    {
        using var stream = typeof(AwsServiceModel).Assembly.GetManifestResourceStream($"Aws.Models.{uid}.min.json")
            ?? throw new InvalidOperationException($"The AWS model {uid} is not embedded in the portal (Aws/Models).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public AwsOperation Operation(string name) =>
        _operations.TryGetProperty(name, out var operation)
            ? new AwsOperation(this, name, operation)
            : throw new ArgumentException($"{ServiceId} has no operation {name} in model {Uid}.", nameof(name));

    /// <summary>Resolves a shape reference (<c>{"shape":"S4"}</c> plus local traits such as
    /// <c>locationName</c>) to the shape it names, keeping the reference's traits.</summary>
    public Shape Resolve(JsonElement reference)
    {
        var target = reference.TryGetProperty("shape", out var name) ? _shapes.GetProperty(name.GetString()!) : reference;
        return new Shape(this, target, reference);
    }
}

public sealed class AwsOperation(AwsServiceModel model, string name, JsonElement definition)
{
    public AwsServiceModel Model { get; } = model;
    public string Name { get; } = name;

    public Shape? Input => definition.TryGetProperty("input", out var input) ? Model.Resolve(input) : null;

    public Shape? Output => definition.TryGetProperty("output", out var output) ? Model.Resolve(output) : null;

    /// <summary>The element that wraps a query-protocol result (<c>GetMetricDataResult</c>).</summary>
    public string? ResultWrapper =>
        definition.TryGetProperty("output", out var output) && output.TryGetProperty("resultWrapper", out var wrapper)
            ? wrapper.GetString()
            : null;
}

/// <summary>A resolved shape: its definition plus the traits of the reference that led to it.</summary>
public readonly struct Shape
{
    private readonly AwsServiceModel _model;
    private readonly JsonElement _definition;
    private readonly JsonElement _reference;

    internal Shape(AwsServiceModel model, JsonElement definition, JsonElement reference)
    {
        _model = model;
        _definition = definition;
        _reference = reference;
    }

    /// <summary>structure, list, map, string, integer, long, double, float, boolean, timestamp or blob
    /// (a member with no type in a min model is a string).</summary>
    public string Type => _definition.TryGetProperty("type", out var type) ? type.GetString()! : "string";

    public bool Flattened => Trait("flattened") is { ValueKind: JsonValueKind.True };

    /// <summary>The wire name given by the reference or the shape, if any.</summary>
    public string? LocationName => Trait("locationName")?.GetString();

    public string? QueryName => Trait("queryName")?.GetString();

    public string? TimestampFormat => Trait("timestampFormat")?.GetString();

    public IReadOnlyCollection<string> Required =>
        _definition.TryGetProperty("required", out var required)
            ? required.EnumerateArray().Select(r => r.GetString()!).ToList()
            : [];

    public IEnumerable<(string Name, Shape Shape)> Members
    {
        get
        {
            var model = _model;
            return _definition.TryGetProperty("members", out var members)
                ? members.EnumerateObject().Select(m => (m.Name, model.Resolve(m.Value))).ToList()
                : [];
        }
    }

    public bool TryGetMember(string name, out Shape shape)
    {
        if (_definition.TryGetProperty("members", out var members) && members.TryGetProperty(name, out var member))
        {
            shape = _model.Resolve(member);
            return true;
        }
        shape = default;
        return false;
    }

    public Shape Member => _model.Resolve(_definition.GetProperty("member"));
    public Shape Key => _model.Resolve(_definition.GetProperty("key"));
    public Shape Value => _model.Resolve(_definition.GetProperty("value"));

    private JsonElement? Trait(string name) =>
        _reference.ValueKind == JsonValueKind.Object && _reference.TryGetProperty(name, out var local) ? local
        : _definition.TryGetProperty(name, out var own) ? own
        : null;
}
