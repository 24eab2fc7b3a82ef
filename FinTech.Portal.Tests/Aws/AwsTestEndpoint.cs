using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
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
