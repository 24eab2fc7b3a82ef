using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Identity;

public class EntraIdSignInTests
{
    private const string TenantId = "4f3c2b1a-0d9e-4c8b-a7f6-5e4d3c2b1a09";
    private const string ClientId = "8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a";

    [Fact]
    public async Task The_authorization_code_flow_against_an_Entra_shaped_provider_turns_app_roles_into_portal_roles()
    {
        await using var setup = await EntraRoundTrip.StartAsync(
            new LocalOpenIdProvider.User("0a1b2c3d-aaaa-4bbb-8ccc-111122223333", "Erin Entra", ["Portal.Operator", "Portal.Auditor", "Portal.SomethingElse"]));
        var (portal, app, cookies, browser) = (setup.Portal, setup.App, setup.Cookies, setup.Browser);

        var (final, page) = await FollowAsync(browser, new Uri(portal, "/account"));

        Assert.Equal(new Uri(portal, "/account"), final);
        Assert.Contains("Erin Entra", page);
        Assert.Contains("0a1b2c3d-aaaa-4bbb-8ccc-111122223333", page);
        Assert.Matches(new Regex("data-testid=\"account-roles\">Operator, Auditor<"), page);
        Assert.Contains(cookies.GetCookies(portal), c => c.Name == "__Host-portal-auth" && c.Secure && c.HttpOnly);
        var signedIn = Assert.Single(await app.IdentityEventsAsync(), e => e.EventType == FinTech.Portal.Audit.AuditEventTypes.SignedIn);
        Assert.Equal("0a1b2c3d-aaaa-4bbb-8ccc-111122223333", signedIn.Actor.UserId);
        Assert.Equal("Erin Entra", signedIn.Actor.DisplayName);
        Assert.Equal(["Auditor", "Operator"], signedIn.Actor.Roles);
        Assert.Equal("127.0.0.1", signedIn.Actor.SourceIp);
        Assert.Equal("EntraId", signedIn.Parameters["method"]);
    }

    [Fact]
    public async Task Signing_out_ends_the_portal_session_and_sends_the_browser_to_the_providers_sign_out()
    {
        await using var setup = await EntraRoundTrip.StartAsync(new LocalOpenIdProvider.User("5e6f7a8b-bbbb-4ccc-8ddd-444455556666", "Sam Signout", ["Portal.Approver"]));
        var (portal, app, cookies, browser) = (setup.Portal, setup.App, setup.Cookies, setup.Browser);
        var (_, accountPage) = await FollowAsync(browser, new Uri(portal, "/account"));
        var token = WebUtility.HtmlDecode(Regex.Match(accountPage, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);

        using var signOut = await browser.PostAsync(new Uri(portal, "/account/sign-out"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!;
        Assert.StartsWith(setup.Provider.Issuer + "/session/end", endSession.ToString(), StringComparison.Ordinal);
        Assert.Contains("post_logout_redirect_uri=" + Uri.EscapeDataString(new Uri(portal, "/signout-callback-oidc").ToString()), endSession.Query);
        Assert.DoesNotContain(cookies.GetCookies(portal), c => c.Name == "__Host-portal-auth");
        var signedOut = (await app.IdentityEventsAsync())[^1];
        Assert.Equal(FinTech.Portal.Audit.AuditEventTypes.SignedOut, signedOut.EventType);
        Assert.Equal("5e6f7a8b-bbbb-4ccc-8ddd-444455556666", signedOut.Actor.UserId);
    }

    /// <summary>The provider, the portal on Kestrel over TLS at 127.0.0.1, and a browser-like client that trusts it.</summary>
    private sealed class EntraRoundTrip : IAsyncDisposable
    {
        private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate;

        private EntraRoundTrip(Uri portal, LocalOpenIdProvider provider, PortalAppFactory app, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
        {
            Portal = portal;
            Provider = provider;
            App = app;
            _certificate = certificate;
            Browser = Loopback.BrowserLikeClient(certificate, Cookies);
        }

        public Uri Portal { get; }
        public LocalOpenIdProvider Provider { get; }
        public PortalAppFactory App { get; }
        public CookieContainer Cookies { get; } = new();
        public HttpClient Browser { get; }

        public static async Task<EntraRoundTrip> StartAsync(LocalOpenIdProvider.User user)
        {
            var port = Loopback.FreePort();
            var portal = new Uri($"https://127.0.0.1:{port}/");
            var certificate = Loopback.SelfSignedCertificate();
            var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
            var provider = await LocalOpenIdProvider.StartAsync(
                TenantId,
                new LocalOpenIdProvider.Client(ClientId, secret, new Uri(portal, "/signin-oidc"), new Uri(portal, "/signout-callback-oidc")),
                user);
            var app = EntraPortal(provider, secret);
            app.UseKestrel(options => options.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
            app.StartServer();
            return new EntraRoundTrip(portal, provider, app, certificate);
        }

        public async ValueTask DisposeAsync()
        {
            Browser.Dispose();
            await App.DisposeAsync();
            await Provider.DisposeAsync();
            _certificate.Dispose();
        }
    }

    private static PortalAppFactory EntraPortal(LocalOpenIdProvider provider, string secret) => new(
        new Dictionary<string, string?>
        {
            ["Identity:Mode"] = "EntraId",
            ["AzureAd:Instance"] = provider.Instance.ToString(),
            ["AzureAd:TenantId"] = provider.TenantId,
            ["AzureAd:ClientId"] = ClientId,
            ["AzureAd:ClientSecret"] = secret,
            ["AzureAd:CallbackPath"] = "/signin-oidc",
        },
        environment: "Staging",
        services: services => services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            // The only edge changed: the test provider serves its metadata over plain http on loopback.
            options.RequireHttpsMetadata = false;
        }));

    /// <summary>
    /// What a browser does: follows redirects and submits the provider's auto-posting form
    /// (response_mode=form_post) until a page is shown.
    /// </summary>
    private static async Task<(Uri Address, string Page)> FollowAsync(HttpClient browser, Uri start)
    {
        var address = start;
        using var response0 = await browser.GetAsync(address);
        var response = response0;
        for (var hop = 0; hop < 20; hop++)
        {
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                address = new Uri(address, response.Headers.Location!);
                response = await browser.GetAsync(address);
                continue;
            }
            var page = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{address} answered {(int)response.StatusCode}: {page}");
            var form = Regex.Match(page, "<form[^>]*method=\"post\"[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase);
            if (!form.Success || !form.Groups[1].Value.Contains("/signin-oidc", StringComparison.Ordinal))
            {
                return (address, page);
            }
            var fields = Regex.Matches(form.Groups[2].Value, "<input[^>]*name=\"([^\"]+)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)
                .ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
            address = new Uri(address, WebUtility.HtmlDecode(form.Groups[1].Value));
            response = await browser.PostAsync(address, new FormUrlEncodedContent(fields));
        }
        throw new InvalidOperationException($"Still redirecting after 20 hops, at {address}.");
    }
}
