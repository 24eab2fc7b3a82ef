using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using CloudWatchLogs = FinTech.Portal.Platform.CloudWatchLogs;
using Ecs = FinTech.Portal.Platform.Ecs;
using ElastiCache = FinTech.Portal.Platform.ElastiCache;
using Microsoft.Extensions.Time.Testing;
using Ecr = FinTech.Portal.Platform.Ecr;
using Rds = FinTech.Portal.Platform.Rds;
using SecretsManager = FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// Every operation the portal sends, serialized by the portal and by the AWS SDK for JavaScript
/// v2 (npm aws-sdk@2, installed by test.sh into Aws/jssdk) from the same parameters: the query
/// parameters (awsQuery) or the JSON and target (awsJson) must be the same.
/// </summary>
public sealed class AwsSdkJsDifferentialTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly (string JsService, string Model, string Operation, object Request)[] Cases =
    [
        ("CloudWatch", AwsClients.CloudWatch, "GetMetricData", new GetMetricDataRequest
        {
            MetricDataQueries =
            [
                MetricDataQuery.ForMetric("m0", new Metric("AWS/ApplicationELB", "TargetResponseTime",
                    [new Dimension("LoadBalancer", "app/fintech-prod-api/0123"), new Dimension("TargetGroup", "targetgroup/fintech-prod-api/4567")]), Statistic.P99, 60, "p99 latency"),
                MetricDataQuery.ForMetric("m1", new Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", []), Statistic.Sum, 300) with { ReturnData = false },
                new MetricDataQuery { Id = "e1", Expression = "100*FILL(m1,0)/m2", Label = "5xx %", Period = 300 },
            ],
            StartTime = Start,
            EndTime = Start.AddHours(3),
            ScanBy = ScanBy.TimestampAscending,
            NextToken = "token/with+odd=chars",
            MaxDatapoints = 100_800,
        }),
        ("CloudWatch", AwsClients.CloudWatch, "DescribeAlarms", new DescribeAlarmsRequest
        {
            AlarmNamePrefix = "fintech-prod-", AlarmTypes = [AlarmType.MetricAlarm, AlarmType.CompositeAlarm], StateValue = StateValue.InsufficientData, MaxRecords = 100, NextToken = "n",
        }),
        ("ECS", AwsClients.Ecs, "DescribeServices", new Ecs.DescribeServicesRequest { Cluster = "fintech-prod", Services = ["fintech-prod-api", "fintech-prod-portal"] }),
        ("RDS", AwsClients.Rds, "DescribeDBClusters", new Rds.DescribeDBClustersRequest { DBClusterIdentifier = "fintech-prod-aurora", MaxRecords = 20, Marker = "m" }),
        ("RDS", AwsClients.Rds, "FailoverDBCluster", new Rds.FailoverDBClusterRequest { DBClusterIdentifier = "fintech-prod-aurora", TargetDBInstanceIdentifier = "fintech-prod-aurora-2" }),
        ("RDS", AwsClients.Rds, "DescribeEvents", new Rds.DescribeEventsRequest
        {
            SourceIdentifier = "fintech-prod-aurora", SourceType = Rds.SourceType.DbCluster, StartTime = Start, EndTime = Start.AddMinutes(30), EventCategories = ["failover"], MaxRecords = 100,
        }),
        ("ElastiCache", AwsClients.ElastiCache, "DescribeReplicationGroups", new ElastiCache.DescribeReplicationGroupsRequest { ReplicationGroupId = "fintech-prod-redis", MaxRecords = 20 }),
        ("ElastiCache", AwsClients.ElastiCache, "TestFailover", new ElastiCache.TestFailoverRequest { ReplicationGroupId = "fintech-prod-redis", NodeGroupId = "0001" }),
        ("ElastiCache", AwsClients.ElastiCache, "DescribeEvents", new ElastiCache.DescribeEventsRequest { SourceIdentifier = "fintech-prod-redis", SourceType = ElastiCache.SourceType.ReplicationGroup, Duration = 60 }),
        ("CloudWatchLogs", AwsClients.CloudWatchLogs, "StartQuery", new CloudWatchLogs.StartQueryRequest(["/ecs/fintech-prod-api"], 1764590400, 1764594000, "fields @timestamp, @message | filter @message like /ERROR/ | limit 20", 20)),
        ("CloudWatchLogs", AwsClients.CloudWatchLogs, "GetQueryResults", new CloudWatchLogs.GetQueryResultsRequest("q-1")),
        ("CloudWatchLogs", AwsClients.CloudWatchLogs, "StopQuery", new CloudWatchLogs.StopQueryRequest("q-1")),
        ("CloudWatchLogs", AwsClients.CloudWatchLogs, "DescribeLogGroups", new CloudWatchLogs.DescribeLogGroupsRequest("/ecs/", 50)),
        ("CloudWatchLogs", AwsClients.CloudWatchLogs, "FilterLogEvents", new CloudWatchLogs.FilterLogEventsRequest("/ecs/fintech-prod-api", 1764590400000, 1764594000000, "ERROR", 100, "t")),
        ("ECS", AwsClients.Ecs, "DescribeTaskDefinition", new Ecs.DescribeTaskDefinitionRequest { TaskDefinition = "fintech-prod-api:42", Include = ["TAGS"] }),
        ("ECS", AwsClients.Ecs, "RegisterTaskDefinition", Ecs.RegisterTaskDefinitionRequest.WithImage(
            AwsEcsContractTests.TaskDefinitionRecord(42, "333333333333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api@sha256:aaa"), "api",
            "333333333333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api@sha256:bbb") with { Tags = [new Ecs.Tag { Key = "deployed-by", Value = "portal" }] }),
        ("ECS", AwsClients.Ecs, "UpdateService", new Ecs.UpdateServiceRequest
        {
            Cluster = "fintech-prod", Service = "fintech-prod-api", TaskDefinition = "fintech-prod-api:43", DesiredCount = 3,
            DeploymentConfiguration = new Ecs.DeploymentConfiguration
            {
                DeploymentCircuitBreaker = new Ecs.DeploymentCircuitBreaker { Enable = true, Rollback = true }, MaximumPercent = 200, MinimumHealthyPercent = 100,
            },
        }),
        ("ECS", AwsClients.Ecs, "UpdateService", new Ecs.UpdateServiceRequest { Cluster = "fintech-prod", Service = "fintech-prod-api", ForceNewDeployment = true }),
        ("SecretsManager", AwsClients.SecretsManager, "ListSecrets", new SecretsManager.ListSecretsRequest
        {
            MaxResults = 100, NextToken = "n", Filters = [new SecretsManager.SecretsFilter("name", ["fintech/prod/", "rds!cluster-"]), new SecretsManager.SecretsFilter("tag-key", ["env"])],
        }),
        ("SecretsManager", AwsClients.SecretsManager, "DescribeSecret", new SecretsManager.DescribeSecretRequest { SecretId = "fintech/prod/api-key" }),
        ("SecretsManager", AwsClients.SecretsManager, "RotateSecret", new SecretsManager.RotateSecretRequest
        {
            SecretId = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:fintech/prod/api-key-AbCdEf", ClientRequestToken = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", RotateImmediately = true,
        }),
    ];

    /// <summary>Operations whose adapter builds the wire input itself (ECR's nested filter and configuration), by calling it against a recorder.</summary>
    private static readonly (string JsService, string Model, string Operation, Func<AwsServiceClient, Task> Call)[] AdapterCases =
    [
        ("ECR", AwsClients.Ecr, "DescribeImages", client => new AwsEcr(client).DescribeImagesAsync(new Ecr.DescribeImagesRequest
        {
            RepositoryName = "fintech/api", RegistryId = "333333333333", TagStatus = "TAGGED", MaxResults = 100, NextToken = "n",
        })),
        ("ECR", AwsClients.Ecr, "DescribeImages", client => new AwsEcr(client).DescribeImagesAsync(new Ecr.DescribeImagesRequest
        {
            RepositoryName = "fintech/api", ImageIds = [new Ecr.ImageIdentifier { ImageDigest = "sha256:aaa" }, new Ecr.ImageIdentifier { ImageTag = "v1.46.0" }],
        })),
        ("ECR", AwsClients.Ecr, "DescribeRepositories", client => new AwsEcr(client).DescribeRepositoriesAsync(new Ecr.DescribeRepositoriesRequest
        {
            RepositoryNames = ["fintech/api", "fintech/portal"], MaxResults = 10,
        })),
        ("CloudWatch", AwsClients.CloudWatch, "GetMetricData", client => new AwsWriteProbe(new AwsCloudWatch(client), new FakeTimeProvider(Start.AddMinutes(5)))
            .GetWriteProbeSamplesAsync(new WriteProbeRequest(WriteProbeTarget.AuroraWriter, Start, Start.AddMinutes(2)))),
        ("CloudWatch", AwsClients.CloudWatch, "PutMetricData", client => new FinTech.Portal.WriteProbe.WriteProbeCanary(
                [new ScriptedProbeWriter(WriteProbeTarget.AuroraWriter, fails: false), new ScriptedProbeWriter(WriteProbeTarget.RedisPrimary, fails: true)],
                client, Microsoft.Extensions.Options.Options.Create(new FinTech.Portal.WriteProbe.WriteProbeCanaryOptions()), new FakeTimeProvider(Start),
                Microsoft.Extensions.Logging.Abstractions.NullLogger<FinTech.Portal.WriteProbe.WriteProbeCanary>.Instance)
            .ProbeOnceAsync(CancellationToken.None)),
    ];

    /// <summary>A probe target that answers at once, as told: only the canary's wire input matters here.</summary>
    private sealed class ScriptedProbeWriter(WriteProbeTarget target, bool fails) : FinTech.Portal.WriteProbe.IProbeWriter
    {
        public WriteProbeTarget Target => target;

        public Task WriteAsync(CancellationToken cancellationToken) =>
            fails ? Task.FromException(new IOException("READONLY You can't write against a read only replica.")) : Task.CompletedTask;
    }

    [Fact]
    public async Task The_portal_and_the_JavaScript_SDK_send_the_same_parameters_for_every_operation()
    {
        var portal = Cases.Select(c => Portal(c.Model, c.Operation, c.Request)).ToList();
        var js = await SerializeWithJsSdkAsync(Cases.Select(c => new JsonObject
        {
            ["service"] = c.JsService,
            ["operation"] = c.Operation,
            ["params"] = Portal(c.Model, c.Operation, c.Request).Input,
        }));

        for (var i = 0; i < Cases.Length; i++)
        {
            var (_, model, operation, _) = Cases[i];
            var jsBody = (string)js[i]!["body"]!;
            if (AwsServiceModel.Load(model).Protocol == "query")
            {
                Assert.Equal(FormPairs(jsBody), FormPairs(portal[i].Body));
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(jsBody), JsonNode.Parse(portal[i].Body)), $"{operation}: JS {jsBody} vs portal {portal[i].Body}");
                Assert.Equal((string?)js[i]!["target"], AwsJsonProtocol.Target(AwsServiceModel.Load(model).Operation(operation)));
            }
        }
    }

    [Fact]
    public async Task The_adapters_that_build_their_own_wire_input_send_what_the_JavaScript_SDK_sends()
    {
        var portal = new List<(string Body, string? Target, JsonObject Params)>();
        foreach (var (_, model, operation, call) in AdapterCases)
        {
            var recorder = new RecordingHandler(model);
            await call(RecordingClient(model, recorder));
            var (body, target) = Assert.Single(recorder.Requests);
            var testModel = AwsTestModel.Load(model);
            var problems = new List<string>();
            // The parameters as the model names them, read back from the wire by the test endpoint's own reader.
            var parameters = testModel.Protocol == "query"
                ? testModel.ReadQuery(operation, FormPairs(body).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal), problems)
                : testModel.ReadJson(operation, JsonNode.Parse(body), problems);
            Assert.Empty(problems);
            portal.Add((body, target, parameters));
        }
        var js = await SerializeWithJsSdkAsync(AdapterCases.Select((c, i) => new JsonObject
        {
            ["service"] = c.JsService,
            ["operation"] = c.Operation,
            ["params"] = portal[i].Params.DeepClone(),
        }));

        for (var i = 0; i < AdapterCases.Length; i++)
        {
            var jsBody = (string)js[i]!["body"]!;
            if (AwsServiceModel.Load(AdapterCases[i].Model).Protocol == "query")
            {
                Assert.Equal(FormPairs(jsBody), FormPairs(portal[i].Body));
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(jsBody), JsonNode.Parse(portal[i].Body)), $"{AdapterCases[i].Operation}: JS {jsBody} vs portal {portal[i].Body}");
                Assert.Equal((string?)js[i]!["target"], portal[i].Target);
            }
        }
    }

    /// <summary>A client of <paramref name="model"/> whose requests go to <paramref name="handler"/> instead of the network.</summary>
    private static AwsServiceClient RecordingClient(string model, RecordingHandler handler) => new(
        AwsServiceModel.Load(model),
        new AwsCaller("prod", "333333333333", "eu-west-1", null),
        new Uri("https://recorder.invalid/"),
        new HttpClient(handler),
        new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret"),
        new AwsOptions(),
        TimeProvider.System);

    /// <summary>Keeps each request's body and target and answers with an empty reply of the operation.</summary>
    private sealed class RecordingHandler(string model) : HttpMessageHandler
    {
        public List<(string Body, string? Target)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.Single() : null;
            Requests.Add((body, target));
            var reply = AwsServiceModel.Load(model).Protocol == "query"
                ? AwsTestModel.Load(model).WriteQueryReply(body.Split('&').First(p => p.StartsWith("Action=", StringComparison.Ordinal))["Action=".Length..], [], "r-1")
                : "{}";
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(reply) };
        }
    }

    /// <summary>What the portal's client sends for a request record: its aligned input and the body.</summary>
    private static (JsonObject Input, string Body) Portal(string modelUid, string operationName, object request)
    {
        var model = AwsServiceModel.Load(modelUid);
        var operation = model.Operation(operationName);
        var input = (JsonObject)JsonSerializer.SerializeToNode(request, request.GetType(), AwsServiceClient.Json)!;
        AwsMemberNames.Align(operation.Input!.Value, input);
        var body = model.Protocol == "query"
            ? AwsQueryProtocol.FormBody(AwsQueryProtocol.Serialize(operation, input))
            : AwsJsonProtocol.Serialize(operation, input);
        return (input, body);
    }

    private static List<string> FormPairs(string body) =>
        body.Split('&').Select(p => p.Split('=', 2)).Select(p => $"{Uri.UnescapeDataString(p[0])}={Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")}").Order(StringComparer.Ordinal).ToList();

    /// <summary>FinTech.Portal.Tests/Aws/jssdk in the source tree above the test binaries.</summary>
    private static string JsSdkFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "FinTech.Portal.Tests", "Aws", "jssdk");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("FinTech.Portal.Tests/Aws/jssdk is not above the test binaries.");
    }

    private static async Task<JsonArray> SerializeWithJsSdkAsync(IEnumerable<JsonObject> cases)
    {
        var folder = JsSdkFolder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "aws-sdk")), $"aws-sdk@2 is not installed in {folder}: run ./test.sh (it runs npm ci there).");
        var start = new ProcessStartInfo("node", "serialize.mjs")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        await node.StandardInput.WriteAsync(new JsonArray(cases.Select(c => (JsonNode)c).ToArray()).ToJsonString());
        node.StandardInput.Close();
        var output = await node.StandardOutput.ReadToEndAsync();
        var errors = await node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync();
        Assert.True(node.ExitCode == 0, errors);
        return JsonNode.Parse(output)!.AsArray();
    }
}
