namespace FinTech.Portal.Hosting;

/// <summary>
/// The protections every response and every circuit gets, whoever is signed in: security headers,
/// HSTS and HTTPS outside Development, the hub's origin check, and the circuit and SignalR limits.
/// </summary>
public static class WebHardening
{
    /// <summary>Call after the Razor components are added: the Blazor limits must not register the circuit's services first.</summary>
    public static IHostApplicationBuilder AddWebHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ContentSecurityOptions>();
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });
        builder.AddBlazorLimits();
        return builder;
    }

    /// <summary>
    /// Security headers first (so that every response has them, errors included), then HTTPS and
    /// the hub's origin. Call after the forwarded headers and before authentication.
    /// </summary>
    public static WebApplication UseWebHardening(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
            app.UseMiddleware<HttpsRequiredMiddleware>();
        }
        // The sign-in endpoints and the hub answer for themselves (400 for a missing antiforgery
        // token, 403 for a foreign origin); a "not found" page in their place would hide why.
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/account") || context.Request.Path.StartsWithSegments("/_blazor"))
            {
                context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>()?.Enabled = false;
            }
            return next(context);
        });
        app.UseMiddleware<HubOriginMiddleware>();
        return app;
    }
}
