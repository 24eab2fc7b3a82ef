using FinTech.Portal.Audit;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>
/// Sign-in and sign-out are plain HTTP requests: a cookie cannot be set over a Blazor circuit.
/// Forms post here with an antiforgery token; the pages only render the forms. The token is
/// checked explicitly in each handler (the framework enforces it only when a handler binds form
/// fields, which sign-out does not), and a request without one is a plain 400 with a reason.
/// </summary>
internal static class AccountEndpoints
{
    public const string KeepAlivePath = "/account/keep-alive";

    public static void MapAccountEndpoints(this WebApplication app, IdentityMode mode)
    {
        var account = app.MapGroup("/account");
        if (mode == IdentityMode.Sandbox)
        {
            account.MapPost("/persona-sign-in", PersonaSignInAsync)
                .AllowAnonymous()
                .DisableAntiforgery();
        }
        else
        {
            account.MapGet("/sign-in/entra", EntraChallenge).AllowAnonymous();
        }
        account.MapPost("/sign-out", SignOutAsync)
            .AllowAnonymous()
            .DisableAntiforgery();
        // Input on an open page (identity/idle.js): a circuit makes no HTTP requests of its own, and
        // without this an SRE working in one page for longer than the idle time would be signed out.
        account.MapPost("/keep-alive", () => Results.NoContent());
    }

    private static async Task<IResult> PersonaSignInAsync(
        HttpContext http,
        IAntiforgery antiforgery,
        IdentityAudit audit,
        PortalSessions sessions,
        IOptionsMonitor<CookieAuthenticationOptions> cookieOptions,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        if (!await HasValidTokenAsync(http, antiforgery, loggers))
        {
            return Results.Text("The sign-in was refused: the form carried no valid antiforgery token. Open the sign-in page and pick a persona again.",
                "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? persona = form["persona"];
        var chosen = SandboxPersonas.Find(persona);
        if (chosen is null)
        {
            // Recorded when the trail can take it; the visitor is refused either way.
            await TryRecordAsync(() => audit.SignInFailedAsync(null, IdentitySetup.SourceIpOf(http), $"There is no Sandbox persona '{AuditText.Bounded(persona)}'.", http.RequestAborted), http);
            return Results.Redirect($"{IdentitySetup.SignInPath}?error=unknown-persona");
        }
        // Decided before anything happens, so that nothing can fail between the sign-in and its record.
        var returnUrl = IdentitySetup.LocalReturnUrl(form["returnUrl"]);
        var user = PortalUser.Create(nameof(IdentityMode.Sandbox), chosen.UserId, chosen.DisplayName, [chosen.Role], time.GetUtcNow());
        // The session row and the cookie first (SessionCookie's OnSigningIn), then the record of a
        // sign-in that happened. Fail closed: if the trail cannot take it, the session is ended and
        // the cookie withdrawn from the response, so nobody is signed in unrecorded.
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, user, new AuthenticationProperties { IsPersistent = false });
        try
        {
            await audit.SignedInAsync(user, IdentitySetup.SourceIpOf(http), http.RequestAborted);
        }
        catch (AuditUnavailableException)
        {
            await sessions.EndAsync(PortalSessions.IdOf(user)!, SessionEndReasons.SignInNotRecorded, http.RequestAborted);
            var cookieName = cookieOptions.Get(CookieAuthenticationDefaults.AuthenticationScheme).Cookie.Name!;
            http.Response.Headers.SetCookie = new(http.Response.Headers.SetCookie.Where(c => c is null || !c.StartsWith(cookieName, StringComparison.Ordinal)).ToArray());
            return Results.Redirect($"{IdentitySetup.SignInPath}?error=audit-unavailable");
        }
        return Results.Redirect(returnUrl);
    }

    private static IResult EntraChallenge(string? returnUrl) =>
        Results.Challenge(
            new AuthenticationProperties { RedirectUri = IdentitySetup.LocalReturnUrl(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]);

    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, IdentityAudit audit, PortalSessions sessions, ILoggerFactory loggers)
    {
        // A page of another site that posts this form would sign the person out (ASVS 4.2.2).
        if (!await HasValidTokenAsync(http, antiforgery, loggers))
        {
            var origin = http.Request.Headers.Origin.FirstOrDefault() ?? http.Request.Headers.Referer.FirstOrDefault();
            await TryRecordAsync(() => audit.SignOutRefusedAsync(http.User, IdentitySetup.SourceIpOf(http), origin, http.RequestAborted), http);
            return Results.Text("The sign-out was refused: it did not come from the portal's own Sign out button (no valid antiforgery token). " +
                "To sign out, open the portal and press Sign out.", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
        if (PortalUser.IsSignedIn(http.User))
        {
            // Signing out lowers privilege: it goes ahead even when the trail cannot record it.
            await TryRecordAsync(() => audit.SignedOutAsync(http.User, IdentitySetup.SourceIpOf(http), http.RequestAborted), http);
            // The server side of the session ends, so a copy of the cookie is worthless and the
            // session's open pages close.
            if (PortalSessions.IdOf(http.User) is { } sessionId)
            {
                await sessions.EndAsync(sessionId, SessionEndReasons.SignedOut, http.RequestAborted);
            }
        }
        var properties = new AuthenticationProperties { RedirectUri = IdentitySetup.SignedOutPath };
        var method = http.User.FindFirst(PortalUser.SignInMethodClaim)?.Value;
        return method == nameof(IdentityMode.EntraId)
            ? Results.SignOut(properties, [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])
            : Results.SignOut(properties, [CookieAuthenticationDefaults.AuthenticationScheme]);
    }

    /// <summary>
    /// Validates the antiforgery token of a form post. A missing or wrong token is the client's
    /// mistake (or an attack), not the portal's: it is logged as information, without a stack trace.
    /// </summary>
    private static async Task<bool> HasValidTokenAsync(HttpContext http, IAntiforgery antiforgery, ILoggerFactory loggers)
    {
        try
        {
            if (!http.Request.HasFormContentType)
            {
                throw new AntiforgeryValidationException("The request is not a form post.");
            }
            await antiforgery.ValidateRequestAsync(http);
            return true;
        }
        catch (Exception e) when (e is AntiforgeryValidationException or InvalidDataException or IOException or BadHttpRequestException)
        {
            loggers.CreateLogger(typeof(AccountEndpoints)).LogInformation(
                "Refused {Path} without a valid antiforgery token: {Reason}", http.Request.Path.Value, e.Message);
            return false;
        }
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
