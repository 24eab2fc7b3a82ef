using FinTech.Portal.Audit;
using FinTech.Portal.Aws;
using FinTech.Portal.Components;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using FinTech.Portal.WriteProbe;
using MudBlazor.Services;

namespace FinTech.Portal;

/// <summary>The composition root: one <c>AddXyz</c> per feature folder, then the pipeline.</summary>
public static class PortalSetup
{
    public static IHostApplicationBuilder AddPortal(this IHostApplicationBuilder builder)
    {
        builder.AddHosting();
        builder.AddPlatform();
        builder.AddDatabase();
        builder.AddAudit();
        builder.AddSandbox();
        builder.AddAws();
        builder.AddWriteProbeCanary();
        builder.AddDashboards();
        builder.AddLogs();
        builder.AddOperations();

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        // After the Razor components: the Blazor limits must not register the circuit's services first.
        builder.AddWebHardening();
        builder.AddPortalIdentity();
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
        app.UseWebHardening();
        app.UsePortalIdentity();
        app.UseAntiforgery();
        // Public files (styles, scripts, fonts): the sign-in page needs them before anyone signs in.
        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapDiagnosticsEndpoint();
        app.MapPortalIdentity();
        app.MapAuditEndpoints();
        app.MapOperationsEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
