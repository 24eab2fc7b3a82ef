using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.S3;
using Amazon.S3.Model;
using FinTech.Portal.Audit;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Aws;

/// <summary>
/// Audit anchors in a CloudWatch Logs log group (<c>Audit:AnchorSink=CloudWatchLogs</c>): each
/// portal task writes its own stream with <c>PutLogEvents</c> (creating it on first use);
/// reading takes every stream of the group (<c>DescribeLogStreams</c>, <c>GetLogEvents</c>). Log events cannot be
/// edited, and the group's retention and resource policy are infra's.
/// </summary>
public sealed class CloudWatchLogsAuditAnchorSink(AwsServiceClient logs, string logGroup, string logStream) : IAuditAnchorSink
{
    public async Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken)
    {
        var put = new JsonObject
        {
            ["logGroupName"] = logGroup,
            ["logStreamName"] = logStream,
            ["logEvents"] = new JsonArray(new JsonObject
            {
                ["timestamp"] = anchor.AnchoredAt.ToUnixTimeMilliseconds(),
                ["message"] = JsonSerializer.Serialize(anchor),
            }),
        };
        try
        {
            await logs.InvokeAsync("PutLogEvents", put, cancellationToken);
        }
        catch (PlatformServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
        {
            // First anchor of this task: its stream does not exist yet.
            await logs.InvokeAsync("CreateLogStream", new JsonObject { ["logGroupName"] = logGroup, ["logStreamName"] = logStream }, cancellationToken);
            await logs.InvokeAsync("PutLogEvents", (JsonObject)put.DeepClone(), cancellationToken);
        }
    }

    /// <summary>
    /// Every stream of the group (one per portal task, <c>DescribeLogStreams</c>), each read from its
    /// start with <c>GetLogEvents</c> until the forward token stops moving, as the API documents.
    /// </summary>
    public async Task<IReadOnlyList<AuditAnchor>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var anchors = new List<AuditAnchor>();
        string? streamsToken = null;
        do
        {
            var streams = await logs.InvokeAsync("DescribeLogStreams", WithToken(new JsonObject { ["logGroupName"] = logGroup }, "nextToken", streamsToken), cancellationToken);
            foreach (var stream in streams["logStreams"]?.AsArray() ?? [])
            {
                string? token = null;
                while (true)
                {
                    var page = await logs.InvokeAsync("GetLogEvents", WithToken(new JsonObject
                    {
                        ["logGroupName"] = logGroup,
                        ["logStreamName"] = (string?)stream!["logStreamName"],
                        ["startFromHead"] = true,
                    }, "nextToken", token), cancellationToken);
                    foreach (var logEvent in page["events"]?.AsArray() ?? [])
                    {
                        if (JsonSerializer.Deserialize<AuditAnchor>((string)logEvent!["message"]!) is { } anchor)
                        {
                            anchors.Add(anchor);
                        }
                    }
                    var next = (string?)page["nextForwardToken"];
                    if (next is null || next == token)
                    {
                        break;
                    }
                    token = next;
                }
            }
            streamsToken = (string?)streams["nextToken"];
        }
        while (streamsToken is not null);
        return anchors.OrderBy(a => a.AnchoredAt).ThenBy(a => a.Sequence).ToList();
    }

    private static JsonObject WithToken(JsonObject request, string name, string? token)
    {
        if (token is not null)
        {
            request[name] = token;
        }
        return request;
    }
}

/// <summary>
/// Audit anchors as objects in the Object Lock bucket infra creates (<c>Audit:AnchorSink=S3</c>),
/// through AWSSDK.S3: one object per anchor, under COMPLIANCE retention for
/// <c>Audit:AnchorRetentionDays</c>, so nobody can delete or overwrite it sooner.
/// </summary>
public sealed class S3AuditAnchorSink(IAmazonS3 s3, string bucket, int retentionDays, TimeProvider time) : IAuditAnchorSink
{
    private const string Prefix = "audit-anchors/";

    public async Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken)
    {
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = $"{Prefix}{anchor.Sequence.ToString("D20", CultureInfo.InvariantCulture)}-{anchor.AnchoredAt.ToUnixTimeMilliseconds()}-{Sanitize(anchor.Instance)}.json",
            ContentBody = JsonSerializer.Serialize(anchor),
            ContentType = "application/json",
            ObjectLockMode = ObjectLockMode.Compliance,
            ObjectLockRetainUntilDate = time.GetUtcNow().AddDays(retentionDays).UtcDateTime,
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditAnchor>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var anchors = new List<AuditAnchor>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = Prefix, ContinuationToken = token }, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                using var response = await s3.GetObjectAsync(bucket, item.Key, cancellationToken);
                if (await JsonSerializer.DeserializeAsync<AuditAnchor>(response.ResponseStream, cancellationToken: cancellationToken) is { } anchor)
                {
                    anchors.Add(anchor);
                }
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return anchors.OrderBy(a => a.AnchoredAt).ThenBy(a => a.Sequence).ToList();
    }

    private static string Sanitize(string instance) =>
        new(instance.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray());
}
