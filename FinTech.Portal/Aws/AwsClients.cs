using System.Collections.Concurrent;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Aws;

/// <summary>
/// The signed clients of every (environment, service), created on first use and kept, so each
/// pair has one retry budget and one circuit breaker. Creating a client does no I/O.
/// </summary>
public sealed class AwsClients(
    IHttpClientFactory httpClients,
    AwsCredentialSource credentials,
    AwsEndpoints endpoints,
    IOptions<AwsOptions> options,
    TimeProvider time)
{
    /// <summary>The named HttpClient every AWS call goes through.</summary>
    public const string HttpClientName = "aws";

    public const string CloudWatch = "monitoring-2010-08-01";
    public const string CloudWatchLogs = "logs-2014-03-28";
    public const string Ecs = "ecs-2014-11-13";
    public const string Rds = "rds-2014-10-31";
    public const string ElastiCache = "elasticache-2015-02-02";
    public const string ElasticLoadBalancingV2 = "elasticloadbalancingv2-2015-12-01";
    public const string SecretsManager = "secretsmanager-2017-10-17";
    public const string Ecr = "ecr-2015-09-21";
    public const string DynamoDb = "dynamodb-2012-08-10";

    private readonly ConcurrentDictionary<(string Environment, string Model), AwsServiceClient> _clients = new();

    public AwsCredentialSource Credentials => credentials;

    public AwsEndpoints Endpoints => endpoints;

    public AwsServiceClient For(PortalEnvironment environment, string modelUid) =>
        _clients.GetOrAdd((environment.Key, modelUid), key =>
        {
            var aws = environment.Aws ?? throw new InvalidOperationException($"Environment '{environment.Key}' has no Aws section.");
            var model = AwsServiceModel.Load(key.Model);
            return new AwsServiceClient(
                model,
                new AwsCaller(environment.Key, aws.AccountId, aws.Region, aws.RoleArn),
                endpoints.For(model.ServiceId, model.EndpointPrefix, aws.Region),
                httpClients.CreateClient(HttpClientName),
                credentials.For(environment),
                options.Value,
                time);
        });
}
