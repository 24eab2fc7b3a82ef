using System.Security.Claims;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>Sign-in, roles, policies and the protections that go with them (issue 4).</summary>
public static class IdentitySetup
{
    public const string SignInPath = "/account/sign-in";
    public const string EntraSignInPath = "/account/sign-in/entra";
    public const string PersonaSignInPath = "/account/persona-sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string SignedOutPath = "/account/signed-out";
    public const string AccessDeniedPath = "/account/access-denied";

    /// <summary><c>__Host-</c>: the browser only accepts it over HTTPS, for this host and path /.</summary>
    public const string AuthCookieName = "__Host-portal-auth";
    public const string AntiforgeryCookieName = "__Host-portal-antiforgery";

    /// <summary>
    /// In Development the portal also runs on plain http://localhost (<c>dotnet run</c>, the browser
    /// tests), where a browser refuses <c>__Host-</c> and Secure cookies: there the cookies are
    /// Secure only over HTTPS and not prefixed. Every other environment gets the strict ones.
    /// </summary>
    internal static CookieSecurity CookiesFor(IHostEnvironment environment) => environment.IsDevelopment()
        ? new CookieSecurity("portal-auth", "portal-antiforgery", CookieSecurePolicy.SameAsRequest)
        : new CookieSecurity(AuthCookieName, AntiforgeryCookieName, CookieSecurePolicy.Always);

    internal sealed record CookieSecurity(string AuthCookieName, string AntiforgeryCookieName, CookieSecurePolicy SecurePolicy);

    public static IHostApplicationBuilder AddPortalIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalIdentityOptions>()
            .BindConfiguration(PortalIdentityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PortalIdentityOptions>, IdentityModeValidation>();

        // The registration depends on the mode; the validation above reads the same key at start.
        var mode = ModeFrom(builder.Configuration);
        builder.Services.AddSingleton(new RegisteredIdentityMode(mode));
        var authentication = builder.Services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = mode == IdentityMode.EntraId
                ? Microsoft.AspNetCore.Authentication.OpenIdConnect.OpenIdConnectDefaults.AuthenticationScheme
                : CookieAuthenticationDefaults.AuthenticationScheme;
        });
        if (mode == IdentityMode.EntraId)
        {
            authentication.AddEntraIdSignIn(builder.Configuration);
            // Sign-out posts a form to Entra: the Content-Security-Policy's form-action allows its origin.
            builder.Services.AddOptions<FinTech.Portal.Hosting.ContentSecurityOptions>()
                .Configure<IConfiguration>((csp, configuration) => csp.SignInAuthorityOrigin = EntraIdSignIn.AuthorityOrigin(configuration));
        }
        else
        {
            authentication.AddCookie();
        }
        // The host's environment as the built app sees it (a test host may set it after this runs).
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<PortalIdentityOptions>, IHostEnvironment>((cookie, identity, host) =>
                SessionCookie.Configure(cookie, identity.Value, CookiesFor(host)));

        builder.Services.AddAuthorization();
        // Every portal policy is defined here, from PortalAccessRules, and nowhere else.
        builder.Services.PostConfigure<AuthorizationOptions>(options =>
        {
            options.AddPortalPolicies();
            // Everything needs a signed-in user unless it says otherwise: the sign-in flow,
            // /healthz, /readyz and the static assets of the sign-in page are marked anonymous.
            options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        builder.Services.AddSingleton<IAuthorizationHandler, PortalPolicyHandler>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AccessDeniedResultHandler>();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidatingStateProvider>();
        builder.Services.AddScoped(PortalCaller.FromScope);

        builder.Services.AddSingleton<IdentityAudit>();
        builder.Services.AddSingleton<PortalSessions>();
        builder.Services.AddSingleton<SessionRevocation>();
        builder.Services.AddSingleton<PortalAuthorization>();

        builder.Services.AddAntiforgery();
        builder.Services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<IHostEnvironment>((options, host) =>
        {
            var cookies = CookiesFor(host);
            options.Cookie.Name = cookies.AntiforgeryCookieName;
            options.Cookie.SecurePolicy = cookies.SecurePolicy;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.AddPortalDataProtection();
        return builder;
    }

    /// <summary>Authentication and authorization. Call after the web hardening and before antiforgery.</summary>
    public static WebApplication UsePortalIdentity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapPortalIdentity(this WebApplication app)
    {
        app.MapAccountEndpoints(ModeFrom(app.Configuration));
        return app;
    }

    private static IdentityMode ModeFrom(IConfiguration configuration) =>
        configuration.GetValue($"{PortalIdentityOptions.SectionName}:{nameof(PortalIdentityOptions.Mode)}", IdentityMode.Sandbox);

    /// <summary>The client address as the forwarded headers middleware left it (CloudFront → ALB → task).</summary>
    public static string? SourceIpOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>
    /// A return address that stays on the portal: only what the framework's local-URL rule accepts
    /// (a path on this host, no control characters), with anything outside ASCII percent-encoded so
    /// that it can go into a Location header; anything else becomes the start page.
    /// </summary>
    public static string LocalReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || !Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(returnUrl))
        {
            return "/";
        }
        var path = returnUrl.StartsWith("~/", StringComparison.Ordinal) ? returnUrl[1..] : returnUrl;
        var escaped = new System.Text.StringBuilder(path.Length);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in path.EnumerateRunes())
        {
            if (rune.Value is > ' ' and <= '~')
            {
                escaped.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    /// <summary>The sign-in mode the services were registered for.</summary>
    private sealed record RegisteredIdentityMode(IdentityMode Mode);

    /// <summary>
    /// Refuses configurations that must never run: the persona sign-in (no password) where real
    /// production is reachable, and Entra ID sign-in without its required settings.
    /// </summary>
    private sealed class IdentityModeValidation(
        IHostEnvironment host, IOptions<PlatformOptions> platform, IConfiguration configuration, RegisteredIdentityMode registered)
        : IValidateOptions<PortalIdentityOptions>
    {
        public ValidateOptionsResult Validate(string? name, PortalIdentityOptions options)
        {
            var errors = new List<string>();
            if (registered.Mode != options.Mode)
            {
                // Configuration that arrives after the services were built (a late configuration
                // source) would leave the portal signing people in one way while believing another.
                errors.Add($"Identity:Mode is {options.Mode}, but the sign-in was set up as {registered.Mode}: " +
                    "set Identity:Mode where the host reads it at start (environment, command line or appsettings).");
            }
            if (options.Mode == IdentityMode.Sandbox)
            {
                if (host.IsProduction())
                {
                    errors.Add("Identity:Mode is Sandbox (persona sign-in without a password), which the portal refuses to run " +
                        "when the ASP.NET environment is Production. Set Identity:Mode to EntraId and configure AzureAd.");
                }
                // What must never sit behind a password-less sign-in is a real production account. A
                // production environment on the Sandbox backend is a simulated one: it rehearses the
                // production rules (an Approver other than the requester, audited log queries) and
                // reaches nothing outside the portal.
                foreach (var (key, environment) in platform.Value.Environments.Where(e => e.Value.IsProduction && e.Value.Backend != PlatformBackend.Sandbox))
                {
                    errors.Add($"Identity:Mode is Sandbox (persona sign-in without a password), which the portal refuses to run " +
                        $"while Platform:Environments:{key} is a production environment on {environment.Backend} (IsProduction is true). " +
                        "Set Identity:Mode to EntraId and configure AzureAd.");
                }
            }
            else
            {
                errors.AddRange(EntraIdSignIn.MissingSettings(configuration.GetSection(EntraIdSignIn.SectionName)));
            }
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
