using System.Globalization;
using System.Text.Json.Nodes;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// A small, deterministic AWS account behind an <see cref="AwsTestEndpoint"/>: CloudWatch answers
/// every metric query with a datapoint per period (a smooth curve per metric), one alarm per
/// prefix, and ECS, RDS, ElastiCache and DynamoDB describe the resources asked for.
/// </summary>
public static class AwsTestPlatform
{
    public static void Serve(AwsTestEndpoint endpoint)
    {
        endpoint.On("monitoring-2010-08-01", "GetMetricData", GetMetricData);
        endpoint.On("monitoring-2010-08-01", "DescribeAlarms", input => new JsonObject
        {
            ["MetricAlarms"] = new JsonArray(new JsonObject
            {
                ["AlarmName"] = $"{input["AlarmNamePrefix"]}p99-latency",
                ["AlarmArn"] = $"arn:aws:cloudwatch:eu-west-1:333333333333:alarm:{input["AlarmNamePrefix"]}p99-latency",
                ["StateValue"] = "OK",
                ["StateReason"] = "Threshold Crossed: no datapoint was greater than the threshold (1.5).",
                ["StateUpdatedTimestamp"] = "2026-12-01T08:00:00Z",
                ["Namespace"] = "AWS/ApplicationELB",
                ["MetricName"] = "TargetResponseTime",
                ["ExtendedStatistic"] = "p99",
                ["Period"] = 60,
                ["EvaluationPeriods"] = 5,
                ["DatapointsToAlarm"] = 3,
                ["Threshold"] = 1.5,
                ["ComparisonOperator"] = "GreaterThanThreshold",
                ["TreatMissingData"] = "notBreaching",
            }),
            ["CompositeAlarms"] = new JsonArray(),
        });
        endpoint.On("ecs-2014-11-13", "DescribeServices", input => new JsonObject
        {
            ["services"] = new JsonArray(input["services"]!.AsArray().Select(name => (JsonNode)new JsonObject
            {
                ["serviceName"] = (string?)name,
                ["serviceArn"] = $"arn:aws:ecs:eu-west-1:333333333333:service/{input["cluster"]}/{name}",
                ["clusterArn"] = $"arn:aws:ecs:eu-west-1:333333333333:cluster/{input["cluster"]}",
                ["status"] = "ACTIVE",
                ["desiredCount"] = 3,
                ["runningCount"] = 3,
                ["pendingCount"] = 0,
                ["launchType"] = "FARGATE",
                ["taskDefinition"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{name}:42",
                ["deployments"] = new JsonArray(new JsonObject
                {
                    ["id"] = "ecs-svc/1", ["status"] = "PRIMARY", ["taskDefinition"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{name}:42",
                    ["desiredCount"] = 3, ["pendingCount"] = 0, ["runningCount"] = 3, ["rolloutState"] = "COMPLETED",
                }),
            }).ToArray()),
            ["failures"] = new JsonArray(),
        });
        endpoint.On("rds-2014-10-31", "DescribeDBClusters", input => new JsonObject
        {
            ["DBClusters"] = new JsonArray(new JsonObject
            {
                ["DBClusterIdentifier"] = (string?)input["DBClusterIdentifier"],
                ["DBClusterArn"] = $"arn:aws:rds:eu-west-1:333333333333:cluster:{input["DBClusterIdentifier"]}",
                ["Engine"] = "aurora-postgresql", ["EngineVersion"] = "16.4", ["Status"] = "available", ["MultiAZ"] = true,
                ["Endpoint"] = "writer.example", ["ReaderEndpoint"] = "reader.example",
                ["AvailabilityZones"] = new JsonArray("eu-west-1a", "eu-west-1b"),
                ["DBClusterMembers"] = new JsonArray(
                    new JsonObject { ["DBInstanceIdentifier"] = $"{input["DBClusterIdentifier"]}-1", ["IsClusterWriter"] = true, ["PromotionTier"] = 1 },
                    new JsonObject { ["DBInstanceIdentifier"] = $"{input["DBClusterIdentifier"]}-2", ["IsClusterWriter"] = false, ["PromotionTier"] = 1 }),
            }),
        });
        endpoint.On("elasticache-2015-02-02", "DescribeReplicationGroups", input => new JsonObject
        {
            ["ReplicationGroups"] = new JsonArray(new JsonObject
            {
                ["ReplicationGroupId"] = (string?)input["ReplicationGroupId"],
                ["ARN"] = $"arn:aws:elasticache:eu-west-1:333333333333:replicationgroup:{input["ReplicationGroupId"]}",
                ["Description"] = "sessions and cache", ["Status"] = "available",
                ["MemberClusters"] = new JsonArray($"{input["ReplicationGroupId"]}-001", $"{input["ReplicationGroupId"]}-002"),
                ["NodeGroups"] = new JsonArray(new JsonObject
                {
                    ["NodeGroupId"] = "0001", ["Status"] = "available",
                    ["NodeGroupMembers"] = new JsonArray(
                        new JsonObject { ["CacheClusterId"] = $"{input["ReplicationGroupId"]}-001", ["CacheNodeId"] = "0001", ["PreferredAvailabilityZone"] = "eu-west-1a", ["CurrentRole"] = "primary" },
                        new JsonObject { ["CacheClusterId"] = $"{input["ReplicationGroupId"]}-002", ["CacheNodeId"] = "0001", ["PreferredAvailabilityZone"] = "eu-west-1b", ["CurrentRole"] = "replica" }),
                }),
                ["AutomaticFailover"] = "enabled", ["MultiAZ"] = "enabled", ["ClusterEnabled"] = false, ["CacheNodeType"] = "cache.r7g.large",
            }),
        });
        endpoint.On("dynamodb-2012-08-10", "DescribeTable", input => new JsonObject
        {
            ["Table"] = new JsonObject
            {
                ["TableName"] = (string?)input["TableName"],
                ["TableArn"] = $"arn:aws:dynamodb:eu-west-1:333333333333:table/{input["TableName"]}",
                ["TableStatus"] = "ACTIVE", ["ItemCount"] = 48213, ["TableSizeBytes"] = 9_100_000,
                ["BillingModeSummary"] = new JsonObject { ["BillingMode"] = "PAY_PER_REQUEST" },
            },
        });
        endpoint.On("dynamodb-2012-08-10", "DescribeContinuousBackups", _ => new JsonObject
        {
            ["ContinuousBackupsDescription"] = new JsonObject
            {
                ["ContinuousBackupsStatus"] = "ENABLED",
                ["PointInTimeRecoveryDescription"] = new JsonObject { ["PointInTimeRecoveryStatus"] = "ENABLED" },
            },
        });
    }

    private static JsonObject GetMetricData(JsonObject input)
    {
        var start = DateTimeOffset.Parse((string)input["StartTime"]!, CultureInfo.InvariantCulture);
        var end = DateTimeOffset.Parse((string)input["EndTime"]!, CultureInfo.InvariantCulture);
        var results = new JsonArray();
        foreach (var query in input["MetricDataQueries"]!.AsArray())
        {
            var period = (long?)query!["MetricStat"]?["Period"] ?? (long?)query["Period"] ?? 60;
            var name = (string?)query["MetricStat"]?["Metric"]?["MetricName"] ?? (string)query["Id"]!;
            var seed = name.Aggregate(7, (h, c) => (h * 31) + c) & 0xffff;
            var timestamps = new JsonArray();
            var values = new JsonArray();
            var first = DateTimeOffset.FromUnixTimeSeconds(start.ToUnixTimeSeconds() / period * period);
            for (var t = first; t < end; t = t.AddSeconds(period))
            {
                timestamps.Add(t.ToString("O", CultureInfo.InvariantCulture));
                values.Add(Math.Round(10 + (seed % 50) + (5 * Math.Sin(t.ToUnixTimeSeconds() / 600.0)), 3));
            }
            results.Add(new JsonObject
            {
                ["Id"] = (string?)query["Id"],
                ["Label"] = (string?)query["Label"] ?? name,
                ["Timestamps"] = timestamps,
                ["Values"] = values,
                ["StatusCode"] = "Complete",
            });
        }
        return new JsonObject { ["MetricDataResults"] = results, ["Messages"] = new JsonArray() };
    }
}
