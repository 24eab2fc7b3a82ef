using FinTech.Portal.Logs.Sandbox;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Logs;

public static class LogsSetup
{
    /// <summary>The CloudWatch Logs port (Sandbox: generated logs), the query service and the saved queries.</summary>
    public static IHostApplicationBuilder AddLogs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSandboxPort<ICloudWatchLogs>((platform, environment) => new SandboxCloudWatchLogs(platform, environment));
        return builder;
    }
}
