using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// The real portal in memory, with configuration overrides and an environment name, and its
/// database in a folder of its own (or a shared one, for the several-instances tests). Staging by
/// default, so that the cookies are the production ones (Development relaxes them for http);
/// clients talk https://localhost so that the Secure, <c>__Host-</c> cookies travel as in a browser.
/// </summary>
public sealed class PortalAppFactory(
    IReadOnlyDictionary<string, string?>? settings = null,
    string environment = "Staging",
    Action<IServiceCollection>? services = null,
    string? dataDirectory = null) : WebApplicationFactory<Program>
{
    public static readonly Uri BaseAddress = new("https://localhost");

    private readonly PortalTestFiles _files = new(dataDirectory);

    public string DataDirectory => _files.Directory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in _files.Settings(settings))
        {
            builder.UseSetting(key, value);
        }
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _files.Dispose();
    }

    public HttpClient CreatePortalClient(bool followRedirects = false) =>
        CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = BaseAddress,
            AllowAutoRedirect = followRedirects,
            HandleCookies = true,
        });

    /// <summary>The identity events recorded so far, oldest first.</summary>
    public async Task<IReadOnlyList<FinTech.Portal.Audit.AuditEvent>> IdentityEventsAsync()
    {
        var store = Services.GetRequiredService<FinTech.Portal.Audit.AuditStore>();
        var page = await store.SearchAsync(FinTech.Portal.Audit.AuditFilter.None, before: null, pageSize: 500, CancellationToken.None);
        return page.Events.Where(e => e.EventType.StartsWith("identity.", StringComparison.Ordinal)).OrderBy(e => e.Sequence).ToList();
    }
}

/// <summary>Signs a test client in the way a person does: the persona form, with its antiforgery token.</summary>
public static class PersonaSignIn
{
    public static async Task<HttpResponseMessage> AsAsync(HttpClient client, string personaKey, string returnUrl = "/")
    {
        var token = await AntiforgeryTokenAsync(client, "/account/sign-in");
        var response = await client.PostAsync("/account/persona-sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["persona"] = personaKey,
            ["returnUrl"] = returnUrl,
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public static async Task<HttpResponseMessage> SignOutAsync(HttpClient client, string pageWithSignOutForm)
    {
        var token = await AntiforgeryTokenAsync(client, pageWithSignOutForm);
        return await client.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
        }));
    }

    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        var match = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"");
        Assert.True(match.Success, $"{page} has no antiforgery token in a form.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }
}
