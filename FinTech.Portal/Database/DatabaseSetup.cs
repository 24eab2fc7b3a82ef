using Microsoft.Extensions.Diagnostics.HealthChecks;
using FinTech.Portal.Hosting;

namespace FinTech.Portal.Database;

public static class DatabaseSetup
{
    /// <summary>
    /// The portal database: options (validated at start), the connection factory, migrations
    /// applied before any hosted service starts, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<PortalDatabase>();
        builder.Services.AddSingleton<MigrationRunner>();
        builder.Services.AddHostedService<MigrateOnStart>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [HostingSetup.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Migrates in <see cref="IHostedLifecycleService.StartingAsync"/>, which runs before every
    /// hosted service's StartAsync (the audit recorder, the web server): nothing touches the
    /// database before its schema is current. A failure stops the start.
    /// </summary>
    private sealed class MigrateOnStart(MigrationRunner runner) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => runner.ApplyAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary><c>/readyz</c>: the database answers a trivial query.</summary>
    private sealed class DatabaseHealthCheck(PortalDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy($"{database.Provider} answers.");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"The {database.Provider} database does not answer.", e);
            }
        }
    }
}
