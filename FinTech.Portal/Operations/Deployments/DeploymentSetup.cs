namespace FinTech.Portal.Operations.Deployments;

public static class DeploymentSetup
{
    /// <summary>Deployments and rollbacks of ECS services, offered where the environment's backend has the ECS and ECR ports.</summary>
    public static IHostApplicationBuilder AddDeployments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeploymentOptions>()
            .BindConfiguration(DeploymentOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<DeploymentHistory>();
        builder.Services.AddSingleton<DeploymentsOverview>();
        builder.Services.AddOperationKind<EcsDeployment>();
        builder.Services.AddOperationKind<EcsRollback>();
        return builder;
    }
}
