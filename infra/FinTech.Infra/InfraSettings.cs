using System.Text.Json;

namespace FinTech.Infra;

/// <summary>
/// Where the app's context comes from. Under the CDK CLI (<c>cdk synth</c>) the CLI hands the merged context
/// (cdk.json plus <c>-c</c> overrides) in <c>CDK_CONTEXT_JSON</c> and picks the output folder. Run directly
/// (<c>dotnet run --project infra/FinTech.Infra</c>), the app reads <c>infra/cdk.json</c> itself and writes
/// to <c>infra/cdk.out</c>, so both ways synthesize the same templates offline.
/// </summary>
public sealed class InfraSettings
{
    private const string ContextKey = "fintech";

    public required PlatformConfig Platform { get; init; }

    /// <summary>Feature flags and other plain context values to hand to <c>App</c>; null under the CLI.</summary>
    public IDictionary<string, object>? Context { get; init; }

    /// <summary>The output folder; null under the CLI (it sets <c>CDK_OUTDIR</c>).</summary>
    public string? Outdir { get; init; }

    public static InfraSettings Load()
    {
        var fromCli = Environment.GetEnvironmentVariable("CDK_CONTEXT_JSON");
        if (!string.IsNullOrWhiteSpace(fromCli))
        {
            using var cliContext = JsonDocument.Parse(fromCli);
            return new InfraSettings { Platform = ReadPlatform(cliContext.RootElement, "CDK_CONTEXT_JSON") };
        }

        var cdkJson = FindCdkJson()
            ?? throw new FileNotFoundException("cdk.json not found: run from the repository root or from infra/.");
        var settings = FromCdkJson(cdkJson);
        return new InfraSettings
        {
            Platform = settings.Platform,
            Context = settings.Context,
            Outdir = Environment.GetEnvironmentVariable("CDK_OUTDIR") is { Length: > 0 }
                ? null
                : Path.Combine(Path.GetDirectoryName(cdkJson)!, "cdk.out"),
        };
    }

    /// <summary>Reads the platform configuration and the feature flags from a cdk.json file.</summary>
    public static InfraSettings FromCdkJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var context = document.RootElement.GetProperty("context");
        var flags = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var entry in context.EnumerateObject())
        {
            object? value = entry.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String => entry.Value.GetString(),
                // Cached lookups such as availability-zones:account=...:region=... (no AWS call at synth).
                JsonValueKind.Array when entry.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) =>
                    entry.Value.EnumerateArray().Select(v => v.GetString()!).ToArray(),
                _ => null,
            };
            if (entry.Name != ContextKey && value is not null)
            {
                flags[entry.Name] = value;
            }
        }

        return new InfraSettings { Platform = ReadPlatform(context, path), Context = flags };
    }

    private static PlatformConfig ReadPlatform(JsonElement context, string source) =>
        context.TryGetProperty(ContextKey, out var fintech)
            ? PlatformConfig.FromJson(fintech)
            : throw new InvalidOperationException($"The context in {source} has no '{ContextKey}' entry.");

    private static string? FindCdkJson()
    {
        var cwd = Directory.GetCurrentDirectory();
        foreach (var candidate in new[] { Path.Combine(cwd, "cdk.json"), Path.Combine(cwd, "infra", "cdk.json") })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "cdk.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
