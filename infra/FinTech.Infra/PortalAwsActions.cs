using System.Text.Json;

namespace FinTech.Infra;

/// <summary>One AWS action the portal calls and the resources it is scoped to (from portal-aws-actions.json).</summary>
public sealed class PortalAwsAction
{
    public required string Action { get; init; }

    /// <summary>ARN patterns with {partition} {region} {account} {env}, or <c>*</c> when the action has no resource-level permission.</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>An IAM condition block (operator → key → value), when the action needs one.</summary>
    public Dictionary<string, Dictionary<string, string>>? Condition { get; init; }

    /// <summary>Granted to the portal's task role; every other action is granted to the access role it assumes.</summary>
    public bool TaskRoleOnly { get; init; }

    public string? Note { get; init; }

    public bool IsUnscoped => Resources.Count == 1 && Resources[0] == "*";
}

/// <summary>The shared action list (infra/portal-aws-actions.json, embedded in this assembly).</summary>
public sealed class PortalAwsActions
{
    public const string ResourceName = "portal-aws-actions.json";

    public required IReadOnlyList<PortalAwsAction> PortalActions { get; init; }

    public required OtherUnscoped OtherUnscopedActions { get; init; }

    public sealed class OtherUnscoped
    {
        public required IReadOnlyList<string> Actions { get; init; }
    }

    /// <summary>Every action that supports no resource-level permission: <c>Resource: "*"</c> is allowed for these only.</summary>
    public IReadOnlySet<string> UnscopedActions =>
        PortalActions.Where(a => a.IsUnscoped).Select(a => a.Action)
            .Concat(OtherUnscopedActions.Actions)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public static PortalAwsActions Load()
    {
        using var stream = typeof(PortalAwsActions).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        return JsonSerializer.Deserialize<PortalAwsActions>(stream, PlatformConfig.JsonOptions)
            ?? throw new InvalidOperationException($"{ResourceName} is empty.");
    }

    /// <summary>Fills the placeholders of an ARN pattern.</summary>
    public static string Expand(string pattern, string partition, string region, string account, string env) =>
        pattern.Replace("{partition}", partition, StringComparison.Ordinal)
            .Replace("{region}", region, StringComparison.Ordinal)
            .Replace("{account}", account, StringComparison.Ordinal)
            .Replace("{env}", env, StringComparison.Ordinal);
}
