using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Identity;

/// <summary>How people sign in to the portal.</summary>
public enum IdentityMode
{
    /// <summary>The development sign-in: pick a persona, no password. Never in production.</summary>
    Sandbox,

    /// <summary>Microsoft Entra ID over OpenID Connect (authorization code flow), configured in <c>AzureAd</c>.</summary>
    EntraId,
}

/// <summary>
/// Sign-in and session settings (configuration section <c>Identity</c>). The embedded default is the
/// Sandbox persona sign-in, so the portal runs with no configuration on a developer's machine.
/// </summary>
public sealed class PortalIdentityOptions : IValidatableObject
{
    public const string SectionName = "Identity";

    public IdentityMode Mode { get; set; } = IdentityMode.Sandbox;

    /// <summary>Sign-in is asked for again after this long without a request or a circuit event.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Sign-in is asked for again this long after it happened, however active the session.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan MaxSessionAge { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How often an open page (a Blazor circuit) asks whether its session is still active; a session
    /// ended on another portal task closes its pages here within this time (on this task at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SessionRevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A PFX file whose certificate encrypts the Data Protection keys at rest in the portal database
    /// (mounted from Secrets Manager into the task). Without it the keys are stored unencrypted,
    /// which is acceptable only where the database itself is encrypted with KMS.
    /// </summary>
    public string? DataProtectionCertificatePath { get; set; }

    /// <summary>Password of <see cref="DataProtectionCertificatePath"/>, from the environment or Secrets Manager.</summary>
    public string? DataProtectionCertificatePassword { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Mode))
        {
            yield return new ValidationResult($"Identity:Mode must be Sandbox or EntraId, got '{Mode}'.", [nameof(Mode)]);
        }
        if (IdleTimeout > MaxSessionAge)
        {
            yield return new ValidationResult(
                $"Identity:IdleTimeout ({IdleTimeout}) must not be longer than Identity:MaxSessionAge ({MaxSessionAge}).",
                [nameof(IdleTimeout)]);
        }
    }
}
