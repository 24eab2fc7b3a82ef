using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FinTech.Portal.Hosting;
using FinTech.Portal.Tests.Browser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FinTech.Portal.Tests.Hosting;

/// <summary>The portal's own telemetry: OTLP to a configured endpoint, and nothing without one.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task Without_an_OTLP_endpoint_the_portal_neither_collects_nor_sends_telemetry()
    {
        await using var server = new PortalServer();
        _ = server.RootUri;

        Assert.Null(server.Services.GetService<TracerProvider>());
        Assert.Null(server.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_request_traces_and_the_portals_metrics_reach_it()
    {
        using var collector = OtlpCollector.Start();
        await using var server = new EarlySettingsPortal(new Dictionary<string, string?>
        {
            [PortalTelemetry.EndpointKey] = collector.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            // Export at once rather than every 5 s and 60 s: the test waits for the first batch.
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        using var client = new HttpClient { BaseAddress = server.RootUri };
        // A circuit opening, as the portal's circuit handler counts it.
        server.Services.GetRequiredService<PortalMetrics>().CircuitOpened();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);

        var traces = await collector.WaitForAsync("/v1/traces", body => body.Contains("/healthz", StringComparison.Ordinal));
        Assert.Contains(PortalTelemetry.ServiceName, traces, StringComparison.Ordinal);
        await collector.WaitForAsync("/v1/metrics", body => body.Contains("portal.circuits.open", StringComparison.Ordinal));
        await collector.WaitForAsync("/v1/metrics", body => body.Contains("http.server.request.duration", StringComparison.Ordinal));
        Assert.All(collector.ContentTypes, type => Assert.Equal("application/x-protobuf", type));
    }

    [Fact]
    public void An_OTLP_endpoint_that_is_not_an_address_stops_the_start_with_the_key_named()
    {
        using var server = new EarlySettingsPortal(new Dictionary<string, string?> { [PortalTelemetry.EndpointKey] = "collector:4318" });

        var error = Assert.ThrowsAny<Exception>(() => server.RootUri);

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) address", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The test server with its settings also as host settings: the telemetry is set up (or not)
    /// from what the host sees at start, as with the environment variables of a real task;
    /// <see cref="PortalServer"/> alone adds its settings later.
    /// </summary>
    private sealed class EarlySettingsPortal(Dictionary<string, string?> settings) : PortalServer(settings)
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            base.ConfigureWebHost(builder);
        }
    }

    /// <summary>An OTLP/HTTP receiver on loopback: keeps each request's path and body (protobuf, read as Latin-1 for its strings).</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, string Body)> _received = new();
        private readonly ConcurrentQueue<string> _contentTypes = new();
        private readonly SemaphoreSlim _arrived = new(0);

        private OtlpCollector(int port)
        {
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Address + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public IEnumerable<string> ContentTypes => _contentTypes;

        public static OtlpCollector Start()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new OtlpCollector(port);
        }

        public async Task<string> WaitForAsync(string path, Func<string, bool> matches)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                if (_received.FirstOrDefault(r => r.Path == path && matches(r.Body)) is { Body: { } body })
                {
                    return body;
                }
                await _arrived.WaitAsync(timeout.Token);
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _contentTypes.Enqueue(context.Request.ContentType ?? "");
                _received.Enqueue((context.Request.Url!.AbsolutePath, Encoding.Latin1.GetString(body.ToArray())));
                _arrived.Release();
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        // _arrived is not disposed: a request still being served may release it after the test ends.
        public void Dispose() => _listener.Close();
    }
}
