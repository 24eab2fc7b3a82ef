using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations.Deployments;
using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Operations.Rotations;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FinTech.Portal.Operations;

public static class OperationsSetup
{
    /// <summary>
    /// The operations engine: options (validated at start), store, transitions, preflight, the
    /// worker and the live feed (hosted), the scoped caller and service, and the kinds.
    /// </summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsOptions>()
            .BindConfiguration(OperationsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OperationStore>();
        builder.Services.AddSingleton<OperationTransitions>();
        builder.Services.AddSingleton<OperationPreflight>();
        builder.Services.AddSingleton<OperationKinds>();
        builder.Services.AddSingleton<OperationEvidence>();
        builder.Services.AddSingleton<OperationWorkerSignal>();
        builder.Services.AddSingleton<OperationRunFeed>();
        builder.Services.AddSingleton<OperationWindowCharts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationRunFeed>());
        builder.Services.AddSingleton<OperationWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationWorker>());
        builder.Services.AddScoped<OperationsService>();
        builder.AddFailoverTests();
        builder.AddDeployments();
        builder.AddSecretRotations();
        return builder;
    }

    /// <summary>Evidence exports: the sealed JSON exactly as hashed, and the printable HTML report.</summary>
    public static IEndpointRouteBuilder MapOperationsEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var operations = endpoints.MapGroup("/operations").RequireAuthorization(PortalPolicies.ViewDashboards);
        operations.MapGet("/{runId}/evidence.json", (string runId, OperationEvidence evidence, HttpContext http, CancellationToken ct) =>
            ExportAsync(runId, evidence, PortalCaller.ForRequest(http), "json", e => Results.Text(e.Content, "application/json"), ct));
        operations.MapGet("/{runId}/evidence.html", (string runId, OperationEvidence evidence, HttpContext http, CancellationToken ct) =>
            ExportAsync(runId, evidence, PortalCaller.ForRequest(http), "html", e => Results.Content(EvidenceReport.Html(e), "text/html; charset=utf-8"), ct));
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(string runId, OperationEvidence evidence, PortalCaller caller, string format, Func<SealedEvidence, IResult> render, CancellationToken ct)
    {
        try
        {
            var sealedEvidence = await evidence.GetAsync(caller, runId, ct);
            if (sealedEvidence is null)
            {
                return Results.NotFound($"Run {runId} has no sealed evidence.");
            }
            await evidence.RecordExportAsync(caller, sealedEvidence, format, ct);
            return render(sealedEvidence);
        }
        catch (PortalAccessDeniedException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (AuditUnavailableException e)
        {
            return Results.Text(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>Registers a kind of operation with the engine.</summary>
    public static IServiceCollection AddOperationKind<TKind>(this IServiceCollection services) where TKind : class, IOperationKind =>
        services.AddSingleton<IOperationKind, TKind>();
}
