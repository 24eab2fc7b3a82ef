using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.WriteProbe;

/// <summary>
/// The write-probe canary (configuration section <c>WriteProbe</c>): off by default. infra runs it as a service of
/// its own (the portal's image with <c>WriteProbe:CanaryOnly</c>), one task per environment, so that the portal's
/// failover evidence (the Aws write probe) has one sample a second whether or not anyone has the portal open.
/// </summary>
public sealed class WriteProbeCanaryOptions : IValidatableObject
{
    public const string SectionName = "WriteProbe";

    public bool Enabled { get; set; }

    /// <summary>The process runs the canary alone: no web server, no portal pages, no database migrations.</summary>
    public bool CanaryOnly { get; set; }

    /// <summary>
    /// The Aurora cluster (writer) endpoint, the portal's database: <c>Host=…;Database=portal;SSL Mode=Require</c>.
    /// Credentials come from <c>PGUSER</c>/<c>PGPASSWORD</c> when the string names none (infra injects the managed secret).
    /// </summary>
    public string? AuroraConnectionString { get; set; }

    /// <summary>The Redis replication group's primary endpoint (follows a failover).</summary>
    public string? RedisHost { get; set; }

    [Range(1, 65535)]
    public int RedisPort { get; set; } = 6379;

    /// <summary>The AUTH token (a secret: injected, never logged).</summary>
    public string? RedisPassword { get; set; }

    /// <summary>ElastiCache with in-transit encryption needs TLS; only a local test server goes without.</summary>
    public bool RedisTls { get; set; } = true;

    /// <summary>The region the canary publishes its metrics to (its own account's CloudWatch).</summary>
    public string? Region { get; set; }

    /// <summary>A write slower than this counts as failed: the probe writes once a second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:01")]
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMilliseconds(800);

    /// <summary>
    /// A file the canary rewrites with each second it published (null: none). The container health check
    /// (<see cref="WriteProbeHealthCheck"/>) reads it; infra puts it on the task's writable <c>/tmp</c>.
    /// </summary>
    public string? HeartbeatFile { get; set; }

    /// <summary>The health check fails once the last published second is older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan HeartbeatMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled && !CanaryOnly)
        {
            yield break;
        }
        if (CanaryOnly && !Enabled)
        {
            yield return new ValidationResult("WriteProbe:CanaryOnly runs nothing but the canary: set WriteProbe:Enabled to true as well.", [nameof(Enabled)]);
        }
        foreach (var (key, value, example) in new[]
        {
            (nameof(AuroraConnectionString), AuroraConnectionString, "Host=CLUSTER-ENDPOINT;Database=portal;SSL Mode=Require"),
            (nameof(RedisHost), RedisHost, "the replication group's primary endpoint"),
            (nameof(Region), Region, "eu-west-1"),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return new ValidationResult($"{SectionName}:{key} is required when {SectionName}:Enabled is true ({example}).", [key]);
            }
        }
    }
}
