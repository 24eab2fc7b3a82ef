using Amazon.DynamoDBv2;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform.DynamoDb;
using Sdk = Amazon.DynamoDBv2.Model;

namespace FinTech.Portal.Aws;

/// <summary>
/// DynamoDB through AWSSDK.DynamoDBv2 (the one service whose SDK is at hand), its calls run through
/// the (environment, DynamoDB) resilience pipeline and mapped onto the port's records.
/// </summary>
public sealed class AwsDynamoDb(IAmazonDynamoDB dynamoDb, AwsServiceClient pipeline) : IDynamoDb
{
    public async Task<DescribeTableResponse> DescribeTableAsync(DescribeTableRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await pipeline.ExecuteSdkAsync("DescribeTable",
            ct => dynamoDb.DescribeTableAsync(new Sdk.DescribeTableRequest { TableName = request.TableName }, ct), cancellationToken);
        var table = response.Table;
        return new DescribeTableResponse
        {
            Table = new TableDescription
            {
                TableName = table.TableName,
                TableArn = table.TableArn,
                TableStatus = table.TableStatus?.Value ?? "UNKNOWN",
                ItemCount = table.ItemCount ?? 0,
                TableSizeBytes = table.TableSizeBytes ?? 0,
                CreationDateTime = table.CreationDateTime is { } created ? new DateTimeOffset(created.ToUniversalTime()) : null,
                BillingModeSummary = table.BillingModeSummary?.BillingMode is { } mode ? new BillingModeSummary { BillingMode = mode.Value } : null,
            },
        };
    }

    public async Task<DescribeContinuousBackupsResponse> DescribeContinuousBackupsAsync(DescribeContinuousBackupsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await pipeline.ExecuteSdkAsync("DescribeContinuousBackups",
            ct => dynamoDb.DescribeContinuousBackupsAsync(new Sdk.DescribeContinuousBackupsRequest { TableName = request.TableName }, ct), cancellationToken);
        var description = response.ContinuousBackupsDescription;
        var pitr = description.PointInTimeRecoveryDescription;
        return new DescribeContinuousBackupsResponse
        {
            ContinuousBackupsDescription = new ContinuousBackupsDescription
            {
                ContinuousBackupsStatus = description.ContinuousBackupsStatus?.Value ?? "DISABLED",
                PointInTimeRecoveryDescription = pitr is null ? null : new PointInTimeRecoveryDescription
                {
                    PointInTimeRecoveryStatus = pitr.PointInTimeRecoveryStatus?.Value ?? "DISABLED",
                    EarliestRestorableDateTime = pitr.EarliestRestorableDateTime is { } earliest ? new DateTimeOffset(earliest.ToUniversalTime()) : null,
                    LatestRestorableDateTime = pitr.LatestRestorableDateTime is { } latest ? new DateTimeOffset(latest.ToUniversalTime()) : null,
                },
            },
        };
    }
}
