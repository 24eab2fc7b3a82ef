using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;

namespace FinTech.Portal.Identity;

/// <summary>
/// Sign-in and sign-out are plain HTTP requests: a cookie cannot be set over a Blazor circuit.
/// Forms post here with an antiforgery token; the pages only render the forms.
/// </summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app, IdentityMode mode)
    {
        var account = app.MapGroup("/account");
        if (mode == IdentityMode.Sandbox)
        {
            account.MapPost("/persona-sign-in", PersonaSignInAsync)
                .AllowAnonymous()
                .WithMetadata(new RequireAntiforgeryTokenAttribute());
        }
        else
        {
            account.MapGet("/sign-in/entra", EntraChallenge).AllowAnonymous();
        }
        account.MapPost("/sign-out", SignOutAsync)
            .AllowAnonymous()
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
    }

    private static async Task<IResult> PersonaSignInAsync(
        HttpContext http,
        [FromForm] string? persona,
        [FromForm] string? returnUrl,
        IdentityAudit audit,
        TimeProvider time)
    {
        var chosen = SandboxPersonas.Find(persona);
        if (chosen is null)
        {
            // Recorded when the trail can take it; the visitor is refused either way.
            await TryRecordAsync(() => audit.SignInFailedAsync(null, IdentitySetup.SourceIpOf(http), $"There is no Sandbox persona '{Truncate(persona)}'.", http.RequestAborted), http);
            return Results.Redirect($"{IdentitySetup.SignInPath}?error=unknown-persona");
        }
        var user = PortalUser.Create(nameof(IdentityMode.Sandbox), chosen.UserId, chosen.DisplayName, [chosen.Role], time.GetUtcNow());
        // Fail closed: the event is written before the cookie; if it cannot be, nobody is signed in.
        try
        {
            await audit.SignedInAsync(user, IdentitySetup.SourceIpOf(http), http.RequestAborted);
        }
        catch (AuditUnavailableException)
        {
            return Results.Redirect($"{IdentitySetup.SignInPath}?error=audit-unavailable");
        }
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, user, new AuthenticationProperties { IsPersistent = false });
        return Results.LocalRedirect(IdentitySetup.LocalReturnUrl(returnUrl));
    }

    /// <summary>What a visitor typed is recorded, but not at any length.</summary>
    private static string? Truncate(string? text) => text is { Length: > 64 } ? text[..64] + "…" : text;

    private static IResult EntraChallenge(string? returnUrl) =>
        Results.Challenge(
            new AuthenticationProperties { RedirectUri = IdentitySetup.LocalReturnUrl(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]);

    private static async Task<IResult> SignOutAsync(HttpContext http, IdentityAudit audit)
    {
        if (PortalUser.IsSignedIn(http.User))
        {
            // Signing out lowers privilege: it goes ahead even when the trail cannot record it.
            await TryRecordAsync(() => audit.SignedOutAsync(http.User, IdentitySetup.SourceIpOf(http), http.RequestAborted), http);
        }
        var properties = new AuthenticationProperties { RedirectUri = IdentitySetup.SignedOutPath };
        var method = http.User.FindFirst(PortalUser.SignInMethodClaim)?.Value;
        return method == nameof(IdentityMode.EntraId)
            ? Results.SignOut(properties, [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])
            : Results.SignOut(properties, [CookieAuthenticationDefaults.AuthenticationScheme]);
    }

    /// <summary>For events whose action goes ahead even when the trail is down: the failure is logged instead.</summary>
    internal static async Task TryRecordAsync(Func<Task> record, HttpContext http)
    {
        try
        {
            await record();
        }
        catch (AuditUnavailableException e)
        {
            http.RequestServices.GetRequiredService<ILogger<IdentityAudit>>().LogError(e, "An identity event could not be recorded in the audit trail.");
        }
    }
}
