using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Aws;

/// <summary>
/// How the portal calls AWS (configuration section <c>Aws</c>): AWS's standard retry rules with
/// the portal's time limits. The defaults suit a dashboard refreshed every 15 s with a 10 s budget.
/// </summary>
public sealed class AwsOptions
{
    public const string SectionName = "Aws";

    /// <summary>Attempts per call, the first included (AWS's standard mode: 3).</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Base of the exponential backoff; each retry waits a random time in [0, min(MaxBackoff, base·2^n)] (full jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One attempt's limit; a slower reply counts as a timeout and may be retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:02:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Retry tokens per (environment, service): a retry costs 5, a retry after a timeout 10,
    /// a success returns 1. When empty, failures are not retried (AWS's retry quota), so an outage
    /// does not multiply the load.</summary>
    [Range(10, 100_000)]
    public int RetryBudget { get; set; } = 500;

    /// <summary>Share of failed attempts within <see cref="BreakerSamplingDuration"/> that opens the circuit of an (environment, service).</summary>
    [Range(0.05, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long calls are refused once the circuit opened.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an assumed role's credentials last (refreshed 5 minutes before they expire).</summary>
    [Range(typeof(TimeSpan), "00:15:00", "12:00:00")]
    public TimeSpan AssumeRoleDuration { get; set; } = TimeSpan.FromHours(1);
}
