using Amazon;
using Amazon.DynamoDBv2;
using FinTech.Portal.Audit;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Hosting;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.Rds;
using FinTech.Portal.Platform.SecretsManager;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Aws;

public static class AwsSetup
{
    /// <summary>
    /// The Aws backend: signed clients per (environment, service) and the ports they implement.
    /// Registering the ports is what lets environments with <c>Backend=Aws</c> start.
    /// </summary>
    public static IHostApplicationBuilder AddAws(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AwsOptions>()
            .BindConfiguration(AwsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // AWS_ENDPOINT_URL[_<SERVICE>] are environment variables, which configuration includes.
        builder.Services.TryAddSingleton(sp => new AwsEndpoints(name => sp.GetRequiredService<IConfiguration>()[name]));
        builder.Services.TryAddSingleton(sp => new AwsCredentialSource(
            AwsCredentialSource.DefaultChain, sp.GetRequiredService<AwsEndpoints>(), sp.GetRequiredService<IOptions<AwsOptions>>().Value));
        // Time limits are the resilience pipeline's (per attempt), not HttpClient's.
        builder.Services.AddHttpClient(AwsClients.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddSingleton<AwsClients>();

        builder.Services.AddAwsPort<ICloudWatch>(AwsClients.CloudWatch, client => new AwsCloudWatch(client));
        builder.Services.AddAwsPort<IEcs>(AwsClients.Ecs, client => new AwsEcs(client));
        builder.Services.AddAwsPort<ICloudWatchLogs>(AwsClients.CloudWatchLogs, client => new AwsCloudWatchLogs(client));
        builder.Services.AddAwsPort<IRds>(AwsClients.Rds, client => new AwsRds(client));
        builder.Services.AddAwsPort<IElastiCache>(AwsClients.ElastiCache, client => new AwsElastiCache(client));
        builder.Services.AddAwsPort<ISecretsManager>(AwsClients.SecretsManager, client => new AwsSecretsManager(client));
        builder.Services.AddAwsPort<IEcr>(AwsClients.Ecr, client => new AwsEcr(client));
        // The write probe reads the canary's metrics through the environment's CloudWatch client
        // (the same retry budget and circuit breaker as the dashboards' calls).
        builder.Services.AddPlatformPort<IWriteProbe>(PlatformBackend.Aws, (provider, environment) => new AwsWriteProbe(
            new AwsCloudWatch(provider.GetRequiredService<AwsClients>().For(environment, AwsClients.CloudWatch)), provider.GetRequiredService<TimeProvider>()));
        builder.Services.AddPlatformPort<IDynamoDb>(PlatformBackend.Aws, (provider, environment) =>
        {
            var clients = provider.GetRequiredService<AwsClients>();
            var pipeline = clients.For(environment, AwsClients.DynamoDb);
            return new AwsDynamoDb(CreateDynamoDbClient(clients, environment, pipeline), pipeline);
        });
        builder.AddAwsAuditAnchorSink();
        return builder;
    }

    /// <summary>
    /// Replaces the File anchor sink when <c>Audit:AnchorSink</c> is CloudWatchLogs or S3. The
    /// portal's own credentials write to its own account (no environment role).
    /// </summary>
    private static void AddAwsAuditAnchorSink(this IHostApplicationBuilder builder)
    {
        var audit = builder.Configuration.GetSection(AuditOptions.SectionName).Get<AuditOptions>() ?? new AuditOptions();
        if (audit.AnchorSink is not (AuditAnchorSinkKind.CloudWatchLogs or AuditAnchorSinkKind.S3)
            || string.IsNullOrWhiteSpace(audit.AnchorRegion))
        {
            return; // File, or a configuration that AuditOptions' validation stops at start.
        }
        var anchorAccount = new PortalEnvironment("audit-anchors", "Audit anchors", PlatformBackend.Aws, false, new PlatformResources(), 0,
            new AwsEnvironmentOptions { AccountId = "the portal's account", Region = audit.AnchorRegion });
        if (audit.AnchorSink == AuditAnchorSinkKind.CloudWatchLogs)
        {
            builder.Services.AddSingleton<IAuditAnchorSink>(sp => new CloudWatchLogsAuditAnchorSink(
                sp.GetRequiredService<AwsClients>().For(anchorAccount, AwsClients.CloudWatchLogs),
                audit.AnchorLogGroup!,
                "anchors-" + sp.GetRequiredService<PortalInstance>().Id.Replace(':', '-')));
        }
        else
        {
            builder.Services.AddSingleton<IAuditAnchorSink>(sp =>
            {
                var clients = sp.GetRequiredService<AwsClients>();
                var config = new Amazon.S3.AmazonS3Config { RegionEndpoint = RegionEndpoint.GetBySystemName(audit.AnchorRegion) };
                if (clients.Endpoints.Override("S3") is { } endpoint)
                {
                    config.ServiceURL = endpoint.ToString();
                    config.ForcePathStyle = true;
                    config.AuthenticationRegion = audit.AnchorRegion;
                }
                return new S3AuditAnchorSink(new Amazon.S3.AmazonS3Client(clients.Credentials.For(anchorAccount), config),
                    audit.AnchorBucket!, audit.AnchorRetentionDays, sp.GetRequiredService<TimeProvider>());
            });
        }
    }

    /// <summary>Registers a port an Aws environment answers with the signed client of one service.</summary>
    public static IServiceCollection AddAwsPort<TPort>(this IServiceCollection services, string modelUid, Func<AwsServiceClient, TPort> create)
        where TPort : class =>
        services.AddPlatformPort(PlatformBackend.Aws,
            (provider, environment) => create(provider.GetRequiredService<AwsClients>().For(environment, modelUid)));

    private static AmazonDynamoDBClient CreateDynamoDbClient(AwsClients clients, PortalEnvironment environment, AwsServiceClient pipeline)
    {
        var region = environment.Aws!.Region;
        var config = new AmazonDynamoDBConfig
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(region),
            // The portal's pipeline retries (one budget and breaker per environment and service).
            MaxErrorRetry = 0,
        };
        if (clients.Endpoints.Override(pipeline.Model.ServiceId) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        return new AmazonDynamoDBClient(clients.Credentials.For(environment), config);
    }
}
