using System.Net;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace FinTech.Portal.Tests.Identity;

public class SecurityHeadersTests
{
    private const string ExpectedCsp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    [Theory]
    [InlineData("/account/sign-in")]
    [InlineData("/healthz")]
    [InlineData("/app.css")]
    [InlineData("/dashboards/overview")]
    [InlineData("/no/such/page")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.GetAsync(path);

        Assert.Equal(ExpectedCsp, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Contains("camera=()", Header(response, "Permissions-Policy"));
        Assert.Contains("microphone=()", Header(response, "Permissions-Policy"));
        Assert.Contains("geolocation=()", Header(response, "Permissions-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
    }

    [Fact]
    public async Task A_signed_in_page_carries_the_security_headers_too()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "ada");

        var response = await client.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ExpectedCsp, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task The_Content_Security_Policy_lets_forms_go_to_the_Entra_authority_in_Entra_ID_mode()
    {
        await using var app = new PortalAppFactory(StartupRefusalTests.EntraSettings());
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/healthz");

        Assert.Contains("form-action 'self' https://login.microsoftonline.com;", Header(response, "Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
    }

    [Fact]
    public async Task HSTS_is_sent_outside_Development()
    {
        await using var app = new PortalAppFactory(environment: "Staging");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://portal.example.test") });

        var response = await client.GetAsync("/healthz");

        Assert.Equal("max-age=31536000; includeSubDomains", Header(response, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task HSTS_is_not_sent_in_Development()
    {
        await using var app = new PortalAppFactory(environment: "Development");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://portal.example.test") });

        var response = await client.GetAsync("/healthz");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task The_session_cookie_is_Secure_HttpOnly_SameSite_Lax_and_Host_prefixed()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await PersonaSignIn.AsAsync(client, "olivia");

        var cookie = SetCookie(response, "__Host-portal-auth");
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=lax", cookie);
        Assert.Contains("path=/", cookie);
        Assert.DoesNotContain("domain=", cookie);
        Assert.DoesNotContain("expires=", cookie);
    }

    [Fact]
    public async Task In_Development_over_plain_http_the_cookies_drop_the_Host_prefix_and_Secure_so_the_browser_keeps_them()
    {
        await using var app = new PortalAppFactory(environment: "Development");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost"), AllowAutoRedirect = false });

        var response = await PersonaSignIn.AsAsync(client, "olivia");

        var cookie = SetCookie(response, "portal-auth=");
        Assert.DoesNotContain("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=lax", cookie);
    }

    [Fact]
    public async Task The_antiforgery_cookie_is_Secure_HttpOnly_SameSite_Strict_and_Host_prefixed()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/account/sign-in");

        var cookie = SetCookie(response, "__Host-portal-antiforgery");
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/", cookie);
        Assert.DoesNotContain("domain=", cookie);
    }

    [Fact]
    public async Task The_sign_in_round_trip_cookies_are_Secure_and_HttpOnly()
    {
        await using var app = EntraPortalWithKnownMetadata();
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/account/sign-in/entra");

        Assert.True(HttpStatusCode.Redirect == response.StatusCode, await response.Content.ReadAsStringAsync());
        foreach (var prefix in new[] { ".AspNetCore.Correlation.", ".AspNetCore.OpenIdConnect.Nonce." })
        {
            var cookie = SetCookie(response, prefix);
            Assert.Contains("secure", cookie);
            Assert.Contains("httponly", cookie);
            // The provider posts back cross-site (form_post): these two must be SameSite=None.
            Assert.Contains("samesite=none", cookie);
        }
    }

    [Fact]
    public async Task Behind_CloudFront_and_the_ALB_the_redirect_URI_uses_the_forwarded_scheme_and_host()
    {
        await using var app = EntraPortalWithKnownMetadata(new Dictionary<string, string?> { ["Hosting:TrustedProxyNetworks:0"] = "10.0.0.0/16" });

        var response = await SendAsync(app, "10.0.3.7");

        Assert.Equal(302, response.Response.StatusCode);
        var location = new Uri(response.Response.Headers.Location.ToString());
        Assert.Equal("login.example.test", location.Host);
        Assert.Contains("redirect_uri=https%3A%2F%2Fportal.example.com%2Fsignin-oidc", location.Query);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_address_do_not_change_the_redirect_URI()
    {
        await using var app = EntraPortalWithKnownMetadata(new Dictionary<string, string?> { ["Hosting:TrustedProxyNetworks:0"] = "10.0.0.0/16" });

        var response = await SendAsync(app, "192.0.2.44");

        var location = new Uri(response.Response.Headers.Location.ToString());
        Assert.DoesNotContain("portal.example.com", location.Query);
        Assert.Contains("redirect_uri=https%3A%2F%2Flocalhost%2Fsignin-oidc", location.Query);
    }

    private static Task<Microsoft.AspNetCore.Http.HttpContext> SendAsync(PortalAppFactory app, string remoteAddress) =>
        app.Server.SendAsync(context =>
        {
            context.Request.Scheme = "https";
            context.Request.Host = new Microsoft.AspNetCore.Http.HostString("localhost");
            context.Request.Path = "/account/sign-in/entra";
            context.Connection.RemoteIpAddress = IPAddress.Parse(remoteAddress);
            context.Request.Headers["X-Forwarded-Proto"] = "https";
            context.Request.Headers["X-Forwarded-Host"] = "portal.example.com";
            context.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
        });

    /// <summary>Entra ID mode with the provider's metadata given up front: the challenge needs no network.</summary>
    private static PortalAppFactory EntraPortalWithKnownMetadata(Dictionary<string, string?>? more = null) => new(
        StartupRefusalTests.EntraSettings(more),
        services: services => services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            var metadata = new OpenIdConnectConfiguration
            {
                Issuer = "https://login.example.test/4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09/v2.0",
                AuthorizationEndpoint = "https://login.example.test/4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09/oauth2/v2.0/authorize",
                TokenEndpoint = "https://login.example.test/4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09/oauth2/v2.0/token",
                EndSessionEndpoint = "https://login.example.test/4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09/oauth2/v2.0/logout",
            };
            options.Configuration = metadata;
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(metadata);
        }));

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{name} is missing from {(int)response.StatusCode} {response.RequestMessage?.RequestUri}");

    private static string SetCookie(HttpResponseMessage response, string namePrefix)
    {
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        var cookie = cookies.FirstOrDefault(c => c.StartsWith(namePrefix, StringComparison.Ordinal));
        Assert.True(cookie is not null, $"No {namePrefix} cookie among: {string.Join(" ; ", cookies)}");
        return cookie.ToLowerInvariant();
    }
}
