using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Bunit;
using FinTech.Portal.Audit;
using FinTech.Portal.Aws;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Hosting;
using FinTech.Portal.Tests.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// The audit anchor sinks as <c>AddAws</c> wires them from <c>Audit:AnchorSink</c>, over real HTTP
/// against <see cref="AwsTestEndpoint"/>: CloudWatch Logs (signature and JSON body checked against the
/// logs model) and S3 (signature checked by S3's rules, aws-chunked chunk signatures included, and the
/// Object Lock headers and integrity checksum S3 requires). A sink AWS refuses shows on the audit page
/// and never stops recording.
/// </summary>
public sealed class AwsAuditAnchorContractTests : IAsyncLifetime
{
    private const string LogGroup = "/fintech/prod/audit-anchors";
    private const string Bucket = "fintech-prod-audit-anchors";
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AuditAnchor First = new(41, new string('a', 64), Start, "portal-task-1");
    private static readonly AuditAnchor Earlier = new(12, new string('c', 64), Start.AddMinutes(-5), "portal-task-2");
    private static readonly AuditAnchor Second = new(57, new string('b', 64), Start.AddMinutes(5), "portal-task-1");
    private AwsTestEndpoint _endpoint = null!;
    private IHost? _host;

    public async Task InitializeAsync() => _endpoint = await AwsTestEndpoint.StartAsync();

    public async Task DisposeAsync()
    {
        _host?.Dispose();
        Assert.True(_endpoint.Rejections.IsEmpty, string.Join("\n", _endpoint.Rejections));
        await _endpoint.DisposeAsync();
    }

    [Fact]
    public async Task The_CloudWatch_Logs_sink_creates_its_stream_on_first_use_then_puts_each_anchor_and_reads_every_tasks_stream_back()
    {
        var stored = new List<JsonNode>();
        var streamExists = false;
        _endpoint.On(AwsClients.CloudWatchLogs, "PutLogEvents", input =>
        {
            if (!streamExists)
            {
                throw new AwsTestError(HttpStatusCode.BadRequest, "ResourceNotFoundException", "The specified log stream does not exist.");
            }
            stored.Add(input["logEvents"]![0]!.DeepClone());
            return new JsonObject();
        });
        _endpoint.On(AwsClients.CloudWatchLogs, "CreateLogStream", _ =>
        {
            streamExists = true;
            return new JsonObject();
        });
        // Another portal task's stream holds an older anchor; each stream answers one event a page.
        var other = new JsonObject { ["timestamp"] = Start.AddMinutes(-5).ToUnixTimeMilliseconds(), ["message"] = JsonSerializer.Serialize(Earlier) };
        _endpoint.On(AwsClients.CloudWatchLogs, "DescribeLogStreams", input => (string?)input["nextToken"] is null
            ? new JsonObject { ["logStreams"] = new JsonArray(new JsonObject { ["logStreamName"] = "anchors-portal-task-1" }), ["nextToken"] = "streams-2" }
            : new JsonObject { ["logStreams"] = new JsonArray(new JsonObject { ["logStreamName"] = "anchors-portal-task-2" }) });
        _endpoint.On(AwsClients.CloudWatchLogs, "GetLogEvents", input =>
        {
            var events = (string?)input["logStreamName"] == "anchors-portal-task-1" ? stored : [other];
            var page = (string?)input["nextToken"] is { } token ? int.Parse(token[2..], System.Globalization.CultureInfo.InvariantCulture) : 0;
            // As CloudWatch Logs does, the last page repeats the token it was asked with.
            return new JsonObject
            {
                ["events"] = new JsonArray(events.Skip(page).Take(1).Select(e => e.DeepClone()).ToArray()),
                ["nextForwardToken"] = $"f/{Math.Min(page + 1, events.Count)}",
            };
        });
        var sink = Sink(AuditAnchorSinkKind.CloudWatchLogs);

        await sink.WriteAsync(First, CancellationToken.None);
        await sink.WriteAsync(Second, CancellationToken.None);
        var read = await sink.ReadAllAsync(CancellationToken.None);

        Assert.IsType<CloudWatchLogsAuditAnchorSink>(sink);
        Assert.Equal(["PutLogEvents", "CreateLogStream", "PutLogEvents", "PutLogEvents"],
            _endpoint.Calls.Where(c => c.Service == AwsClients.CloudWatchLogs).Select(c => c.Operation).Take(4));
        Assert.Equal(2, _endpoint.CallsOf("DescribeLogStreams").Count);
        Assert.Equal(3 + 2, _endpoint.CallsOf("GetLogEvents").Count);
        Assert.All(_endpoint.CallsOf("GetLogEvents"), c => Assert.True((bool?)c.Input["startFromHead"]));
        var create = Assert.Single(_endpoint.CallsOf("CreateLogStream"));
        Assert.Equal((LogGroup, "anchors-portal-task-1"), ((string?)create.Input["logGroupName"], (string?)create.Input["logStreamName"]));
        var put = _endpoint.CallsOf("PutLogEvents")[1];
        Assert.Equal((LogGroup, "anchors-portal-task-1"), ((string?)put.Input["logGroupName"], (string?)put.Input["logStreamName"]));
        Assert.Equal(First.AnchoredAt.ToUnixTimeMilliseconds(), (long)put.Input["logEvents"]![0]!["timestamp"]!);
        Assert.Equal(First, JsonSerializer.Deserialize<AuditAnchor>((string)put.Input["logEvents"]![0]!["message"]!));
        Assert.Equal([Earlier, First, Second], read);
        Assert.All(_endpoint.Calls, c => Assert.Equal(AwsTestEndpoint.AccessKey, c.AccessKey));
    }

    [Fact]
    public async Task The_S3_sink_puts_each_anchor_under_COMPLIANCE_retention_with_a_checksum_and_reads_them_back_page_by_page()
    {
        _endpoint.S3PageSize = 1;
        var sink = Sink(AuditAnchorSinkKind.S3);

        await sink.WriteAsync(First, CancellationToken.None);
        await sink.WriteAsync(Second, CancellationToken.None);
        var read = await sink.ReadAllAsync(CancellationToken.None);

        Assert.IsType<S3AuditAnchorSink>(sink);
        var puts = _endpoint.CallsOf("PutObject");
        Assert.Equal(2, puts.Count);
        Assert.Equal((Bucket, $"audit-anchors/00000000000000000041-{Start.ToUnixTimeMilliseconds()}-portal-task-1.json", "COMPLIANCE", "application/json"),
            ((string?)puts[0].Input["Bucket"], (string?)puts[0].Input["Key"], (string?)puts[0].Input["ObjectLockMode"], (string?)puts[0].Input["ContentType"]));
        Assert.Equal(Start.AddDays(400), DateTimeOffset.Parse((string)puts[0].Input["ObjectLockRetainUntilDate"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(First, JsonSerializer.Deserialize<AuditAnchor>((string)puts[0].Input["Body"]!));
        Assert.All(_endpoint.Objects.Values, o => Assert.Equal("COMPLIANCE", o.ObjectLockMode));
        Assert.Equal([First, Second], read);
        Assert.Equal(2, _endpoint.CallsOf("ListObjectsV2").Count);
        Assert.Equal([null, "1"], _endpoint.CallsOf("ListObjectsV2").Select(c => (string?)c.Input["ContinuationToken"]));
        Assert.Equal(2, _endpoint.CallsOf("GetObject").Count);
    }

    [Theory]
    [InlineData(AuditAnchorSinkKind.CloudWatchLogs, "The CloudWatchLogs anchor sink failed: CloudWatch Logs denied PutLogEvents")]
    [InlineData(AuditAnchorSinkKind.S3, "The S3 anchor sink failed: Access Denied")]
    public async Task An_anchor_sink_AWS_refuses_shows_on_the_audit_page_and_never_stops_recording(AuditAnchorSinkKind kind, string shown)
    {
        _endpoint.On(AwsClients.CloudWatchLogs, "PutLogEvents", _ =>
            throw new AwsTestError(HttpStatusCode.BadRequest, "AccessDeniedException", "User is not authorized to perform: logs:PutLogEvents"));
        _endpoint.On("s3", "PutObject", _ => throw new AwsTestError(HttpStatusCode.Forbidden, "AccessDenied", "Access Denied"));
        var sink = Sink(kind);
        await using var pages = await AuditPagesContext.CreateAsync(kit => new AuditAnchoring(kit.Store, kit.Trail, sink, kit.AnchorStatus,
            new PortalInstance(Options.Create(new HostingOptions { InstanceId = "portal-task-1" })),
            kit.Time, Options.Create(new AuditOptions { AnchorSink = kind }), NullLogger<AuditAnchoring>.Instance));
        pages.SignInAsAuditor();
        // The failure alert re-renders the panel's inputs, whose JavaScript hooks must complete.
        foreach (var hook in new[] { "mudElementRef.addOnBlurEvent", "mudKeyInterceptor.connect", "mudKeyInterceptor.disconnect" })
        {
            pages.Bunit.JSInterop.SetupVoid(hook, _ => true).SetVoidResult();
        }
        await pages.Kit.RecordManyAsync(2);
        var panel = pages.Bunit.Render<AuditVerifyPanel>();

        // The sink is called over loopback HTTP: on a loaded machine that takes longer than bUnit's 1 s default.
        panel.Find("[data-testid=anchor-button]").Click();
        panel.WaitForAssertion(() => Assert.StartsWith(shown, panel.Find("[data-testid=anchor-sink-status]").TextContent.Trim(), StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        var after = await pages.Kit.Trail.RecordAsync(AuditTestKit.Entry(3), CancellationToken.None);

        var anchored = Assert.Single(await pages.EventsAsync(AuditEventTypes.AuditAnchored));
        Assert.Equal((AuditOutcome.Failed, kind.ToString()), (anchored.Outcome, anchored.Parameters["sink"]));
        Assert.StartsWith(shown, anchored.Parameters["reason"], StringComparison.Ordinal);
        Assert.Equal(anchored.Sequence + 1, after.Sequence);
        Assert.Contains("Events are still recorded", panel.Find("[data-testid=anchor-sink-status]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AuditAnchorSinkKind.CloudWatchLogs)]
    [InlineData(AuditAnchorSinkKind.S3)]
    public async Task Every_call_an_anchor_sink_makes_is_granted_to_the_portals_task_role_in_the_IAM_list(AuditAnchorSinkKind kind)
    {
        _endpoint.On(AwsClients.CloudWatchLogs, "DescribeLogStreams", _ => new JsonObject { ["logStreams"] = new JsonArray(new JsonObject { ["logStreamName"] = "anchors-portal-task-1" }) });
        _endpoint.On(AwsClients.CloudWatchLogs, "GetLogEvents", _ => new JsonObject { ["events"] = new JsonArray(), ["nextForwardToken"] = "f/0" });
        var sink = Sink(kind);

        await sink.WriteAsync(First, CancellationToken.None);
        await sink.ReadAllAsync(CancellationToken.None);

        var granted = TaskRoleActions();
        var called = _endpoint.Calls.Select(c => $"{(c.Service == "s3" ? "s3" : "logs")}:{c.Operation.Replace("V2", "", StringComparison.Ordinal)}")
            .Select(a => a == "s3:ListObjects" ? "s3:ListBucket" : a).Distinct().ToList();
        Assert.NotEmpty(called);
        Assert.All(called, action => Assert.Contains(action, granted));
        if (kind == AuditAnchorSinkKind.S3)
        {
            // A PutObject with Object Lock headers is also authorized as s3:PutObjectRetention.
            Assert.Contains("s3:PutObjectRetention", granted);
        }
    }

    private static HashSet<string> TaskRoleActions()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "infra", "portal-aws-actions.json")))
        {
            directory = directory.Parent;
        }
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory!.FullName, "infra", "portal-aws-actions.json")));
        return json.RootElement.GetProperty("portalActions").EnumerateArray()
            .Where(a => a.TryGetProperty("taskRoleOnly", out var t) && t.GetBoolean())
            .Select(a => a.GetProperty("action").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The sink <c>AddAws</c> registers for <c>Audit:AnchorSink</c>, signing with the portal's own credentials.</summary>
    private IAuditAnchorSink Sink(AuditAnchorSinkKind kind)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = _endpoint.Url.ToString(),
            ["Aws:MaxAttempts"] = "1",
            ["Audit:AnchorSink"] = kind.ToString(),
            ["Audit:AnchorLogGroup"] = LogGroup,
            ["Audit:AnchorBucket"] = Bucket,
            ["Audit:AnchorRegion"] = AwsTestEndpoint.Region,
            ["Audit:AnchorRetentionDays"] = "400",
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Start));
        builder.Services.AddSingleton(new PortalInstance(Options.Create(new HostingOptions { InstanceId = "portal-task-1" })));
        builder.AddAws();
        builder.Services.AddSingleton(sp => new AwsCredentialSource(
            () => new BasicAWSCredentials(AwsTestEndpoint.AccessKey, AwsTestEndpoint.SecretKey),
            sp.GetRequiredService<AwsEndpoints>(), sp.GetRequiredService<IOptions<AwsOptions>>().Value));
        _host?.Dispose();
        _host = builder.Build();
        return _host.Services.GetRequiredService<IAuditAnchorSink>();
    }
}
