using System.Net;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Hosting;

/// <summary>The portal as a well-behaved Fargate task: JSON logs, telemetry, forwarded headers, health endpoints.</summary>
public static class HostingSetup
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddHosting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HostingOptions>()
            .BindConfiguration(HostingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // One JSON object per line on stdout: the awslogs driver ships it to CloudWatch Logs,
        // where Logs Insights can query the fields.
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = Timestamps.Stored;
        });

        builder.Services.AddSingleton<PortalInstance>();
        builder.AddPortalTelemetry();
        builder.Services.AddHealthChecks();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<HostingOptions>>((forwarded, hosting) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
                forwarded.ForwardLimit = hosting.Value.ForwardLimit;
                forwarded.ForwardedForHeaderName = hosting.Value.ForwardedForHeader;
                foreach (var cidr in hosting.Value.TrustedProxyNetworks)
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
                }
            });
        return builder;
    }

    /// <summary>Forwarded headers first, so that scheme, host and client address are right for everything after.</summary>
    public static WebApplication UseForwardedHeadersFromProxies(this WebApplication app)
    {
        app.UseForwardedHeaders();
        if (app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.PublicOrigin is { } origin)
        {
            var scheme = origin.Scheme;
            var host = new HostString(origin.IsDefaultPort ? origin.Host : origin.Authority);
            app.Use((context, next) =>
            {
                context.Request.Scheme = scheme;
                context.Request.Host = host;
                return next(context);
            });
        }
        return app;
    }

    /// <summary>
    /// <c>/healthz</c>: the process serves requests (ALB and container health check).
    /// <c>/readyz</c>: the checks tagged <see cref="ReadyTag"/> pass (database reachable, ...).
    /// Both are anonymous and cheap; neither calls AWS, so an AWS outage never cycles the tasks.
    /// </summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return app;
    }
}

/// <summary>
/// What the <c>circuits</c> benchmark reads from a running portal: the managed heap after a full,
/// compacting collection, the process's CPU time, and how many dashboard refreshes have run. Off
/// unless <c>Hosting:DiagnosticsEndpoint</c> is true, and loopback callers only: a forced full
/// collection stalls every circuit of the task.
/// </summary>
public static class DiagnosticsEndpoint
{
    public static WebApplication MapDiagnosticsEndpoint(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<HostingOptions>>().Value.DiagnosticsEndpoint)
        {
            return app;
        }
        app.MapGet("/_diagnostics/process", (HttpContext http, bool? collect, FinTech.Portal.Dashboards.DashboardRefreshHub hub) =>
        {
            if (http.Connection.RemoteIpAddress is not { } address || !IPAddress.IsLoopback(address))
            {
                return Results.NotFound();
            }
            long? heap = null;
            if (collect == true)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                heap = GC.GetTotalMemory(forceFullCollection: false);
            }
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return Results.Ok(new
            {
                heapBytes = heap,
                cpuMilliseconds = process.TotalProcessorTime.TotalMilliseconds,
                dashboardRefreshes = hub.Refreshes,
            });
        }).AllowAnonymous();
        return app;
    }
}

/// <summary>Which portal task this is: one of several behind the ALB.</summary>
public sealed class PortalInstance(IOptions<HostingOptions> options)
{
    public string Id { get; } = options.Value.InstanceId is { Length: > 0 } id ? id : $"{Environment.MachineName}:{Environment.ProcessId}";
}
