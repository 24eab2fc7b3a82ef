using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FinTech.Portal.Tests.Aws;

/// <summary>A fault the endpoint answers instead of the operation's reply.</summary>
public enum AwsFault { Throttle, ServerError, Slow, Malformed }

/// <summary>An error reply a handler asks for (e.g. <c>DBClusterNotFoundFault</c>, 404).</summary>
public sealed class AwsTestError(HttpStatusCode status, string code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>One request as the endpoint understood it.</summary>
public sealed record AwsTestCall(string Service, string Operation, JsonObject Input, string AccessKey);

/// <summary>
/// An AWS-compatible endpoint on loopback for contract tests. Every request must carry a SigV4
/// signature that <see cref="SigV4Verifier"/> (no portal or SDK code) accepts, and a body that fits
/// the operation's input shape in the shared aws-models folder; otherwise it answers 403 or 400 as AWS
/// would and records the problem in <see cref="Rejections"/>. Replies come from handlers, else from
/// AWS's published examples, else an empty output, written from the output shape.
/// </summary>
public sealed class AwsTestEndpoint : IAsyncDisposable
{
    public const string AccessKey = "AKIDPORTALTEST";
    public const string SecretKey = "portal-test-secret-key";
    public const string Region = "eu-west-1";

    /// <summary>The models the endpoint answers for, by signing name (the credential scope's service).</summary>
    private static readonly Dictionary<string, string> ModelsBySigningName = new(StringComparer.Ordinal)
    {
        ["monitoring"] = "monitoring-2010-08-01",
        ["logs"] = "logs-2014-03-28",
        ["ecs"] = "ecs-2014-11-13",
        ["rds"] = "rds-2014-10-31",
        ["elasticache"] = "elasticache-2015-02-02",
        ["elasticloadbalancing"] = "elasticloadbalancingv2-2015-12-01",
        ["secretsmanager"] = "secretsmanager-2017-10-17",
        ["ecr"] = "ecr-2015-09-21",
        ["dynamodb"] = "dynamodb-2012-08-10",
        ["sts"] = "sts-2011-06-15",
    };

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal) { [AccessKey] = SecretKey };
    private readonly ConcurrentDictionary<(string Service, string Operation), Func<JsonObject, JsonObject>> _handlers = new();
    private readonly ConcurrentQueue<AwsFault> _faults = new();
    private int _requestCount;
    private int _faultCount;

    private AwsTestEndpoint(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public ConcurrentQueue<AwsTestCall> Calls { get; } = new();

    public ConcurrentQueue<string> Rejections { get; } = new();

    /// <summary>How long a <see cref="AwsFault.Slow"/> reply waits before answering.</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(2);

    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Picks a fault (or none) for each request without a queued one; for fault storms.</summary>
    public Func<AwsFault?>? FaultSource { get; set; }

    /// <summary>Picks a fault (or none) for a request by what it asks (service model and operation); after <see cref="FaultSource"/>.</summary>
    public Func<AwsTestCall, AwsFault?>? FaultFor { get; set; }

    /// <summary>How many requests were answered with a fault.</summary>
    public int FaultCount => Volatile.Read(ref _faultCount);

    public static async Task<AwsTestEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new AwsTestEndpoint(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Url = new Uri(address.TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>Answers <paramref name="operation"/> of <paramref name="service"/> (model uid) with <paramref name="handler"/>.</summary>
    public void On(string service, string operation, Func<JsonObject, JsonObject> handler) => _handlers[(service, operation)] = handler;

    public void Inject(params AwsFault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public IReadOnlyList<AwsTestCall> CallsOf(string operation) => Calls.Where(c => c.Operation == operation).ToList();

    private async Task HandleAsync(HttpContext http)
    {
        try
        {
            await AnswerAsync(http);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its attempt timed out): nobody reads an answer.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A mistake of the test itself (a reply that does not fit the output shape): fail loudly.
            await RejectAsync(http, HttpStatusCode.InternalServerError, "TestEndpointError", e.ToString(), null);
        }
    }

    private async Task AnswerAsync(HttpContext http)
    {
        Interlocked.Increment(ref _requestCount);
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var rawTarget = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var (rawPath, rawQuery) = rawTarget.IndexOf('?') is var q and >= 0 ? (rawTarget[..q], rawTarget[(q + 1)..]) : (rawTarget, "");
        var headers = http.Request.Headers.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v ?? ""))).ToList();
        var request = new SigV4Verifier.Request(http.Request.Method, rawPath, rawQuery, headers, body);

        var scope = http.Request.Headers.Authorization.ToString().Split("Credential=") is [_, var rest] ? rest.Split(',')[0].Split('/') : [];
        if (scope is [var s3Key, _, _, "s3", _])
        {
            await AnswerS3Async(http, request, s3Key);
            return;
        }
        if (scope.Length != 5 || !ModelsBySigningName.TryGetValue(scope[3], out var uid))
        {
            await RejectAsync(http, HttpStatusCode.Forbidden, "MissingAuthenticationToken", "no SigV4 credential scope for a known service", null);
            return;
        }
        var model = AwsTestModel.Load(uid);
        var problem = SigV4Verifier.Verify(request, key => _secrets.GetValueOrDefault(key), Region, scope[3]);
        if (problem is not null)
        {
            await RejectAsync(http, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", problem, model);
            return;
        }

        var problems = new List<string>();
        string operation;
        JsonObject input;
        if (model.Protocol == "query")
        {
            var form = Encoding.UTF8.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Split('=', 2))
                .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString((p.Length > 1 ? p[1] : "").Replace('+', ' ')), StringComparer.Ordinal);
            operation = form.GetValueOrDefault("Action") ?? "";
            if (!model.HasOperation(operation) || form.GetValueOrDefault("Version") != model.Metadata.GetProperty("apiVersion").GetString())
            {
                await RejectAsync(http, HttpStatusCode.BadRequest, "InvalidAction", $"{operation} {form.GetValueOrDefault("Version")} is not an operation of {uid}", model);
                return;
            }
            input = model.ReadQuery(operation, form, problems);
        }
        else
        {
            var target = http.Request.Headers["X-Amz-Target"].ToString();
            var prefix = model.Metadata.GetProperty("targetPrefix").GetString() + ".";
            operation = target.StartsWith(prefix, StringComparison.Ordinal) ? target[prefix.Length..] : "";
            var expectedType = $"application/x-amz-json-{(model.Metadata.TryGetProperty("jsonVersion", out var v) ? v.GetString() : "1.0")}";
            if (!model.HasOperation(operation) || !http.Request.ContentType!.StartsWith(expectedType, StringComparison.Ordinal))
            {
                await RejectAsync(http, HttpStatusCode.BadRequest, "UnknownOperationException", $"target '{target}' with {http.Request.ContentType} is not an operation of {uid}", model);
                return;
            }
            input = model.ReadJson(operation, body.Length == 0 ? null : JsonNode.Parse(body), problems);
        }
        if (problems.Count > 0)
        {
            await RejectAsync(http, HttpStatusCode.BadRequest, model.Protocol == "query" ? "ValidationError" : "ValidationException",
                $"{operation}: {string.Join("; ", problems)}", model);
            return;
        }
        var call = new AwsTestCall(uid, operation, input, scope[0]);
        Calls.Enqueue(call);

        if ((_faults.TryDequeue(out var queued) ? queued : FaultSource?.Invoke() ?? FaultFor?.Invoke(call)) is { } fault)
        {
            Interlocked.Increment(ref _faultCount);
            await AnswerFaultAsync(http, fault, model);
            return;
        }
        JsonObject output;
        try
        {
            output = _handlers.TryGetValue((uid, operation), out var handler) ? handler(input)
                : uid == "sts-2011-06-15" && operation == "AssumeRole" ? AssumeRole(input)
                : model.ExampleOutput(operation) ?? [];
        }
        catch (AwsTestError error)
        {
            await WriteErrorAsync(http, error.Status, error.Code, error.Message, model);
            return;
        }
        var requestId = Guid.NewGuid().ToString();
        http.Response.Headers["x-amzn-RequestId"] = requestId;
        if (model.Protocol == "query")
        {
            http.Response.ContentType = "text/xml";
            await http.Response.WriteAsync(model.WriteQueryReply(operation, output, requestId));
        }
        else
        {
            http.Response.ContentType = http.Request.ContentType;
            await http.Response.WriteAsync(model.WriteJsonReply(operation, output));
        }
    }

    /// <summary>The objects S3 holds, by "bucket/key".</summary>
    public ConcurrentDictionary<string, S3TestObject> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>How many keys one ListObjectsV2 page holds at most (S3's 1,000 unless a test pages sooner).</summary>
    public int S3PageSize { get; set; } = 1000;

    /// <summary>
    /// S3's REST-XML API for the three calls the audit anchors make, path-style: PutObject (the
    /// payload decoded from aws-chunked with every chunk signature checked, Object Lock headers and
    /// the integrity checksum S3 demands with them validated), GetObject and ListObjectsV2.
    /// </summary>
    private async Task AnswerS3Async(HttpContext http, SigV4Verifier.Request request, string accessKey)
    {
        var problem = SigV4Verifier.Verify(request, key => _secrets.GetValueOrDefault(key), Region, "s3");
        if (problem is not null)
        {
            await RejectS3Async(http, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", problem);
            return;
        }
        var path = Uri.UnescapeDataString(request.RawPath).TrimStart('/');
        var (bucket, key) = path.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? (path[..slash], path[(slash + 1)..]) : (path, "");
        var query = request.RawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);
        var operation = (http.Request.Method, key.Length > 0, query.GetValueOrDefault("list-type")) switch
        {
            ("PUT", true, _) => "PutObject",
            ("GET", true, _) => "GetObject",
            ("GET", false, "2") => "ListObjectsV2",
            _ => null,
        };
        if (operation is null || bucket.Length == 0)
        {
            await RejectS3Async(http, HttpStatusCode.BadRequest, "NotImplemented", $"{http.Request.Method} {request.RawPath}?{request.RawQuery} is not an S3 call the endpoint knows");
            return;
        }
        var problems = new List<string>();
        var input = new JsonObject { ["Bucket"] = bucket };
        byte[] payload = [];
        if (operation == "PutObject")
        {
            var header = (string name) => http.Request.Headers[name].ToString() is { Length: > 0 } v ? v : null;
            var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (header("x-amz-content-sha256")!.StartsWith("STREAMING-", StringComparison.Ordinal))
            {
                (var decoded, trailers, var chunkProblem) = SigV4Verifier.DecodeChunked(request, k => _secrets.GetValueOrDefault(k));
                if (chunkProblem is not null)
                {
                    await RejectS3Async(http, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", chunkProblem);
                    return;
                }
                payload = decoded!;
            }
            else
            {
                payload = request.Body;
            }
            input["Key"] = key;
            input["ContentType"] = header("Content-Type");
            input["ObjectLockMode"] = header("x-amz-object-lock-mode");
            input["ObjectLockRetainUntilDate"] = header("x-amz-object-lock-retain-until-date");
            input["Body"] = Encoding.UTF8.GetString(payload);
            S3Checks.PutObject(http.Request.Headers, trailers, payload, problems);
        }
        else if (operation == "GetObject")
        {
            input["Key"] = key;
        }
        else
        {
            input["Prefix"] = query.GetValueOrDefault("prefix");
            input["ContinuationToken"] = query.GetValueOrDefault("continuation-token");
        }
        if (problems.Count > 0)
        {
            await RejectS3Async(http, HttpStatusCode.BadRequest, "InvalidRequest", $"{operation}: {string.Join("; ", problems)}");
            return;
        }
        var call = new AwsTestCall("s3", operation, input, accessKey);
        Calls.Enqueue(call);
        if ((_faults.TryDequeue(out var queued) ? queued : FaultSource?.Invoke() ?? FaultFor?.Invoke(call)) is { } fault)
        {
            Interlocked.Increment(ref _faultCount);
            await AnswerS3FaultAsync(http, fault);
            return;
        }
        try
        {
            if (_handlers.TryGetValue(("s3", operation), out var handler))
            {
                handler(input);
            }
        }
        catch (AwsTestError error)
        {
            await WriteS3ErrorAsync(http, error.Status, error.Code, error.Message);
            return;
        }
        http.Response.Headers["x-amz-request-id"] = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        switch (operation)
        {
            case "PutObject":
                var etag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(payload))}\"";
                Objects[$"{bucket}/{key}"] = new S3TestObject(payload, (string?)input["ContentType"], (string?)input["ObjectLockMode"], (string?)input["ObjectLockRetainUntilDate"], etag);
                http.Response.Headers.ETag = etag;
                break;
            case "GetObject":
                if (!Objects.TryGetValue($"{bucket}/{key}", out var stored))
                {
                    await WriteS3ErrorAsync(http, HttpStatusCode.NotFound, "NoSuchKey", "The specified key does not exist.");
                    return;
                }
                http.Response.ContentType = stored.ContentType ?? "application/octet-stream";
                http.Response.Headers.ETag = stored.ETag;
                await http.Response.Body.WriteAsync(stored.Body);
                break;
            default:
                await http.Response.WriteAsync(ListObjectsV2(bucket, (string?)input["Prefix"] ?? "", (string?)input["ContinuationToken"]));
                break;
        }
    }

    private string ListObjectsV2(string bucket, string prefix, string? token)
    {
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        var keys = Objects.Where(o => o.Key.StartsWith($"{bucket}/{prefix}", StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        var skip = token is null ? 0 : int.Parse(token, CultureInfo.InvariantCulture);
        var page = keys.Skip(skip).Take(S3PageSize).ToList();
        var truncated = skip + page.Count < keys.Count;
        var result = new XElement(ns + "ListBucketResult",
            new XElement(ns + "Name", bucket),
            new XElement(ns + "Prefix", prefix),
            new XElement(ns + "KeyCount", page.Count),
            new XElement(ns + "MaxKeys", S3PageSize),
            new XElement(ns + "IsTruncated", truncated ? "true" : "false"),
            page.Select(o => new XElement(ns + "Contents",
                new XElement(ns + "Key", o.Key[(bucket.Length + 1)..]),
                new XElement(ns + "LastModified", "2026-12-01T12:00:00.000Z"),
                new XElement(ns + "ETag", o.Value.ETag),
                new XElement(ns + "Size", o.Value.Body.Length),
                new XElement(ns + "StorageClass", "STANDARD"))));
        if (token is not null)
        {
            result.Add(new XElement(ns + "ContinuationToken", token));
        }
        if (truncated)
        {
            result.Add(new XElement(ns + "NextContinuationToken", (skip + page.Count).ToString(CultureInfo.InvariantCulture)));
        }
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), result).ToString();
    }

    private async Task AnswerS3FaultAsync(HttpContext http, AwsFault fault)
    {
        switch (fault)
        {
            case AwsFault.Throttle:
                await WriteS3ErrorAsync(http, HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate.");
                break;
            case AwsFault.ServerError:
                await WriteS3ErrorAsync(http, HttpStatusCode.InternalServerError, "InternalError", "We encountered an internal error. Please try again.");
                break;
            case AwsFault.Slow:
                try
                {
                    await Task.Delay(SlowDelay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                await WriteS3ErrorAsync(http, HttpStatusCode.ServiceUnavailable, "SlowDown", "slow reply");
                break;
            case AwsFault.Malformed:
                http.Response.StatusCode = 500;
                http.Response.ContentType = "application/xml";
                await http.Response.WriteAsync("<Error><Code>Internal");
                break;
        }
    }

    private async Task RejectS3Async(HttpContext http, HttpStatusCode status, string code, string message)
    {
        Rejections.Enqueue($"{code}: {message}");
        await WriteS3ErrorAsync(http, status, code, message);
    }

    private static async Task WriteS3ErrorAsync(HttpContext http, HttpStatusCode status, string code, string message)
    {
        http.Response.StatusCode = (int)status;
        http.Response.ContentType = "application/xml";
        await http.Response.WriteAsync(new XDocument(new XElement("Error",
            new XElement("Code", code), new XElement("Message", message), new XElement("RequestId", Guid.NewGuid().ToString("N")[..16]))).ToString());
    }

    /// <summary>STS: issues session credentials that this endpoint will then accept.</summary>
    private JsonObject AssumeRole(JsonObject input)
    {
        var accessKey = "ASIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var secret = Guid.NewGuid().ToString("N");
        _secrets[accessKey] = secret;
        var duration = (long?)input["DurationSeconds"] ?? 3600;
        return new JsonObject
        {
            ["Credentials"] = new JsonObject
            {
                ["AccessKeyId"] = accessKey,
                ["SecretAccessKey"] = secret,
                ["SessionToken"] = "session-" + accessKey,
                ["Expiration"] = DateTimeOffset.UtcNow.AddSeconds(duration).ToString("O", CultureInfo.InvariantCulture),
            },
            ["AssumedRoleUser"] = new JsonObject
            {
                ["AssumedRoleId"] = $"AROA0000000000:{input["RoleSessionName"]}",
                ["Arn"] = $"{input["RoleArn"]}/{input["RoleSessionName"]}",
            },
        };
    }

    private async Task AnswerFaultAsync(HttpContext http, AwsFault fault, AwsTestModel model)
    {
        switch (fault)
        {
            case AwsFault.Throttle:
                await WriteErrorAsync(http, HttpStatusCode.BadRequest, model.Protocol == "query" ? "Throttling" : "ThrottlingException", "Rate exceeded", model);
                break;
            case AwsFault.ServerError:
                await WriteErrorAsync(http, HttpStatusCode.InternalServerError, model.Protocol == "query" ? "InternalFailure" : "InternalFailure", "We encountered an internal error. Please try again.", model);
                break;
            case AwsFault.Slow:
                try
                {
                    await Task.Delay(SlowDelay, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                await WriteErrorAsync(http, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "slow reply", model);
                break;
            case AwsFault.Malformed:
                http.Response.ContentType = model.Protocol == "query" ? "text/xml" : "application/x-amz-json-1.1";
                await http.Response.WriteAsync(model.Protocol == "query" ? "<GetMetricDataResponse><GetMetricDataRes" : "{\"services\": [{\"serviceName\": ");
                break;
        }
    }

    private async Task RejectAsync(HttpContext http, HttpStatusCode status, string code, string message, AwsTestModel? model)
    {
        Rejections.Enqueue($"{code}: {message}");
        await WriteErrorAsync(http, status, code, message, model);
    }

    private static async Task WriteErrorAsync(HttpContext http, HttpStatusCode status, string code, string message, AwsTestModel? model)
    {
        http.Response.StatusCode = (int)status;
        if (model?.Protocol == "query")
        {
            http.Response.ContentType = "text/xml";
            var type = (int)status >= 500 ? "Receiver" : "Sender";
            await http.Response.WriteAsync(
                $"<ErrorResponse><Error><Type>{type}</Type><Code>{code}</Code><Message>{System.Security.SecurityElement.Escape(message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>");
        }
        else
        {
            http.Response.ContentType = "application/x-amz-json-1.1";
            http.Response.Headers["x-amzn-ErrorType"] = code;
            await http.Response.WriteAsync(new JsonObject { ["__type"] = code, ["message"] = message }.ToJsonString());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>An object as S3 stored it, with the Object Lock it was put under.</summary>
public sealed record S3TestObject(byte[] Body, string? ContentType, string? ObjectLockMode, string? RetainUntilDate, string ETag);

/// <summary>What S3 itself checks on a PutObject the anchors send (there is no JSON model of S3 here: these are its documented rules).</summary>
internal static class S3Checks
{
    public static void PutObject(IHeaderDictionary headers, IReadOnlyDictionary<string, string> trailers, byte[] payload, List<string> problems)
    {
        var mode = headers["x-amz-object-lock-mode"].ToString();
        var until = headers["x-amz-object-lock-retain-until-date"].ToString();
        if (mode.Length > 0 && mode is not ("GOVERNANCE" or "COMPLIANCE"))
        {
            problems.Add($"x-amz-object-lock-mode must be GOVERNANCE or COMPLIANCE, got '{mode}'");
        }
        if ((mode.Length > 0) != (until.Length > 0))
        {
            problems.Add("x-amz-object-lock-mode and x-amz-object-lock-retain-until-date go together");
        }
        if (until.Length > 0 && !DateTimeOffset.TryParseExact(until, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
        {
            problems.Add($"x-amz-object-lock-retain-until-date must be an ISO 8601 UTC time, got '{until}'");
        }
        // S3 refuses an Object Lock put without Content-MD5 or an x-amz-checksum-*, and a wrong one.
        string? Value(string name) => headers[name].ToString() is { Length: > 0 } h ? h : trailers.GetValueOrDefault(name);
        var md5 = Value("Content-MD5");
        var checksums = new (string Name, Func<byte[], byte[]> Hash)[]
        {
            ("x-amz-checksum-crc32", b => Crc(b, 0xEDB88320)),
            ("x-amz-checksum-crc32c", b => Crc(b, 0x82F63B78)),
            ("x-amz-checksum-sha256", System.Security.Cryptography.SHA256.HashData),
            ("x-amz-checksum-sha1", System.Security.Cryptography.SHA1.HashData),
        };
        var present = checksums.Where(c => Value(c.Name) is not null).ToList();
        if (mode.Length > 0 && md5 is null && present.Count == 0)
        {
            problems.Add("an Object Lock PutObject needs Content-MD5 or an x-amz-checksum-* header");
        }
        if (md5 is not null && md5 != Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(payload)))
        {
            problems.Add("Content-MD5 does not match the body");
        }
        foreach (var (name, hash) in present)
        {
            if (Value(name) != Convert.ToBase64String(hash(payload)))
            {
                problems.Add($"{name} does not match the body");
            }
        }
    }

    /// <summary>A reflected CRC-32 with the given polynomial (0xEDB88320: CRC32; 0x82F63B78: CRC32C), big-endian as S3 sends it.</summary>
    private static byte[] Crc(byte[] data, uint polynomial)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
        }
        crc = ~crc;
        return [(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc];
    }
}
