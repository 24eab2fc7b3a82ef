using FinTech.Portal.Operations.Failover;
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
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationRunFeed>());
        builder.Services.AddSingleton<OperationWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OperationWorker>());
        builder.Services.AddScoped(OperationCaller.FromScope);
        builder.Services.AddScoped<OperationsService>();
        builder.AddFailoverTests();
        return builder;
    }

    /// <summary>Registers a kind of operation with the engine.</summary>
    public static IServiceCollection AddOperationKind<TKind>(this IServiceCollection services) where TKind : class, IOperationKind =>
        services.AddSingleton<IOperationKind, TKind>();
}
