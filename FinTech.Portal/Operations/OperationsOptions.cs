using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace FinTech.Portal.Operations;

/// <summary>The operations engine (configuration section <c>Operations</c>).</summary>
public sealed class OperationsOptions : IValidatableObject
{
    public const string SectionName = "Operations";

    /// <summary>How long an approval stays valid before the run must have started (default 1 hour).</summary>
    public TimeSpan ApprovalLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a request waits for an Approver before it expires.</summary>
    public TimeSpan RequestLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The change-ticket id every request carries must match this (default: ServiceNow's CHG0000000).</summary>
    public string ChangeTicketPattern { get; set; } = "^CHG[0-9]{7}$";

    /// <summary>Worker lease on a claimed run; a worker that dies loses its runs after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for runs (an approval on the same task wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a running run's stop conditions, abort request and safety switch are checked.</summary>
    public TimeSpan StopCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Does this portal task execute runs? Off for a task that only serves pages.</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>Change freezes (UTC): new runs are refused unless they are emergencies approved by two people.</summary>
    public List<FreezeWindow> FreezeWindows { get; set; } = [];

    /// <summary>Per environment key: <c>SkipApproval</c> for non-production environments (ignored for production).</summary>
    public Dictionary<string, OperationsEnvironmentOptions> Environments { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Failover tests: RTO objective, replica-lag threshold, verification window.</summary>
    public FailoverTestOptions Failover { get; set; } = new();

    /// <summary>Secret rotations: how long AWSCURRENT may take to move, how often it is read, the verification window.</summary>
    public SecretRotationOptions Rotation { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? patternError = null;
        try
        {
            _ = new Regex(ChangeTicketPattern);
        }
        catch (ArgumentException e)
        {
            patternError = e.Message;
        }
        if (patternError is not null)
        {
            yield return new ValidationResult($"Operations:ChangeTicketPattern is not a valid regular expression: {patternError}", [nameof(ChangeTicketPattern)]);
        }
        if (ApprovalLifetime <= TimeSpan.Zero || RequestLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Operations:ApprovalLifetime and Operations:RequestLifetime must be positive.", [nameof(ApprovalLifetime)]);
        }
        if (LeaseDuration < TimeSpan.FromSeconds(1) || PollInterval <= TimeSpan.Zero || StopCheckInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Operations:LeaseDuration must be at least 1 s; Operations:PollInterval and Operations:StopCheckInterval must be positive.", [nameof(LeaseDuration)]);
        }
        for (var i = 0; i < FreezeWindows.Count; i++)
        {
            if (FreezeWindows[i].End <= FreezeWindows[i].Start)
            {
                yield return new ValidationResult($"Operations:FreezeWindows:{i}:End must be after its Start.", [nameof(FreezeWindows)]);
            }
        }
        if (Failover.RtoObjective <= TimeSpan.Zero || Failover.MaxReplicaLag <= TimeSpan.Zero || Failover.VerificationWindow < TimeSpan.Zero)
        {
            yield return new ValidationResult("Operations:Failover:RtoObjective and MaxReplicaLag must be positive, VerificationWindow not negative.", [nameof(Failover)]);
        }
        if (Rotation.Timeout <= TimeSpan.Zero || Rotation.PollInterval <= TimeSpan.Zero || Rotation.VerificationWindow < TimeSpan.Zero)
        {
            yield return new ValidationResult("Operations:Rotation:Timeout and PollInterval must be positive, VerificationWindow not negative.", [nameof(Rotation)]);
        }
    }

    public bool SkipsApproval(string environmentKey) =>
        Environments.TryGetValue(environmentKey, out var environment) && environment.SkipApproval;

    public FreezeWindow? FreezeAt(DateTimeOffset now, string environmentKey) =>
        FreezeWindows.FirstOrDefault(w => w.Start <= now && now < w.End
            && (w.Environments.Count == 0 || w.Environments.Contains(environmentKey, StringComparer.OrdinalIgnoreCase)));
}

public sealed class OperationsEnvironmentOptions
{
    /// <summary>Runs on this (non-production) environment are approved at request. Never applies to production.</summary>
    public bool SkipApproval { get; set; }
}

public sealed class FreezeWindow
{
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
    public string Reason { get; set; } = "Change freeze";

    /// <summary>Environment keys it applies to; empty means every environment.</summary>
    public List<string> Environments { get; set; } = [];
}

public sealed class FailoverTestOptions
{
    /// <summary>The recovery time objective a failover test is judged against (time to a new writer/primary).</summary>
    public TimeSpan RtoObjective { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Aurora preflight: replica lag must be under this before a failover.</summary>
    public TimeSpan MaxReplicaLag { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>After the new writer/primary: how long stop conditions are still watched before the verdict.</summary>
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the service's state and events are read while a failover runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A failover that has not completed after this fails the run (the platform is left to finish).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class SecretRotationOptions
{
    /// <summary>
    /// A rotation whose AWSCURRENT has not moved after this failed (its rotation function gave up or
    /// is stuck; AWSPENDING stays where it was). Sandbox rotations take under a minute.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the secret's version stages are read while a rotation runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After AWSCURRENT moved: how long stop conditions (consumers failing to sign in) are watched before the verdict.</summary>
    public TimeSpan VerificationWindow { get; set; } = TimeSpan.FromSeconds(30);
}
