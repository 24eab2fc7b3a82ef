using System.Net;
using System.Text;
using FinTech.Portal.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// Issue 11, "what it must show": hostile values (control characters, 10,000 characters, invalid
/// UTF-8 escapes, SQL and formula fragments) for every query and form parameter. No answer may be a
/// 5xx, and afterwards the trail must verify, in the portal and offline from its export. The audit
/// pages and exports are one test class, the account endpoints another, so that they run side by side.
/// </summary>
public sealed class HostileInput(PortalAppFactory app)
{
    /// <summary>Already URL-encoded, so that invalid UTF-8 escapes reach the server as sent.</summary>
    public static readonly string[] Values =
    [
        E("\u0000"),
        E("\u0001\u001b[31mred\u0007"),
        E("\r\nX-Injected: 1"),
        E("\u202eexe.txt\u200f"),
        E(new string('A', 10_000)),
        E(string.Concat(Enumerable.Repeat("\u00e9\u65e5", 5_000))),
        "%C0%AF",
        "%FF%FE%FD",
        "%ED%A0%80",
        "%E2%82",
        "%",
        E("' OR '1'='1"),
        E("'; DROP TABLE audit_events; --"),
        E("%_\\' ESCAPE '\\"),
        E("=1+1"),
        E(";=HYPERLINK(\"http://evil.example\",\"x\")"),
        E("+cmd|' /C calc'!A0"),
        E("@SUM(1)"),
        E("1e5"),
        E("99999999999999999999999"),
        E("<script>alert(1)</script>"),
        E("//evil.example"),
    ];

    private readonly List<string> _serverErrors = [];

    public static string E(string value) => Uri.EscapeDataString(value);

    public static StringContent Form(string body) => new(body, Encoding.ASCII, "application/x-www-form-urlencoded");

    public async Task SendAsync(HttpClient client, HttpMethod method, string address, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, address) { Content = content };
        using var response = await client.SendAsync(request);
        if ((int)response.StatusCode >= 500)
        {
            _serverErrors.Add($"{method} {Shorten(address)} -> {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync())}");
        }
    }

    /// <summary>No 5xx, the chain intact, and the whole trail exported as JSON Lines verifies offline.</summary>
    public async Task AssertNoServerErrorAndTheTrailVerifiesAsync(HttpClient auditor)
    {
        Assert.True(_serverErrors.Count == 0, string.Join(Environment.NewLine, _serverErrors));
        var verification = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(verification.Intact, verification.ToString());
        var export = await auditor.GetAsync("/audit/export.jsonl");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Null(AuditExport.VerifyJsonLines(new StringReader(await export.Content.ReadAsStringAsync())));
    }

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}

public class AccountHostileInputTests
{
    [Fact]
    public async Task Hostile_values_in_every_parameter_of_the_account_endpoints_never_get_a_server_error_and_the_trail_still_verifies()
    {
        await using var app = new PortalAppFactory();
        var fuzz = new HostileInput(app);
        var auditor = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(auditor, "aubrey");
        var operatorClient = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(operatorClient, "olivia");
        var anonymous = app.CreatePortalClient();

        foreach (var value in HostileInput.Values)
        {
            foreach (var name in new[] { "returnUrl", "error" })
            {
                await fuzz.SendAsync(anonymous, HttpMethod.Get, $"/account/sign-in?{name}={value}");
            }
            foreach (var name in new[] { "policy", "returnUrl" })
            {
                await fuzz.SendAsync(operatorClient, HttpMethod.Get, $"/account/access-denied?{name}={value}");
            }
            await fuzz.SendAsync(anonymous, HttpMethod.Get, $"/account/signed-out?returnUrl={value}");
            await fuzz.SendAsync(operatorClient, HttpMethod.Post, $"/account/keep-alive?x={value}", HostileInput.Form($"x={value}"));
            // A fresh visitor per form post, with the real token, so that the value reaches the handler.
            foreach (var field in new[] { "persona", "returnUrl" })
            {
                var visitor = app.CreatePortalClient();
                var token = HostileInput.E(await PersonaSignIn.AntiforgeryTokenAsync(visitor, "/account/sign-in"));
                var persona = field == "persona" ? value : "olivia";
                var returnUrl = field == "returnUrl" ? value : "%2F";
                await fuzz.SendAsync(visitor, HttpMethod.Post, "/account/persona-sign-in",
                    HostileInput.Form($"__RequestVerificationToken={token}&persona={persona}&returnUrl={returnUrl}"));
            }
            await fuzz.SendAsync(operatorClient, HttpMethod.Post, "/account/sign-out", HostileInput.Form($"__RequestVerificationToken={value}"));
            await fuzz.SendAsync(anonymous, HttpMethod.Post, "/account/sign-out", HostileInput.Form($"__RequestVerificationToken={value}"));
        }

        await fuzz.AssertNoServerErrorAndTheTrailVerifiesAsync(auditor);
    }
}
