using Microsoft.Extensions.Options;

namespace FinTech.Portal.Identity;

/// <summary>
/// Security headers on every response, errors included. The Content-Security-Policy is the one
/// Blazor Server and MudBlazor work under: scripts only from the portal itself, inline styles
/// (MudBlazor sets style attributes), the circuit's WebSocket to the portal's own origin, no
/// framing, and forms posting only to the portal (plus Entra's authority, where sign-out goes).
/// </summary>
internal sealed class SecurityHeadersMiddleware
{
    private readonly RequestDelegate _next;
    private readonly string _contentSecurityPolicy;

    public SecurityHeadersMiddleware(RequestDelegate next, IOptions<PortalIdentityOptions> identity, IConfiguration configuration)
    {
        _next = next;
        _contentSecurityPolicy = ContentSecurityPolicy(
            identity.Value.Mode == IdentityMode.EntraId ? EntraAuthorityOrigin(configuration) : null);
    }

    public static string ContentSecurityPolicy(string? signInAuthorityOrigin) => string.Join("; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        signInAuthorityOrigin is null ? "form-action 'self'" : $"form-action 'self' {signInAuthorityOrigin}",
        "frame-ancestors 'none'");

    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var (response, policy) = ((HttpResponse, string))state;
            var headers = response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, (context.Response, _contentSecurityPolicy));
        return _next(context);
    }

    private static string? EntraAuthorityOrigin(IConfiguration configuration) =>
        Uri.TryCreate(configuration[$"{EntraIdSignIn.SectionName}:Instance"], UriKind.Absolute, out var instance)
            ? instance.GetLeftPart(UriPartial.Authority)
            : null;
}

/// <summary>
/// The Blazor hub answers only the portal's own pages: a WebSocket or long-polling request that
/// another origin's page opens is refused (browsers send Origin on those; SignalR does not check it).
/// </summary>
internal sealed class HubOriginMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/_blazor")
            && context.Request.Headers.Origin.FirstOrDefault() is { Length: > 0 } origin
            && !string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsync("The portal's hub accepts connections from the portal's own pages only.", context.RequestAborted);
        }
        return next(context);
    }
}
