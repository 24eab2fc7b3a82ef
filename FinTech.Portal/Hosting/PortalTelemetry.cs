using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FinTech.Portal.Hosting;

/// <summary>
/// The portal observes itself with OpenTelemetry: traces of ASP.NET Core requests, outgoing HTTP
/// (the signed AWS calls) and Npgsql, and the metrics of <see cref="PortalMetrics"/> with the
/// ASP.NET Core and HttpClient ones. Exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is configured (the ADOT collector beside the task); otherwise nothing is collected or sent,
/// and the portal's instruments cost an unobserved counter each.
/// </summary>
public static class PortalTelemetry
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceName = "fintech-portal";

    public static IHostApplicationBuilder AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<PortalMetrics>();
        // The circuit count is the server's memory (each open page holds one): it is a metric.
        builder.Services.AddScoped<CircuitHandler, CircuitMetricsHandler>();

        if (builder.Configuration[EndpointKey] is not { Length: > 0 } endpoint)
        {
            return builder;
        }
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new OptionsValidationException(EndpointKey, typeof(Uri),
                [$"{EndpointKey} must be an absolute http(s) address such as http://localhost:4318 (it is '{endpoint}')."]);
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                // Npgsql's own ActivitySource: a span per command, with the statement's text.
                .AddSource("Npgsql")
                .AddOtlpExporter())
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(PortalMetrics.MeterName, "Npgsql")
                .AddOtlpExporter());
        return builder;
    }

    /// <summary>Counts live circuits: opened minus closed.</summary>
    private sealed class CircuitMetricsHandler(PortalMetrics metrics) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            metrics.CircuitOpened();
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            metrics.CircuitClosed();
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// The portal's own instruments (meter <c>FinTech.Portal</c>): open circuits, dashboard refresh
/// loops and refreshes, and the upstream calls each refresh makes, with their failures.
/// </summary>
public sealed class PortalMetrics
{
    public const string MeterName = "FinTech.Portal";

    private readonly UpDownCounter<long> _circuits;
    private readonly UpDownCounter<long> _refreshLoops;
    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _refreshDuration;
    private readonly Counter<long> _refreshFailures;
    private readonly Counter<long> _upstreamCalls;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Counter<long> _upstreamFailures;

    public PortalMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(MeterName))
    {
    }

    /// <summary>Over a meter of the caller's (tests and benchmarks that build the parts by hand).</summary>
    public PortalMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _circuits = meter.CreateUpDownCounter<long>("portal.circuits.open", "{circuit}", "Blazor circuits open on this task (each open page holds one).");
        _refreshLoops = meter.CreateUpDownCounter<long>("portal.dashboard.refresh_loops", "{loop}", "Shared dashboard refresh loops running (one per watched dashboard, environment and range).");
        _refreshes = meter.CreateCounter<long>("portal.dashboard.refreshes", "{refresh}", "Dashboard refreshes completed.");
        _refreshDuration = meter.CreateHistogram<double>("portal.dashboard.refresh.duration", "s", "Time one dashboard refresh took, all its upstream calls included.");
        _refreshFailures = meter.CreateCounter<long>("portal.dashboard.refresh.failures", "{refresh}", "Dashboard refreshes that failed outright (a bug: upstream failures become panel states).");
        _upstreamCalls = meter.CreateCounter<long>("portal.upstream.calls", "{call}", "Calls to the platform (CloudWatch, ECS, RDS, ElastiCache, DynamoDB) by source and outcome.");
        _upstreamDuration = meter.CreateHistogram<double>("portal.upstream.duration", "s", "Time an upstream call took, by source and outcome.");
        _upstreamFailures = meter.CreateCounter<long>("portal.upstream.failures", "{call}", "Upstream calls that failed or timed out, by source and reason.");
    }

    public void CircuitOpened() => _circuits.Add(1);

    public void CircuitClosed() => _circuits.Add(-1);

    public void RefreshLoopStarted() => _refreshLoops.Add(1);

    public void RefreshLoopStopped() => _refreshLoops.Add(-1);

    public void Refreshed(string dashboard, string range, TimeSpan took)
    {
        var tags = new TagList { { "dashboard", dashboard }, { "range", range } };
        _refreshes.Add(1, tags);
        _refreshDuration.Record(took.TotalSeconds, tags);
    }

    public void RefreshFailed(string dashboard) => _refreshFailures.Add(1, new KeyValuePair<string, object?>("dashboard", dashboard));

    /// <summary>One upstream call: <paramref name="outcome"/> is <c>success</c>, <c>failure</c> or <c>timeout</c>.</summary>
    public void UpstreamCalled(string source, string outcome, TimeSpan took)
    {
        var tags = new TagList { { "source", source }, { "outcome", outcome } };
        _upstreamCalls.Add(1, tags);
        _upstreamDuration.Record(took.TotalSeconds, tags);
        if (outcome != UpstreamOutcome.Success)
        {
            _upstreamFailures.Add(1, new TagList { { "source", source }, { "reason", outcome } });
        }
    }
}

/// <summary>The outcomes an upstream call is counted under.</summary>
public static class UpstreamOutcome
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Timeout = "timeout";
}
