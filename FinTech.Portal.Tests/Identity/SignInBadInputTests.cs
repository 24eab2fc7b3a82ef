using System.Net;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FinTech.Portal.Tests.Identity;

/// <summary>Issue 11, defects 4 and 5 and the plain-http start: hostile input at sign-in and in denied requests, over HTTP through the real host.</summary>
public class SignInBadInputTests
{
    [Theory]
    [InlineData("/sandbox\u0007", "/")]
    [InlineData("/sandbox\r\nSet-Cookie: x=1", "/")]
    [InlineData("/\u001b[31mred", "/")]
    [InlineData("/caf\u00e9?q=\u202eexe", "/caf%C3%A9?q=%E2%80%AEexe")]
    [InlineData("/\u65e5\u672c", "/%E6%97%A5%E6%9C%AC")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("~/audit", "/audit")]
    public async Task A_return_address_is_kept_only_when_local_and_every_recorded_sign_in_issued_its_cookie(string returnUrl, string expectedLocation)
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await PersonaSignIn.AsAsync(client, "olivia", returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expectedLocation, response.Headers.Location!.OriginalString);
        Assert.NotNull(SessionEndTests.AuthCookieOf(response));
        var signedIn = Assert.Single(await app.IdentityEventsAsync());
        Assert.Equal(AuditEventTypes.SignedIn, signedIn.EventType);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task A_form_with_a_NUL_is_refused_as_unreadable_and_nobody_is_signed_in()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        var token = await PersonaSignIn.AntiforgeryTokenAsync(client, "/account/sign-in");

        var response = await client.PostAsync("/account/persona-sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["persona"] = "olivia",
            ["returnUrl"] = "/sandbox\u0000",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(SessionEndTests.AuthCookieOf(response));
        Assert.Empty(await app.IdentityEventsAsync());
    }

    [Fact]
    public async Task A_denied_request_records_only_a_configured_environment_and_anything_else_bounded_escaped_and_marked_unknown()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "aubrey");
        var hostile = new string('A', 7000) + "\u0000\u001b[2J\u202eprod";

        var known = await client.GetAsync("/sandbox?env=SANDBOX");
        var fake = await client.GetAsync("/sandbox?env=prod");
        var longOne = await client.GetAsync("/sandbox?env=" + Uri.EscapeDataString(hostile));
        var controls = await client.GetAsync("/sandbox?env=" + Uri.EscapeDataString("x\u0000\u001b[31m\u202e"));

        Assert.All([known, fake, longOne, controls], r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        var denials = (await app.IdentityEventsAsync()).Where(e => e.EventType == AuditEventTypes.AccessDenied).Select(e => e.Environment).ToList();
        Assert.Equal("sandbox", denials[0]);
        Assert.Equal("unknown:prod", denials[1]);
        Assert.Equal("unknown:" + new string('A', 64) + "... (7010 characters)", denials[2]);
        Assert.Equal("unknown:x\\u0000\\u001b[31m\\u202e", denials[3]);
    }

    [Fact]
    public async Task Staging_over_plain_http_without_a_forwarded_proto_says_what_is_wrong_instead_of_failing()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost"), AllowAutoRedirect = false });

        var signIn = await client.GetAsync("/account/sign-in");
        var health = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.BadRequest, signIn.StatusCode);
        Assert.Equal("text/plain; charset=utf-8", signIn.Content.Headers.ContentType!.ToString());
        Assert.Equal(FinTech.Portal.Hosting.HttpsRequiredMiddleware.Message, await signIn.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
