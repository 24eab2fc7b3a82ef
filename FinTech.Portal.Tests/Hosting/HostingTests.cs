using System.Net;
using FinTech.Portal.Tests.Browser;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Hosting;

public class HostingTests
{
    [Fact]
    public async Task Healthz_and_readyz_answer_200_to_anyone()
    {
        await using var server = new PortalServer();
        using var client = new HttpClient { BaseAddress = server.RootUri };

        var live = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("favicon.ico", "image/x-icon")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task The_icon_is_served_to_anyone_before_sign_in(string path, string contentType)
    {
        await using var server = new PortalServer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.RootUri };

        var icon = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal(contentType, icon.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await icon.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unknown_address_answers_404_with_a_page_that_leads_back()
    {
        await using var server = new PortalServer();
        using var client = await server.SignedInClientAsync("olivia");

        var response = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("That address is not a page of the portal.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Forwarded_headers_from_a_trusted_proxy_set_the_scheme_host_and_client_address()
    {
        var echo = await EchoAsync(
            new() { ["Hosting:TrustedProxyNetworks:0"] = "127.0.0.0/8" },
            new() { ["X-Forwarded-For"] = "203.0.113.7", ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "ops.fintech.example" });

        Assert.Equal("https ops.fintech.example 203.0.113.7", echo);
    }

    [Fact]
    public async Task Behind_CloudFront_and_the_ALB_two_trusted_hops_name_the_viewer_not_the_edge()
    {
        // infra/ configures exactly this: both hops trusted, because only CloudFront can reach the ALB.
        var echo = await EchoAsync(
            new() { ["Hosting:TrustedProxyNetworks:0"] = "0.0.0.0/0", ["Hosting:ForwardLimit"] = "2" },
            // A viewer's forged entry first, then what CloudFront and the ALB appended.
            new() { ["X-Forwarded-For"] = "10.9.9.9, 203.0.113.7, 198.51.100.20", ["X-Forwarded-Proto"] = "https" });

        Assert.EndsWith(" 203.0.113.7", echo);
    }

    [Fact]
    public async Task Behind_CloudFront_the_viewer_address_header_names_the_client()
    {
        var echo = await EchoAsync(
            new()
            {
                ["Hosting:TrustedProxyNetworks:0"] = "127.0.0.0/8",
                ["Hosting:ForwardedForHeader"] = "CloudFront-Viewer-Address",
                ["Hosting:ForwardLimit"] = "1",
            },
            // What the ALB passes on: CloudFront's edge in X-Forwarded-For, the viewer in CloudFront's header.
            new()
            {
                ["X-Forwarded-For"] = "203.0.113.7, 198.51.100.20",
                ["CloudFront-Viewer-Address"] = "203.0.113.7:46532",
                ["X-Forwarded-Proto"] = "https",
            });

        Assert.StartsWith("https ", echo);
        Assert.EndsWith(" 203.0.113.7", echo);
    }

    [Fact]
    public async Task A_configured_public_origin_is_the_scheme_and_host_of_every_request()
    {
        var echo = await EchoAsync(new() { ["Hosting:PublicOrigin"] = "https://ops.fintech.example" }, []);

        Assert.StartsWith("https ops.fintech.example ", echo);
    }

    [Fact]
    public async Task A_public_origin_with_a_path_stops_the_start_with_the_setting_named()
    {
        var error = await PortalStartup.RefusalAsync(new Dictionary<string, string?> { ["Hosting:PublicOrigin"] = "https://ops.fintech.example/portal" }, "Development");

        Assert.Contains("Hosting:PublicOrigin must be a scheme and host only", error);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_address_are_ignored()
    {
        // Loopback is Kestrel's default known proxy; take it away so only the configured range counts.
        var echo = await EchoAsync(
            new() { ["Hosting:TrustedProxyNetworks:0"] = "10.0.0.0/16" },
            new() { ["X-Forwarded-For"] = "203.0.113.7", ["X-Forwarded-Proto"] = "https" },
            clearDefaultProxies: true);

        Assert.StartsWith("http ", echo);
        Assert.EndsWith("127.0.0.1", echo);
    }

    [Fact]
    public void A_log_entry_is_one_line_of_json_with_utc_time_level_category_message_and_scope()
    {
        using var server = new PortalServer();
        var name = server.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName;
        var formatter = server.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        var scopes = new LoggerExternalScopeProvider();
        using var written = new StringWriter();

        using (scopes.Push(new Dictionary<string, object> { ["CircuitId"] = "c-1" }))
        {
            var entry = new LogEntry<string>(LogLevel.Warning, "FinTech.Portal.Dashboards", new EventId(7), "Upstream slow\nsecond line", null, (state, _) => state);
            formatter.Write(in entry, scopes, written);
        }

        var lines = written.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        using var json = System.Text.Json.JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", root.GetProperty("Timestamp").GetString());
        Assert.Equal("Warning", root.GetProperty("LogLevel").GetString());
        Assert.Equal("FinTech.Portal.Dashboards", root.GetProperty("Category").GetString());
        Assert.Equal("Upstream slow\nsecond line", root.GetProperty("Message").GetString());
        Assert.Equal("c-1", root.GetProperty("Scopes")[0].GetProperty("CircuitId").GetString());
    }

    [Fact]
    public async Task A_malformed_trusted_proxy_network_stops_the_start_with_the_setting_named()
    {
        var error = await PortalStartup.RefusalAsync(new Dictionary<string, string?> { ["Hosting:TrustedProxyNetworks:0"] = "10.0.0.0/33" }, "Development");

        Assert.Contains("Hosting:TrustedProxyNetworks contains '10.0.0.0/33'", error);
    }

    /// <summary>
    /// Sends one request with <paramref name="headers"/> to a portal configured with
    /// <paramref name="settings"/>, and returns what the pipeline made of it: "scheme host client".
    /// </summary>
    private static async Task<string> EchoAsync(
        Dictionary<string, string?> settings, Dictionary<string, string> headers, bool clearDefaultProxies = false)
    {
        await using var server = new EchoServer(settings) { ClearDefaultProxies = clearDefaultProxies };
        using var client = new HttpClient { BaseAddress = server.RootUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/__echo");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The portal plus a last-resort endpoint that tells what the pipeline made of the request.</summary>
    private sealed class EchoServer(IReadOnlyDictionary<string, string?> settings) : PortalServer(settings)
    {
        public bool ClearDefaultProxies { get; set; }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<IStartupFilter>(new EchoAfterPipeline());
                services.PostConfigure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(options =>
                {
                    if (ClearDefaultProxies)
                    {
                        options.KnownProxies.Clear();
                        options.KnownIPNetworks.Clear();
                        options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse("10.0.0.0/16"));
                    }
                });
            });
        }
    }

    /// <summary>
    /// <c>/__echo</c> as an anonymous endpoint chosen before the pipeline runs (routing keeps an
    /// endpoint already set), so it passes the sign-in requirement and answers after the forwarded
    /// headers middleware has done its work.
    /// </summary>
    private sealed class EchoAfterPipeline : IStartupFilter
    {
        private static readonly Endpoint _echo = new(
            context => context.Response.WriteAsync($"{context.Request.Scheme} {context.Request.Host} {context.Connection.RemoteIpAddress}"),
            new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute()),
            "echo");

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Path == "/__echo")
                {
                    context.SetEndpoint(_echo);
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
