using Microsoft.Extensions.Options;

namespace FinTech.Portal.Hosting;

/// <summary>
/// Security headers on every response, errors included. The Content-Security-Policy is the one
/// Blazor Server and MudBlazor work under: scripts only from the portal itself, inline styles
/// (MudBlazor sets style attributes), the circuit's WebSocket to the portal's own origin, no
/// framing, and forms posting only to the portal (plus the sign-in authority, where sign-out goes).
/// </summary>
internal sealed class SecurityHeadersMiddleware
{
    private readonly RequestDelegate _next;
    private readonly string _contentSecurityPolicy;

    public SecurityHeadersMiddleware(RequestDelegate next, IOptions<ContentSecurityOptions> options)
    {
        _next = next;
        _contentSecurityPolicy = ContentSecurityPolicy(options.Value.SignInAuthorityOrigin);
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
            // Pages, exports and refusals show what one person may see: nobody else's cache keeps
            // them. Static assets set their own caching and keep it.
            if (!headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.CacheControl))
            {
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        }, (context.Response, _contentSecurityPolicy));
        return _next(context);
    }
}

/// <summary>What the Content-Security-Policy allows beyond the portal itself; the sign-in sets it.</summary>
public sealed class ContentSecurityOptions
{
    /// <summary>The external sign-in's origin (Entra ID), where the sign-out form posts; none in Sandbox sign-in.</summary>
    public string? SignInAuthorityOrigin { get; set; }
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

/// <summary>
/// Outside Development the session and antiforgery cookies are Secure-only, so a plain-http request
/// could neither keep a session nor render a form (the antiforgery system refuses to issue its
/// cookie). Rather than a 500, such a request gets a message that says what is wrong: the portal
/// was reached without TLS, or a proxy that ends TLS did not say so in a header the portal trusts.
/// The health endpoints stay reachable over http (the load balancer's checks).
/// </summary>
internal sealed class HttpsRequiredMiddleware(RequestDelegate next, ILogger<HttpsRequiredMiddleware> logger)
{
    public const string Message =
        "The portal answers over HTTPS only: its session and antiforgery cookies are Secure. Open it with https://. " +
        "If a proxy or load balancer ends TLS in front of the portal, it must send X-Forwarded-Proto: https, " +
        "and its network must be listed in Hosting:TrustedProxyNetworks (or set Hosting:PublicOrigin).";

    private int _logged;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz"))
        {
            return next(context);
        }
        // Once per process: a misconfigured proxy would otherwise fill the log.
        if (Interlocked.Exchange(ref _logged, 1) == 0)
        {
            logger.LogWarning("A request reached the portal over plain http ({Path}); answering 400. {Message}", context.Request.Path.Value, Message);
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(Message, context.RequestAborted);
    }
}
