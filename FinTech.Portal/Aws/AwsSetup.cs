using Amazon;
using Amazon.DynamoDBv2;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.Rds;
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
        builder.Services.TryAddSingleton(_ => AwsEndpoints.FromProcess());
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
        builder.Services.AddPlatformPort<IDynamoDb>(PlatformBackend.Aws, (provider, environment) =>
        {
            var clients = provider.GetRequiredService<AwsClients>();
            var pipeline = clients.For(environment, AwsClients.DynamoDb);
            return new AwsDynamoDb(CreateDynamoDbClient(clients, environment, pipeline), pipeline);
        });
        return builder;
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
