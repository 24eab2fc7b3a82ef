using FinTech.Portal.Platform;
using FinTech.Portal.Platform.DynamoDb;

namespace FinTech.Portal.Sandbox;

/// <summary>DynamoDB over the Sandbox model: the on-demand session table with point-in-time recovery.</summary>
public sealed class SandboxDynamoDb : IDynamoDb
{
    private readonly SandboxPlatform _platform;
    private readonly SandboxModel _model;

    internal SandboxDynamoDb(SandboxPlatform platform, SandboxModel model)
    {
        _platform = platform;
        _model = model;
    }

    public Task<DescribeTableResponse> DescribeTableAsync(DescribeTableRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DescribeTable(request));
    }

    public Task<DescribeContinuousBackupsResponse> DescribeContinuousBackupsAsync(DescribeContinuousBackupsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        RequireTable(request.TableName);
        var now = _platform.Now;
        return Task.FromResult(new DescribeContinuousBackupsResponse
        {
            ContinuousBackupsDescription = new ContinuousBackupsDescription
            {
                ContinuousBackupsStatus = "ENABLED",
                PointInTimeRecoveryDescription = new PointInTimeRecoveryDescription
                {
                    PointInTimeRecoveryStatus = "ENABLED",
                    EarliestRestorableDateTime = now.AddDays(-35) > _platform.StartedAt.AddDays(-35) ? now.AddDays(-35) : _platform.StartedAt,
                    LatestRestorableDateTime = now.AddMinutes(-5),
                },
            },
        });
    }

    /// <summary>The session table; any other name is a ResourceNotFoundException, as DynamoDB answers.</summary>
    public DescribeTableResponse DescribeTable(DescribeTableRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireTable(request.TableName);
        var minute = SandboxNoise.FloorDiv(_platform.Now.ToUnixTimeSeconds(), 60);
        var current = new SandboxTimeline(_model, _platform.State, minute, minute).At(minute);
        // Sessions live half an hour: about one live session per 9 requests a second, times 30 minutes of them.
        var items = (long)(current.RequestsPerSecond * 200);
        return new DescribeTableResponse
        {
            Table = new TableDescription
            {
                TableName = _platform.Resources.SessionTable,
                TableArn = $"arn:aws:dynamodb:{SandboxPlatform.Region}:{SandboxPlatform.AccountId}:table/{_platform.Resources.SessionTable}",
                TableStatus = "ACTIVE",
                ItemCount = items,
                TableSizeBytes = items * 1_150,
                CreationDateTime = _platform.StartedAt.AddDays(-120),
                BillingModeSummary = new BillingModeSummary { BillingMode = "PAY_PER_REQUEST" },
            },
        };
    }

    private void RequireTable(string tableName)
    {
        if (tableName != _platform.Resources.SessionTable)
        {
            throw new PlatformServiceException("ResourceNotFoundException", System.Net.HttpStatusCode.BadRequest,
                $"Requested resource not found: Table: {tableName} not found");
        }
    }
}
