using System.Globalization;
using System.Reflection;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;

namespace FinTech.Portal.Audit;

/// <summary>
/// Records the portal's own life: <c>portal.started</c> and the configuration in force (secrets
/// redacted) when it starts, <c>portal.stopped</c> when it stops. A start whose events cannot be
/// written fails (fail closed): a portal that cannot audit must not serve.
/// </summary>
public sealed class AuditLifecycle(
    AuditTrail trail,
    PortalDatabase database,
    PortalInstance instance,
    IConfiguration configuration,
    IHostEnvironment host) : IHostedService
{
    /// <summary>The configuration sections that belong to the portal (the rest is the process environment).</summary>
    internal static readonly IReadOnlyList<string> PortalSections =
        ["Platform", "Hosting", "Database", "Audit", "Identity", "Dashboards", "Sandbox", "Operations", "Aws", "AllowedHosts"];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.PortalStarted, AuditActor.System, AuditOutcome.Succeeded,
            Target: instance.Id,
            Parameters: new Dictionary<string, string?>
            {
                ["instance"] = instance.Id,
                ["version"] = typeof(AuditLifecycle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
                ["hostEnvironment"] = host.EnvironmentName,
                ["databaseProvider"] = database.Provider.ToString(),
            }), cancellationToken);
        await trail.RecordAsync(new AuditEntry(
            AuditEventTypes.PortalConfiguration, AuditActor.System, AuditOutcome.Succeeded,
            Target: instance.Id,
            Parameters: ConfigurationInForce(configuration)), cancellationToken);
    }

    private readonly Lock _stopGate = new();
    private Task? _stopped;

    // Not cancelled with the host's token: by the time this runs, the web server may have used up
    // the shutdown grace period waiting for open circuits, and the stop must be recorded anyway
    // (the database's own timeouts bound the wait).
    // Recorded once, and every caller waits for that one recording: a host can be stopped twice at
    // once (a test host stops it while the program's Run() stops and then disposes it), and the
    // second stop must not dispose the database under the first one's write.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopGate)
        {
            return _stopped ??= trail.RecordAsync(new AuditEntry(
                AuditEventTypes.PortalStopped, AuditActor.System, AuditOutcome.Succeeded,
                Target: instance.Id,
                Parameters: new Dictionary<string, string?> { ["instance"] = instance.Id }), CancellationToken.None);
        }
    }

    /// <summary>The portal's configuration as flat <c>Section:Key</c> pairs, with secret-looking keys redacted.</summary>
    public static IReadOnlyDictionary<string, string?> ConfigurationInForce(IConfiguration configuration)
    {
        var values = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var section in PortalSections)
        {
            var root = configuration.GetSection(section);
            if (root.Value is not null)
            {
                values[section] = Redact(section, root.Value);
            }
            foreach (var (key, value) in root.AsEnumerable(makePathsRelative: false))
            {
                if (value is not null)
                {
                    values[key] = Redact(key, value);
                }
            }
        }
        values["Audit:EffectiveRetentionDays"] = (configuration.GetValue<int?>("Audit:RetentionDays") ?? new AuditOptions().RetentionDays).ToString(CultureInfo.InvariantCulture);
        return values;
    }

    private static string Redact(string key, string value) =>
        key.Split(':').Any(AuditTrail.LooksLikeSecret) || AuditTrail.LooksLikeSecret(key) ? AuditTrail.Redacted : value;
}
