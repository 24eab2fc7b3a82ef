using System.Net;

namespace FinTech.Portal.Tests.Identity;

public class SignInTests
{
    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_the_sign_in_page()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.GetAsync("/dashboards/overview?env=sandbox");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
        Assert.Contains("returnUrl=%2Fdashboards%2Foverview%3Fenv%3Dsandbox", response.Headers.Location.Query);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/account/sign-in")]
    [InlineData("/account/signed-out")]
    public async Task An_anonymous_visitor_reaches_the_sign_in_flow_and_the_health_endpoints(string path)
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_page_offers_every_persona()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var html = await client.GetStringAsync("/account/sign-in");

        foreach (var persona in FinTech.Portal.Identity.SandboxPersonas.All)
        {
            Assert.Contains(persona.DisplayName, html);
            Assert.Contains($"value=\"{persona.Key}\"", html);
        }
    }

    [Fact]
    public async Task A_persona_sign_in_returns_to_the_page_asked_for_and_the_user_has_the_personas_role()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await PersonaSignIn.AsAsync(client, "aubrey", "/account/access-denied?policy=RequestOperations");
        Assert.Equal("/account/access-denied?policy=RequestOperations", response.Headers.Location!.OriginalString);
        var page = await client.GetStringAsync(response.Headers.Location);

        Assert.Contains("Aubrey Auditor", page);
        Assert.Contains("Requesting operations needs the Operator role; you have Auditor.", page);
    }

    [Fact]
    public async Task A_return_address_outside_the_portal_is_replaced_by_the_start_page()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await PersonaSignIn.AsAsync(client, "olivia", "//evil.example/steal");

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_persona_sign_in_without_the_antiforgery_token_is_refused()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await client.PostAsync("/account/persona-sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["persona"] = "ada",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("__Host-portal-auth", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_unknown_persona_is_not_signed_in()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        var response = await PersonaSignIn.AsAsync(client, "mallory");

        Assert.Equal("/account/sign-in?error=unknown-persona", response.Headers.Location!.OriginalString);
        var after = await client.GetAsync("/account/access-denied");
        Assert.Equal("/account/sign-in", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");

        var response = await PersonaSignIn.SignOutAsync(client, "/account/access-denied");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/signed-out", response.Headers.Location!.OriginalString);
        var after = await client.GetAsync("/account/access-denied");
        Assert.Equal("/account/sign-in", after.Headers.Location!.AbsolutePath);
    }
}
