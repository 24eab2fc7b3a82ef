namespace FinTech.Portal.Operations.Rotations;

public static class RotationsSetup
{
    /// <summary>Secret rotations, offered where the environment's backend has the Secrets Manager port and names secrets to rotate.</summary>
    public static IHostApplicationBuilder AddSecretRotations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SecretConsumers>();
        builder.Services.AddScoped<SecretsOverview>();
        builder.Services.AddOperationKind<SecretRotation>();
        return builder;
    }
}
