using System.Net;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using AmazonDynamoDBClient = Amazon.DynamoDBv2.AmazonDynamoDBClient;
using AmazonDynamoDBConfig = Amazon.DynamoDBv2.AmazonDynamoDBConfig;
using Rds = FinTech.Portal.Platform.Rds;
using ElastiCache = FinTech.Portal.Platform.ElastiCache;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// Every adapter operation over real HTTP against <see cref="AwsTestEndpoint"/>, which checks the
/// signature independently and the body against the published model; the role is assumed through
/// the endpoint's STS first. Each test also asserts that nothing was rejected.
/// </summary>
public sealed class AwsContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private AwsTestHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsTestHarness.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.Empty(_aws.Endpoint.Rejections);
        await _aws.DisposeAsync();
    }

    private AwsCloudWatch CloudWatch => new(_aws.Client(AwsClients.CloudWatch));

    [Fact]
    public async Task GetMetricData_pages_with_NextToken_and_joins_each_query_in_ascending_order()
    {
        _aws.Endpoint.On(AwsClients.CloudWatch, "GetMetricData", input =>
        {
            Assert.Equal("TimestampAscending", (string?)input["ScanBy"]);
            var page = (string?)input["NextToken"] is null ? 0 : 1;
            return new JsonObject
            {
                ["MetricDataResults"] = new JsonArray(new JsonObject
                {
                    ["Id"] = "m0",
                    ["Label"] = "TargetResponseTime",
                    ["Timestamps"] = new JsonArray(Start.AddMinutes(2 * page).ToString("O"), Start.AddMinutes(2 * page + 1).ToString("O")),
                    ["Values"] = new JsonArray(0.1 + page, 0.2 + page),
                    ["StatusCode"] = page == 0 ? "PartialData" : "Complete",
                }),
                ["NextToken"] = page == 0 ? "page-2" : null,
            };
        });
        var request = new GetMetricDataRequest
        {
            MetricDataQueries = [MetricDataQuery.ForMetric("m0",
                new Metric("AWS/ApplicationELB", "TargetResponseTime", [new Dimension("LoadBalancer", "app/fintech-prod-api/0123"), new Dimension("TargetGroup", "targetgroup/fintech-prod-api/4567")]),
                Statistic.P99, 60)],
            StartTime = Start,
            EndTime = Start.AddMinutes(4),
            ScanBy = ScanBy.TimestampAscending,
        };

        var response = await CloudWatch.GetAllMetricDataAsync(request);

        var result = Assert.Single(response.MetricDataResults);
        Assert.Equal([Start, Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3)], result.Timestamps);
        Assert.Equal([0.1, 0.2, 1.1, 1.2], result.Values);
        Assert.Equal(StatusCode.Complete, result.StatusCode);
        var calls = _aws.Endpoint.CallsOf("GetMetricData");
        Assert.Equal(2, calls.Count);
        Assert.Equal("p99", (string?)calls[0].Input["MetricDataQueries"]![0]!["MetricStat"]!["Stat"]);
        Assert.Equal("page-2", (string?)calls[1].Input["NextToken"]);
    }

    [Fact]
    public async Task GetMetricData_refuses_more_than_500_queries_in_one_call()
    {
        var queries = Enumerable.Range(0, 501).Select(i => new MetricDataQuery { Id = $"e{i}", Expression = "SUM(METRICS())", Period = 60 }).ToList();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            CloudWatch.GetMetricDataAsync(new GetMetricDataRequest { MetricDataQueries = queries, StartTime = Start, EndTime = Start.AddHours(1) }));

        Assert.Contains("1 to 500 queries", error.Message, StringComparison.Ordinal);
        Assert.Empty(_aws.Endpoint.CallsOf("GetMetricData"));
    }

    [Fact]
    public async Task DescribeAlarms_returns_metric_math_and_composite_alarms_over_pages()
    {
        _aws.Endpoint.On(AwsClients.CloudWatch, "DescribeAlarms", input =>
        {
            Assert.Equal(["MetricAlarm", "CompositeAlarm"], input["AlarmTypes"]!.AsArray().Select(a => (string)a!));
            return (string?)input["NextToken"] is null
                ? new JsonObject
                {
                    ["MetricAlarms"] = new JsonArray(
                        new JsonObject
                        {
                            ["AlarmName"] = "fintech-prod-p99-latency", ["AlarmArn"] = "arn:aws:cloudwatch:eu-west-1:333333333333:alarm:fintech-prod-p99-latency",
                            ["StateValue"] = "ALARM", ["StateReason"] = "Threshold Crossed", ["StateUpdatedTimestamp"] = Start.ToString("O"),
                            ["Namespace"] = "AWS/ApplicationELB", ["MetricName"] = "TargetResponseTime", ["ExtendedStatistic"] = "p99",
                            ["Dimensions"] = new JsonArray(new JsonObject { ["Name"] = "LoadBalancer", ["Value"] = "app/fintech-prod-api/0123" }),
                            ["Period"] = 60, ["EvaluationPeriods"] = 5, ["DatapointsToAlarm"] = 3, ["Threshold"] = 1.5,
                            ["ComparisonOperator"] = "GreaterThanThreshold", ["TreatMissingData"] = "notBreaching",
                        },
                        new JsonObject
                        {
                            ["AlarmName"] = "fintech-prod-5xx-rate", ["AlarmArn"] = "arn:aws:cloudwatch:eu-west-1:333333333333:alarm:fintech-prod-5xx-rate",
                            ["StateValue"] = "OK", ["StateReason"] = "ok", ["StateUpdatedTimestamp"] = Start.ToString("O"),
                            ["EvaluationPeriods"] = 3, ["Threshold"] = 1.0, ["ComparisonOperator"] = "GreaterThanOrEqualToThreshold",
                            ["Metrics"] = new JsonArray(
                                new JsonObject { ["Id"] = "e1", ["Expression"] = "100*FILL(m1,0)/m2", ["ReturnData"] = true },
                                new JsonObject
                                {
                                    ["Id"] = "m1", ["ReturnData"] = false,
                                    ["MetricStat"] = new JsonObject
                                    {
                                        ["Metric"] = new JsonObject { ["Namespace"] = "AWS/ApplicationELB", ["MetricName"] = "HTTPCode_Target_5XX_Count", ["Dimensions"] = new JsonArray() },
                                        ["Period"] = 60, ["Stat"] = "Sum",
                                    },
                                }),
                        }),
                    ["CompositeAlarms"] = new JsonArray(),
                    ["NextToken"] = "next",
                }
                : new JsonObject
                {
                    ["MetricAlarms"] = new JsonArray(),
                    ["CompositeAlarms"] = new JsonArray(new JsonObject
                    {
                        ["AlarmName"] = "fintech-prod-degraded", ["AlarmArn"] = "arn:aws:cloudwatch:eu-west-1:333333333333:alarm:fintech-prod-degraded",
                        ["AlarmRule"] = "ALARM(\"fintech-prod-p99-latency\") OR ALARM(\"fintech-prod-5xx-rate\")",
                        ["StateValue"] = "ALARM", ["StateReason"] = "child alarm", ["StateUpdatedTimestamp"] = Start.ToString("O"),
                    }),
                };
        });

        var alarms = await CloudWatch.DescribeAllAlarmsAsync(new DescribeAlarmsRequest { AlarmTypes = [AlarmType.MetricAlarm, AlarmType.CompositeAlarm] });

        Assert.Equal(["fintech-prod-p99-latency", "fintech-prod-5xx-rate"], alarms.MetricAlarms.Select(a => a.AlarmName));
        var latency = alarms.MetricAlarms[0];
        Assert.Equal((StateValue.Alarm, "p99", 3, 1.5, TreatMissingData.NotBreaching, ComparisonOperator.GreaterThanThreshold),
            (latency.StateValue, latency.ExtendedStatistic, latency.DatapointsToAlarm, latency.Threshold, latency.TreatMissingData, latency.ComparisonOperator));
        var math = alarms.MetricAlarms[1];
        Assert.Equal(["AWS/ApplicationELB"], math.Namespaces);
        Assert.Equal(Statistic.Sum, math.Metrics[1].MetricStat!.Stat);
        Assert.False(math.Metrics[1].ReturnData);
        Assert.Equal("fintech-prod-degraded", Assert.Single(alarms.CompositeAlarms).AlarmName);
        Assert.Equal(2, _aws.Endpoint.CallsOf("DescribeAlarms").Count);
    }

    [Fact]
    public async Task Calls_are_signed_with_the_assumed_role_whose_session_names_the_environment()
    {
        await CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest());
        await CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest());

        var assume = Assert.Single(_aws.Endpoint.CallsOf("AssumeRole"));
        Assert.Equal(AwsTestHarness.RoleArn, (string?)assume.Input["RoleArn"]);
        Assert.Equal("fintech-portal-prod", (string?)assume.Input["RoleSessionName"]);
        Assert.Equal(AwsTestEndpoint.AccessKey, assume.AccessKey);
        Assert.All(_aws.Endpoint.CallsOf("DescribeAlarms"), call => Assert.StartsWith("ASIA", call.AccessKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescribeServices_reads_ECS_camelCase_members_into_the_port_records()
    {
        var ecs = new AwsEcs(_aws.Client(AwsClients.Ecs));

        var response = await ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = "fintech-prod", Services = ["ecs-simple-service"] });

        var service = Assert.Single(response.Services);
        Assert.Equal(("ecs-simple-service", "ACTIVE", 1, 0), (service.ServiceName, service.Status, service.DesiredCount, service.RunningCount));
        Assert.Equal(new DateTimeOffset(2016, 8, 29, 16, 25, 52, 130, TimeSpan.Zero), Assert.Single(service.Deployments).CreatedAt);
        var call = Assert.Single(_aws.Endpoint.CallsOf("DescribeServices"));
        Assert.Equal("fintech-prod", (string?)call.Input["cluster"]);
    }

    [Fact]
    public async Task DescribeDBClusters_pages_with_Marker_and_reads_the_members()
    {
        _aws.Endpoint.On(AwsClients.Rds, "DescribeDBClusters", input => new JsonObject
        {
            ["DBClusters"] = new JsonArray(Cluster((string?)input["Marker"] is null ? "fintech-prod-aurora" : "fintech-prod-aurora-clone", "available")),
            ["Marker"] = (string?)input["Marker"] is null ? "m2" : null,
        });
        var rds = new AwsRds(_aws.Client(AwsClients.Rds));

        var first = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { MaxRecords = 20 });
        var second = await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { MaxRecords = 20, Marker = first.Marker });

        Assert.Equal("m2", first.Marker);
        Assert.Null(second.Marker);
        var cluster = Assert.Single(first.DBClusters);
        Assert.Equal(["fintech-prod-aurora-1", "fintech-prod-aurora-2"], cluster.DBClusterMembers.Select(m => m.DBInstanceIdentifier));
        Assert.True(cluster.DBClusterMembers[0].IsClusterWriter);
        Assert.Equal(["eu-west-1a", "eu-west-1b"], cluster.AvailabilityZones);
    }

    [Fact]
    public async Task FailoverDBCluster_sends_the_target_and_types_RDS_faults()
    {
        var answers = new Queue<Func<JsonObject>>([
            () => new JsonObject { ["DBCluster"] = Cluster("fintech-prod-aurora", "failing-over") },
            () => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidDBClusterStateFault", "DbCluster fintech-prod-aurora is not in available state."),
            () => throw new AwsTestError(HttpStatusCode.NotFound, "DBClusterNotFoundFault", "DBCluster nope not found."),
        ]);
        _aws.Endpoint.On(AwsClients.Rds, "FailoverDBCluster", _ => answers.Dequeue()());
        var rds = new AwsRds(_aws.Client(AwsClients.Rds));
        var request = new FailoverDBClusterRequest { DBClusterIdentifier = "fintech-prod-aurora", TargetDBInstanceIdentifier = "fintech-prod-aurora-2" };

        var started = await rds.FailoverDBClusterAsync(request);
        var busy = await Assert.ThrowsAsync<InvalidDBClusterStateException>(() => rds.FailoverDBClusterAsync(request));
        var missing = await Assert.ThrowsAsync<DBClusterNotFoundException>(() => rds.FailoverDBClusterAsync(request with { DBClusterIdentifier = "nope" }));

        Assert.Equal("failing-over", started.DBCluster.Status);
        Assert.Equal(("InvalidDBClusterStateFault", HttpStatusCode.BadRequest), (busy.ErrorCode, busy.StatusCode));
        Assert.Contains("RDS rejected FailoverDBCluster for 'prod'", missing.Message, StringComparison.Ordinal);
        Assert.Equal("fintech-prod-aurora-2", (string?)_aws.Endpoint.CallsOf("FailoverDBCluster")[0].Input["TargetDBInstanceIdentifier"]);
    }

    [Fact]
    public async Task RDS_DescribeEvents_recognises_the_failover_events_by_their_message()
    {
        _aws.Endpoint.On(AwsClients.Rds, "DescribeEvents", _ => new JsonObject
        {
            ["Events"] = new JsonArray(
                RdsEvent("Started cross AZ failover to DB instance: fintech-prod-aurora-2", Start),
                RdsEvent("Completed failover to DB instance: fintech-prod-aurora-2", Start.AddSeconds(35)),
                RdsEvent("DB cluster parameter group modified", Start.AddSeconds(40))),
        });
        var rds = new AwsRds(_aws.Client(AwsClients.Rds));

        var response = await rds.DescribeEventsAsync(new Rds.DescribeEventsRequest
        {
            SourceIdentifier = "fintech-prod-aurora", SourceType = Rds.SourceType.DbCluster, StartTime = Start, EndTime = Start.AddMinutes(5),
        });

        Assert.Equal([RdsEventIds.FailoverStarted, RdsEventIds.FailoverCompleted, null], response.Events.Select(e => e.EventId));
        Assert.Equal(Start.AddSeconds(35), response.Events[1].Date);
    }

    [Fact]
    public async Task ElastiCache_operations_round_trip_and_type_their_faults()
    {
        _aws.Endpoint.On(AwsClients.ElastiCache, "DescribeReplicationGroups", _ => new JsonObject { ["ReplicationGroups"] = new JsonArray(ReplicationGroup("available")), ["Marker"] = "more" });
        _aws.Endpoint.On(AwsClients.ElastiCache, "TestFailover", input => (string?)input["NodeGroupId"] == "0001"
            ? new JsonObject { ["ReplicationGroup"] = ReplicationGroup("modifying") }
            : throw new AwsTestError(HttpStatusCode.NotFound, "NodeGroupNotFoundFault", "Node group 0009 not found."));
        _aws.Endpoint.On(AwsClients.ElastiCache, "DescribeEvents", _ => new JsonObject
        {
            ["Events"] = new JsonArray(new JsonObject { ["SourceIdentifier"] = "fintech-prod-redis", ["SourceType"] = "replication-group", ["Message"] = "Test Failover API called for node group 0001", ["Date"] = Start.ToString("O") }),
        });
        var cache = new AwsElastiCache(_aws.Client(AwsClients.ElastiCache));

        var groups = await cache.DescribeReplicationGroupsAsync(new DescribeReplicationGroupsRequest { ReplicationGroupId = "fintech-prod-redis" });
        var failover = await cache.TestFailoverAsync(new TestFailoverRequest { ReplicationGroupId = "fintech-prod-redis", NodeGroupId = "0001" });
        var missing = await Assert.ThrowsAsync<NodeGroupNotFoundException>(() =>
            cache.TestFailoverAsync(new TestFailoverRequest { ReplicationGroupId = "fintech-prod-redis", NodeGroupId = "0009" }));
        var events = await cache.DescribeEventsAsync(new ElastiCache.DescribeEventsRequest { SourceIdentifier = "fintech-prod-redis", SourceType = ElastiCache.SourceType.ReplicationGroup, Duration = 60 });

        Assert.Equal("more", groups.Marker);
        var group = Assert.Single(groups.ReplicationGroups);
        Assert.Equal(["primary", "replica"], group.NodeGroups.Single().NodeGroupMembers.Select(m => m.CurrentRole));
        Assert.Equal(("enabled", "enabled"), (group.AutomaticFailover, group.MultiAZ));
        Assert.Equal("modifying", failover.ReplicationGroup.Status);
        Assert.Equal("NodeGroupNotFoundFault", missing.ErrorCode);
        Assert.Equal(Start, Assert.Single(events.Events).Date);
    }

    [Fact]
    public async Task DynamoDB_calls_go_through_AWSSDK_DynamoDBv2_signed_with_the_assumed_role()
    {
        _aws.Endpoint.On("dynamodb-2012-08-10", "DescribeContinuousBackups", _ => new JsonObject
        {
            ["ContinuousBackupsDescription"] = new JsonObject
            {
                ["ContinuousBackupsStatus"] = "ENABLED",
                ["PointInTimeRecoveryDescription"] = new JsonObject { ["PointInTimeRecoveryStatus"] = "ENABLED", ["LatestRestorableDateTime"] = Start.ToString("O") },
            },
        });
        var client = _aws.Client(AwsClients.DynamoDb);
        var sdk = new AmazonDynamoDBClient(_aws.Credentials.For(_aws.Environment),
            new AmazonDynamoDBConfig { ServiceURL = _aws.Endpoint.Url.ToString(), AuthenticationRegion = AwsTestEndpoint.Region, MaxErrorRetry = 0 });
        var dynamo = new AwsDynamoDb(sdk, client);

        var table = await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = "Music" });
        var backups = await dynamo.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = "fintech-prod-sessions" });

        Assert.Equal(("Music", "ACTIVE", 0L), (table.Table.TableName, table.Table.TableStatus, table.Table.ItemCount));
        Assert.Equal("ENABLED", backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus);
        Assert.Equal(Start, backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.LatestRestorableDateTime);
        Assert.All(_aws.Endpoint.Calls.Where(c => c.Service.StartsWith("dynamodb", StringComparison.Ordinal)),
            call => Assert.StartsWith("ASIA", call.AccessKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_Insights_queries_and_filtered_events_round_trip_in_camelCase_JSON()
    {
        _aws.Endpoint.On(AwsClients.CloudWatchLogs, "StartQuery", input =>
        {
            Assert.Equal(["/ecs/fintech-prod-api"], input["logGroupNames"]!.AsArray().Select(g => (string)g!));
            return new JsonObject { ["queryId"] = "q-1" };
        });
        _aws.Endpoint.On(AwsClients.CloudWatchLogs, "GetQueryResults", _ => new JsonObject
        {
            ["status"] = "Complete",
            ["results"] = new JsonArray(new JsonArray(new JsonObject { ["field"] = "@message", ["value"] = "GET /payments 500" })),
            ["statistics"] = new JsonObject { ["recordsMatched"] = 1.0, ["recordsScanned"] = 10.0, ["bytesScanned"] = 512.0 },
        });
        _aws.Endpoint.On(AwsClients.CloudWatchLogs, "FilterLogEvents", input => new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject { ["logStreamName"] = "api/1", ["timestamp"] = 1764590400000, ["message"] = "boom", ["ingestionTime"] = 1764590400100, ["eventId"] = "e1" }),
            ["nextToken"] = (string?)input["nextToken"] is null ? "t2" : null,
        });
        _aws.Endpoint.On(AwsClients.CloudWatchLogs, "StopQuery", _ => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidParameterException", "Query q-1 is not running."));
        var logs = new AwsCloudWatchLogs(_aws.Client(AwsClients.CloudWatchLogs));

        var started = await logs.StartQueryAsync(new FinTech.Portal.Platform.CloudWatchLogs.StartQueryRequest(["/ecs/fintech-prod-api"], 1764590400, 1764594000, "fields @message | limit 20"), default);
        var results = await logs.GetQueryResultsAsync(new FinTech.Portal.Platform.CloudWatchLogs.GetQueryResultsRequest(started.QueryId), default);
        var first = await logs.FilterLogEventsAsync(new FinTech.Portal.Platform.CloudWatchLogs.FilterLogEventsRequest("/ecs/fintech-prod-api", FilterPattern: "ERROR"), default);
        var second = await logs.FilterLogEventsAsync(new FinTech.Portal.Platform.CloudWatchLogs.FilterLogEventsRequest("/ecs/fintech-prod-api", NextToken: first.NextToken), default);
        var stop = await Assert.ThrowsAsync<FinTech.Portal.Platform.CloudWatchLogs.InvalidLogsRequestException>(() =>
            logs.StopQueryAsync(new FinTech.Portal.Platform.CloudWatchLogs.StopQueryRequest("q-1"), default));

        Assert.Equal("q-1", started.QueryId);
        Assert.Equal(FinTech.Portal.Platform.CloudWatchLogs.QueryStatus.Complete, results.Status);
        Assert.Equal("GET /payments 500", results.Results.Single().Single().Value);
        Assert.Equal(10, results.Statistics.RecordsScanned);
        Assert.Equal(("t2", null, 1764590400000L), (first.NextToken, second.NextToken, first.Events.Single().Timestamp));
        Assert.Equal("InvalidParameterException", stop.ErrorCode);
    }

    [Fact]
    public async Task Access_denied_says_which_role_lacks_which_action()
    {
        _aws.Endpoint.On(AwsClients.CloudWatch, "GetMetricData", _ =>
            throw new AwsTestError(HttpStatusCode.Forbidden, "AccessDenied", "User is not authorized to perform: cloudwatch:GetMetricData"));

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => CloudWatch.GetMetricDataAsync(new GetMetricDataRequest
        {
            MetricDataQueries = [new MetricDataQuery { Id = "e1", Expression = "SUM(METRICS())", Period = 60 }],
            StartTime = Start,
            EndTime = Start.AddHours(1),
        }));

        Assert.StartsWith("CloudWatch denied GetMetricData: the role fintech-prod-portal-access in 333333333333 lacks cloudwatch:GetMetricData", error.Message, StringComparison.Ordinal);
        Assert.Single(_aws.Endpoint.CallsOf("GetMetricData"));
    }

    [Fact]
    public async Task A_role_the_portal_may_not_assume_is_reported_with_what_to_fix()
    {
        _aws.Endpoint.On("sts-2011-06-15", "AssumeRole", _ =>
            throw new AwsTestError(HttpStatusCode.Forbidden, "AccessDenied", "not authorized to perform sts:AssumeRole"));

        var error = await Assert.ThrowsAsync<PlatformUnavailableException>(() => CloudWatch.DescribeAlarmsAsync(new DescribeAlarmsRequest()));

        Assert.StartsWith($"STS denied AssumeRole into {AwsTestHarness.RoleArn} for environment 'prod'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_aws.Endpoint.CallsOf("DescribeAlarms"));
    }

    private static JsonObject Cluster(string id, string status) => new()
    {
        ["DBClusterIdentifier"] = id,
        ["DBClusterArn"] = $"arn:aws:rds:eu-west-1:333333333333:cluster:{id}",
        ["Engine"] = "aurora-postgresql",
        ["EngineVersion"] = "16.4",
        ["Status"] = status,
        ["MultiAZ"] = true,
        ["Endpoint"] = $"{id}.cluster-abc.eu-west-1.rds.amazonaws.com",
        ["ReaderEndpoint"] = $"{id}.cluster-ro-abc.eu-west-1.rds.amazonaws.com",
        ["AvailabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1b"),
        ["DBClusterMembers"] = new JsonArray(
            new JsonObject { ["DBInstanceIdentifier"] = "fintech-prod-aurora-1", ["IsClusterWriter"] = true, ["PromotionTier"] = 1, ["DBClusterParameterGroupStatus"] = "in-sync" },
            new JsonObject { ["DBInstanceIdentifier"] = "fintech-prod-aurora-2", ["IsClusterWriter"] = false, ["PromotionTier"] = 1, ["DBClusterParameterGroupStatus"] = "in-sync" }),
    };

    private static JsonObject RdsEvent(string message, DateTimeOffset date) => new()
    {
        ["SourceIdentifier"] = "fintech-prod-aurora",
        ["SourceType"] = "db-cluster",
        ["Message"] = message,
        ["EventCategories"] = new JsonArray("failover"),
        ["Date"] = date.ToString("O"),
        ["SourceArn"] = "arn:aws:rds:eu-west-1:333333333333:cluster:fintech-prod-aurora",
    };

    private static JsonObject ReplicationGroup(string status) => new()
    {
        ["ReplicationGroupId"] = "fintech-prod-redis",
        ["ARN"] = "arn:aws:elasticache:eu-west-1:333333333333:replicationgroup:fintech-prod-redis",
        ["Description"] = "sessions and cache",
        ["Status"] = status,
        ["MemberClusters"] = new JsonArray("fintech-prod-redis-001", "fintech-prod-redis-002"),
        ["NodeGroups"] = new JsonArray(new JsonObject
        {
            ["NodeGroupId"] = "0001",
            ["Status"] = status,
            ["NodeGroupMembers"] = new JsonArray(
                new JsonObject { ["CacheClusterId"] = "fintech-prod-redis-001", ["CacheNodeId"] = "0001", ["PreferredAvailabilityZone"] = "eu-west-1a", ["CurrentRole"] = "primary" },
                new JsonObject { ["CacheClusterId"] = "fintech-prod-redis-002", ["CacheNodeId"] = "0001", ["PreferredAvailabilityZone"] = "eu-west-1b", ["CurrentRole"] = "replica" }),
        }),
        ["AutomaticFailover"] = "enabled",
        ["MultiAZ"] = "enabled",
        ["ClusterEnabled"] = false,
        ["CacheNodeType"] = "cache.r7g.large",
    };
}
