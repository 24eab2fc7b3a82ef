using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// Signing in to a <see cref="PortalServer"/> the way a person does in Development: the Sandbox
/// persona picker (olivia and omar: Operator, avery: Approver, aubrey: Auditor, ada: Admin).
/// </summary>
public static class PersonaSignInExtensions
{
    /// <summary>Signs the browser page in and waits for the start page.</summary>
    public static async Task SignInAsPersonaAsync(this IPage page, string persona)
    {
        await page.GotoAsync("/account/sign-in");
        await page.GetByTestId($"persona-{persona}").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(PathIs("/"));
    }

    /// <summary>
    /// The address bar shows exactly this path, with any query unless the argument names one. Tests wait for an address with
    /// <c>Expect(page).ToHaveURLAsync(PathIs(..))</c> rather than <c>WaitForURLAsync</c>, which also waits for the
    /// load event: a Blazor page is ready when its content is, which the next assertion waits for, and the
    /// load event of a prerendered page can come after the default timeout on a loaded 2-core CI machine.
    /// </summary>
    public static Regex PathIs(string pathAndQuery) =>
        new($"^https?://[^/]+{Regex.Escape(pathAndQuery)}{(pathAndQuery.Contains('?') ? "" : "(\\?.*)?")}$");

    /// <summary>The address bar's path (and query) starts with this text.</summary>
    public static Regex PathStartsWith(string prefix) => new($"^https?://[^/]+{Regex.Escape(prefix)}");

    /// <summary>An HttpClient with the persona's session cookie (plain http: Development's cookies).</summary>
    public static async Task<HttpClient> SignedInClientAsync(this PortalServer server, string persona)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = server.RootUri,
        };
        var signInPage = await client.GetStringAsync(new Uri("/account/sign-in", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(signInPage, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var signIn = await client.PostAsync(new Uri("/account/persona-sign-in", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["persona"] = persona,
        }));
        if (signIn.StatusCode != HttpStatusCode.Redirect || signIn.Headers.Location?.OriginalString != "/")
        {
            throw new InvalidOperationException($"Signing in as {persona} answered {(int)signIn.StatusCode} {signIn.Headers.Location}.");
        }
        return client;
    }
}
