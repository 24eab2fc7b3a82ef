using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>Deployments and rollbacks of ECS services (configuration section <c>Operations:Deployments</c>).</summary>
public sealed class DeploymentOptions : IValidatableObject
{
    public const string SectionName = "Operations:Deployments";

    /// <summary>After the rollout completes: how long the new revision serves under the stop conditions before it counts as verified.</summary>
    public TimeSpan BakeTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the service and its events are read while a rollout runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A rollout that has not completed after this is rolled back.</summary>
    public TimeSpan RolloutTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Images with more CRITICAL scan findings than this are refused (default 0).</summary>
    [Range(0, 1000, ErrorMessage = "Operations:Deployments:MaxCriticalFindings must be between 0 and 1000.")]
    public int MaxCriticalFindings { get; set; }

    /// <summary>Images with more HIGH scan findings than this are refused (default 0).</summary>
    [Range(0, 1000, ErrorMessage = "Operations:Deployments:MaxHighFindings must be between 0 and 1000.")]
    public int MaxHighFindings { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BakeTime < TimeSpan.Zero || BakeTime > TimeSpan.FromHours(6))
        {
            yield return new ValidationResult($"{SectionName}:BakeTime must be between 0 and 6 hours, got {BakeTime}.", [nameof(BakeTime)]);
        }
        if (PollInterval < TimeSpan.FromSeconds(1) || PollInterval > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{SectionName}:PollInterval must be between 1 second and 1 minute, got {PollInterval}.", [nameof(PollInterval)]);
        }
        if (RolloutTimeout < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{SectionName}:RolloutTimeout must be at least 1 minute, got {RolloutTimeout}.", [nameof(RolloutTimeout)]);
        }
    }
}
