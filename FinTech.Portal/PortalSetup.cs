using FinTech.Portal.Audit;
using FinTech.Portal.Components;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using MudBlazor.Services;

namespace FinTech.Portal;

/// <summary>The composition root: one <c>AddXyz</c> per feature folder, then the pipeline.</summary>
public static class PortalSetup
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        builder.AddHosting();
        builder.AddPlatform();
        builder.AddDatabase();
        builder.AddAudit();
        builder.AddSandbox();
        builder.AddDashboards();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.UseForwardedHeadersFromProxies();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealthEndpoints();
        app.MapAuditEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
