using Amazon.Runtime;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// The portal's Aws backend pointed at an <see cref="AwsTestEndpoint"/> through
/// <c>AWS_ENDPOINT_URL</c>, signing with the endpoint's test key and assuming a role per
/// environment, with retry delays short enough for tests.
/// </summary>
public sealed class AwsTestHarness : IAsyncDisposable
{
    public const string AccountId = "333333333333";
    public const string RoleArn = "arn:aws:iam::333333333333:role/fintech-prod-portal-access";

    private AwsTestHarness(AwsTestEndpoint endpoint, AwsOptions options, string? roleArn)
    {
        Endpoint = endpoint;
        Options = options;
        var endpoints = new AwsEndpoints(name => name == "AWS_ENDPOINT_URL" ? endpoint.Url.ToString() : null);
        Credentials = new AwsCredentialSource(
            () => new BasicAWSCredentials(AwsTestEndpoint.AccessKey, AwsTestEndpoint.SecretKey), endpoints, options);
        Clients = new AwsClients(new SingleHttpClientFactory(), Credentials, endpoints, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System);
        Environment = new PortalEnvironment("prod", "Production", PlatformBackend.Aws, true, new PlatformResources(), 0,
            new AwsEnvironmentOptions { AccountId = AccountId, Region = AwsTestEndpoint.Region, RoleArn = roleArn });
    }

    public AwsTestEndpoint Endpoint { get; }
    public AwsOptions Options { get; }
    public AwsCredentialSource Credentials { get; }
    public AwsClients Clients { get; }
    public PortalEnvironment Environment { get; }

    public static AwsOptions FastOptions() => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
        AttemptTimeout = TimeSpan.FromSeconds(2),
    };

    public static async Task<AwsTestHarness> StartAsync(AwsOptions? options = null, string? roleArn = RoleArn) =>
        new(await AwsTestEndpoint.StartAsync(), options ?? FastOptions(), roleArn);

    public AwsServiceClient Client(string model) => Clients.For(Environment, model);

    public ValueTask DisposeAsync() => Endpoint.DisposeAsync();

    private sealed class SingleHttpClientFactory : IHttpClientFactory
    {
        private readonly HttpClient _client = new() { Timeout = Timeout.InfiniteTimeSpan };

        public HttpClient CreateClient(string name) => _client;
    }
}
