using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using System.Net;
using System.Text.RegularExpressions;
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
        var port = Loopback.FreePort();
        var portal = new Uri($"https://127.0.0.1:{port}/");
        using var certificate = Loopback.SelfSignedCertificate();
        var secret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        await using var provider = await LocalOpenIdProvider.StartAsync(
            TenantId,
            new LocalOpenIdProvider.Client(ClientId, secret, new Uri(portal, "/signin-oidc"), new Uri(portal, "/signout-callback-oidc")),
            new LocalOpenIdProvider.User("0a1b2c3d-aaaa-4bbb-8ccc-111122223333", "Erin Entra", ["Portal.Operator", "Portal.Auditor", "Portal.SomethingElse"]));
        await using var app = EntraPortal(provider, secret);
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        app.StartServer();
        var cookies = new CookieContainer();
        using var browser = Loopback.BrowserLikeClient(certificate, cookies);

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
