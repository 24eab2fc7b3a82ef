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
using Rds = FinTech.Portal.Platform.Rds;

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
    ];

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
