using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FinTech.Portal.Operations;

/// <summary>One operation run, as its row in <c>operation_runs</c> holds it.</summary>
public sealed record OperationRun
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string Environment { get; init; }
    public required string Target { get; init; }

    /// <summary>The canonical JSON of what was asked (<see cref="OperationParameters"/>), exactly as hashed.</summary>
    public required string ParametersJson { get; init; }
    public required string ParametersHash { get; init; }
    public required string Reason { get; init; }
    public required string ChangeTicket { get; init; }
    public required bool Emergency { get; init; }
    public required OperationState State { get; init; }
    public required string RequesterId { get; init; }
    public required string RequesterName { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ApprovalExpiresAt { get; init; }
    public string? PreflightJson { get; init; }
    public string? CheckpointJson { get; init; }
    public string? OutcomeReason { get; init; }
    public bool AbortRequested { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long Version { get; init; }

    public OperationParameters Parameters => OperationParameters.Parse(ParametersJson);

    public IReadOnlyList<PreflightCheck> Preflight =>
        PreflightJson is null ? [] : JsonSerializer.Deserialize<List<PreflightCheck>>(PreflightJson, OperationJson.Options) ?? [];

    public bool IsTerminal => OperationStateMachine.IsTerminal(State);

    /// <summary>Approvals needed before the run may execute: two for an emergency, else one (none where skipped).</summary>
    public int ApprovalsRequired { get; init; } = 1;
}

/// <summary>What a request asks for. Hashed as canonical JSON; an approval binds to that hash.</summary>
public sealed record OperationParameters(
    string Kind,
    string Environment,
    string Target,
    IReadOnlyList<string> StopConditions,
    IReadOnlyDictionary<string, string> Options)
{
    /// <summary>Canonical JSON: fixed property order, options and stop conditions sorted.</summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(new
    {
        kind = Kind,
        environment = Environment,
        target = Target,
        stopConditions = StopConditions.Order(StringComparer.Ordinal).ToArray(),
        options = new SortedDictionary<string, string>(Options.ToDictionary(), StringComparer.Ordinal),
    }, OperationJson.Canonical);

    public static OperationParameters Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new OperationParameters(
            root.GetProperty("kind").GetString()!,
            root.GetProperty("environment").GetString()!,
            root.GetProperty("target").GetString()!,
            root.GetProperty("stopConditions").EnumerateArray().Select(e => e.GetString()!).ToList(),
            root.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }
}

public sealed record OperationApproval(string RunId, string ApproverId, string ApproverName, DateTimeOffset ApprovedAt,
    string ParametersHash, string TargetStateHash, string TargetState, DateTimeOffset ExpiresAt);

/// <summary>One line of a run's timeline: a state change, a call made, an event the service reported, a measurement.</summary>
public sealed record OperationTimelineEntry(long Id, string RunId, DateTimeOffset At, string Category, string Text);

public static class OperationTimelineCategories
{
    public const string State = "state";
    public const string Call = "call";
    public const string Event = "event";
    public const string Check = "check";
    public const string Measurement = "measurement";
}

/// <summary>One preflight check and its outcome, shown with the reason.</summary>
public sealed record PreflightCheck(string Name, bool Passed, string Detail);

/// <summary>What a run would do, step by step, and what it predicts (e.g. the new writer).</summary>
public sealed record OperationPlan(IReadOnlyList<string> Steps, IReadOnlyDictionary<string, string> Predictions);

/// <summary>The target as the platform describes it now; an approval binds to its hash.</summary>
public sealed record TargetSnapshot(IReadOnlyDictionary<string, string> Facts)
{
    public string ToCanonicalJson() =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(Facts.ToDictionary(), StringComparer.Ordinal), OperationJson.Canonical);

    public string Hash => OperationJson.Sha256(ToCanonicalJson());
}

/// <summary>The figures a run measured and its verdict against the objective.</summary>
public sealed record OperationMeasurements(IReadOnlyDictionary<string, string> Figures, bool MeetsObjective, string Verdict);

/// <summary>A safety switch engaged on an environment: running runs stop, new ones are refused.</summary>
public sealed record SafetySwitch(string Environment, bool Engaged, string? ChangedBy, DateTimeOffset? ChangedAt, string? Reason);

public static class OperationJson
{
    public static readonly JsonSerializerOptions Canonical = new() { WriteIndented = false };

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
