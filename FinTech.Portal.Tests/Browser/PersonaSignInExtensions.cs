using System.Net;
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
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
    }

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
