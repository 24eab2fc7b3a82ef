using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Audit;

/// <summary>Where chain heads are anchored outside the database.</summary>
public enum AuditAnchorSinkKind
{
    /// <summary>A JSON Lines file (the Sandbox setup; on ECS, a mounted volume or a sidecar that ships it).</summary>
    File,

    /// <summary>A CloudWatch Logs log group (<see cref="AuditOptions.AnchorLogGroup"/>), one stream per portal task (PutLogEvents).</summary>
    CloudWatchLogs,

    /// <summary>Objects in an S3 bucket with Object Lock (<see cref="AuditOptions.AnchorBucket"/>), each under COMPLIANCE retention.</summary>
    S3,
}

/// <summary>The audit trail (configuration section <c>Audit</c>).</summary>
public sealed class AuditOptions : IValidatableObject
{
    public const string SectionName = "Audit";

    /// <summary>PCI DSS 10.5.1 asks for at least twelve months of audit history.</summary>
    public const int MinimumRetentionDays = 365;

    public AuditAnchorSinkKind AnchorSink { get; set; } = AuditAnchorSinkKind.File;

    /// <summary>The anchor file for <see cref="AuditAnchorSinkKind.File"/>, relative to the content root.</summary>
    public string AnchorFile { get; set; } = "App_Data/audit-anchors.jsonl";

    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The log group of <see cref="AuditAnchorSinkKind.CloudWatchLogs"/> (infra creates it).</summary>
    public string? AnchorLogGroup { get; set; }

    /// <summary>The Object Lock bucket of <see cref="AuditAnchorSinkKind.S3"/> (infra creates it).</summary>
    public string? AnchorBucket { get; set; }

    /// <summary>The region of the anchor log group or bucket; the portal's own credentials write there.</summary>
    public string? AnchorRegion { get; set; }

    /// <summary>How long each S3 anchor object is locked (COMPLIANCE mode: nobody, root included, can delete it sooner).</summary>
    public int AnchorRetentionDays { get; set; } = 400;

    /// <summary>
    /// How long events stay online, searchable in the portal (default 400 days, at least 365).
    /// "Online retention" is a promise about availability, not a deletion schedule: the list
    /// shows it and flags older events as due for archive, and nothing is ever deleted. Each
    /// event's hash covers the one before it, so removing the oldest events would leave the
    /// rest unprovable from the start of the chain (and the table's triggers refuse DELETE).
    /// Archiving, when it comes, exports a verified range with its anchors to cold storage and
    /// keeps the chain whole.
    /// </summary>
    public int RetentionDays { get; set; } = 400;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(AnchorSink))
        {
            yield return new ValidationResult($"Audit:AnchorSink must be File, CloudWatchLogs or S3, got '{AnchorSink}'.", [nameof(AnchorSink)]);
        }
        if (AnchorSink == AuditAnchorSinkKind.CloudWatchLogs && string.IsNullOrWhiteSpace(AnchorLogGroup))
        {
            yield return new ValidationResult("Audit:AnchorLogGroup must name the log group when Audit:AnchorSink is CloudWatchLogs.", [nameof(AnchorLogGroup)]);
        }
        if (AnchorSink == AuditAnchorSinkKind.S3 && string.IsNullOrWhiteSpace(AnchorBucket))
        {
            yield return new ValidationResult("Audit:AnchorBucket must name the Object Lock bucket when Audit:AnchorSink is S3.", [nameof(AnchorBucket)]);
        }
        if (AnchorSink is AuditAnchorSinkKind.CloudWatchLogs or AuditAnchorSinkKind.S3 && string.IsNullOrWhiteSpace(AnchorRegion))
        {
            yield return new ValidationResult($"Audit:AnchorRegion is required when Audit:AnchorSink is {AnchorSink} (e.g. eu-west-1).", [nameof(AnchorRegion)]);
        }
        if (AnchorRetentionDays < 1)
        {
            yield return new ValidationResult($"Audit:AnchorRetentionDays must be at least 1, got {AnchorRetentionDays}.", [nameof(AnchorRetentionDays)]);
        }
        if (AnchorSink == AuditAnchorSinkKind.File && string.IsNullOrWhiteSpace(AnchorFile))
        {
            yield return new ValidationResult("Audit:AnchorFile must name the anchor file when Audit:AnchorSink is File.", [nameof(AnchorFile)]);
        }
        if (AnchorInterval < TimeSpan.FromSeconds(1) || AnchorInterval > TimeSpan.FromDays(1))
        {
            yield return new ValidationResult(
                $"Audit:AnchorInterval must be between 00:00:01 and 1.00:00:00, got {AnchorInterval}.", [nameof(AnchorInterval)]);
        }
        if (RetentionDays < MinimumRetentionDays)
        {
            yield return new ValidationResult(
                $"Audit:RetentionDays must be at least {MinimumRetentionDays} (PCI DSS 10.5.1 keeps twelve months of audit history), got {RetentionDays}.",
                [nameof(RetentionDays)]);
        }
    }
}
