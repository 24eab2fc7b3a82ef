using System.ComponentModel.DataAnnotations;

namespace FinTech.Portal.Dashboards;

/// <summary>Configuration section <c>Dashboards</c>.</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboards";

    /// <summary>How often a watched dashboard is refreshed from upstream, whatever the number of viewers.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Dashboards:RefreshInterval must be between 1 second and 5 minutes.")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one upstream call may take before its panels are shown as stale.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Dashboards:UpstreamTimeout must be between 1 second and 1 minute.")]
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
