using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Amazon.Runtime;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// Who a client calls for: the environment's key, account and region and the role it signs as,
/// so that failures can name them.
/// </summary>
public sealed record AwsCaller(string EnvironmentKey, string AccountId, string Region, string? RoleArn);

/// <summary>
/// A client of one AWS service for one environment, in the shape of the SDK's service clients:
/// <c>InvokeAsync("GetMetricData", request)</c> serializes the request record with the model,
/// signs it, sends it through the (environment, service) resilience pipeline and reads the reply
/// into the response record. Failures reach callers as <see cref="Platform.PlatformUnavailableException"/>
/// with a message that says what to do.
/// </summary>
public sealed class AwsServiceClient
{
    /// <summary>How the port records meet the wire: null members left out, enums as AWS spells them,
    /// member names matched whatever their case (ECS's JSON members are camelCase).</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNameCaseInsensitive = true,
        Converters =
        {
            new JsonStringEnumConverter<Platform.CloudWatch.StateValue>(JsonNamingPolicy.SnakeCaseUpper),
            new JsonStringEnumConverter<Platform.CloudWatch.TreatMissingData>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter(),
            new StatisticConverter(),
        },
    };

    private readonly HttpClient _http;
    private readonly AWSCredentials _credentials;
    private readonly ResiliencePipeline _pipeline;
    private readonly AwsRetryBudget _budget;
    private readonly AwsOptions _options;

    internal AwsServiceClient(AwsServiceModel model, AwsCaller caller, Uri endpoint, HttpClient http,
        AWSCredentials credentials, AwsOptions options, TimeProvider time)
    {
        Model = model;
        Caller = caller;
        Endpoint = endpoint;
        _http = http;
        _credentials = credentials;
        _options = options;
        _budget = new AwsRetryBudget(options.RetryBudget);
        _pipeline = AwsResilience.Create(options, _budget, time);
    }

    public AwsServiceModel Model { get; }
    public AwsCaller Caller { get; }
    public Uri Endpoint { get; }

    /// <summary>Retry tokens left in this (environment, service)'s budget.</summary>
    public int RetryBudgetAvailable => _budget.Available;

    public async Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest request, CancellationToken cancellationToken)
    {
        var input = JsonSerializer.SerializeToNode(request, Json) as JsonObject ?? [];
        var output = await InvokeAsync(operation, input, cancellationToken);
        return output.Deserialize<TResponse>(Json)
            ?? throw new AwsMalformedResponseException(Model.ServiceId, operation, "the reply is empty");
    }

    public async Task<JsonObject> InvokeAsync(string operationName, JsonObject input, CancellationToken cancellationToken)
    {
        var operation = Model.Operation(operationName);
        if (operation.Input is { } inputShape)
        {
            AwsMemberNames.Align(inputShape, input);
        }
        // Serialized once: every attempt sends the same bytes, signed afresh.
        var (body, contentType, target) = Model.Protocol switch
        {
            "query" => (AwsQueryProtocol.FormBody(AwsQueryProtocol.Serialize(operation, input)), "application/x-www-form-urlencoded; charset=utf-8", (string?)null),
            "json" => (AwsJsonProtocol.Serialize(operation, input), AwsJsonProtocol.ContentType(Model), AwsJsonProtocol.Target(operation)),
            _ => throw new NotSupportedException($"The {Model.Protocol} protocol of {Model.ServiceId} is not spoken by the portal."),
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        return await RunAsync(operationName, (credentials, ct) => SendAsync(operation, bytes, contentType, target, credentials, ct), cancellationToken);
    }

    /// <summary>
    /// Runs a call made by an AWS SDK client (DynamoDB, S3) through this (environment, service)'s
    /// retry budget, timeout and circuit breaker, with the same messages for people. The SDK's own
    /// retries are switched off where the client is built.
    /// </summary>
    public Task<T> ExecuteSdkAsync<T>(string operationName, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        // The SDK client signs with the same credentials object, which RunAsync has just resolved: its own look-up finds them cached.
        RunAsync(operationName, async (_, ct) =>
        {
            try
            {
                return await call(ct);
            }
            catch (Amazon.Runtime.AmazonUnmarshallingException e)
            {
                // A reply the SDK could not read is a garbled reply (retried), not a rejection.
                throw new AwsMalformedResponseException(Model.ServiceId, operationName, e.Message, e);
            }
            catch (Amazon.Runtime.AmazonServiceException e) when (e.ErrorCode is not null || e.StatusCode != 0)
            {
                throw new AwsServiceException(Model.ServiceId, operationName, e.ErrorCode ?? $"Http{(int)e.StatusCode}", e.Message, e.StatusCode, e.RequestId);
            }
        }, cancellationToken);

    /// <summary>
    /// One call through the pipeline: attempts counted for the message, and the retry budget settled
    /// as AWS's standard retry mode does — a call that succeeds gives back what its retries took (or
    /// one token when it needed none), so only retries that did not help drain the budget.
    /// </summary>
    /// <remarks>
    /// The credentials are resolved before the pipeline, not in each attempt: assuming the
    /// environment's role is a call to STS (slow on first use, while every dashboard waits for the
    /// same one), and its time must neither count against this service's attempt timeout nor, when
    /// it is slow or fails, open this service's circuit for every caller at once. Assumed credentials
    /// are cached and renewed five minutes before they expire, so they outlast a call's retries.
    /// </remarks>
    private async Task<T> RunAsync<T>(string operationName, Func<ImmutableCredentials, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var credentials = await _credentials.GetCredentialsAsync().WaitAsync(cancellationToken);
            var result = await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    Interlocked.Increment(ref attempts);
                    return await attempt(credentials, ctx.CancellationToken);
                }, context);
            _budget.Release(context.Properties.GetValue(AwsResilience.RetryTokensTaken, 0));
            return result;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw AwsFailures.Explain(error, this, operationName, _options, attempts);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<JsonObject> SendAsync(AwsOperation operation, byte[] body, string contentType, string? target, ImmutableCredentials credentials, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = contentType };
        if (target is not null)
        {
            headers["X-Amz-Target"] = target;
        }
        var signed = AwsSigner.Sign(new AwsSigningInput("POST", Endpoint, headers, body, Caller.Region, Model.SigningName), credentials);

        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in signed)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var response = await _http.SendAsync(message, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault()
            : response.Headers.TryGetValues("x-amz-request-id", out var s3Ids) ? s3Ids.FirstOrDefault() : null;
        if (!response.IsSuccessStatusCode)
        {
            throw ErrorFrom(operation, response, text, requestId);
        }
        try
        {
            return Model.Protocol == "query" ? AwsQueryProtocol.Deserialize(operation, text) : AwsJsonProtocol.Deserialize(operation, text);
        }
        catch (Exception e) when (e is System.Xml.XmlException or JsonException or FormatException or InvalidOperationException)
        {
            throw new AwsMalformedResponseException(Model.ServiceId, operation.Name, e.Message, e);
        }
    }

    private AwsServiceException ErrorFrom(AwsOperation operation, HttpResponseMessage response, string text, string? requestId)
    {
        if (Model.Protocol == "query" && AwsQueryProtocol.ReadError(text) is { } queryError)
        {
            return new AwsServiceException(Model.ServiceId, operation.Name, queryError.Code, queryError.Message, response.StatusCode, queryError.RequestId ?? requestId);
        }
        var header = response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null;
        if (Model.Protocol == "json" && AwsJsonProtocol.ReadError(text, header) is { } jsonError)
        {
            return new AwsServiceException(Model.ServiceId, operation.Name, jsonError.Code, jsonError.Message, response.StatusCode, requestId);
        }
        return new AwsServiceException(Model.ServiceId, operation.Name, $"Http{(int)response.StatusCode}",
            text.Length > 200 ? text[..200] : text, response.StatusCode, requestId);
    }
}

/// <summary>Turns what went wrong into a sentence an SRE can act on.</summary>
internal static class AwsFailures
{
    private static readonly Dictionary<string, string> ActionPrefixes = new(StringComparer.Ordinal)
    {
        ["monitoring"] = "cloudwatch",
        ["elasticloadbalancing"] = "elasticloadbalancing",
    };

    /// <summary>
    /// A fault of the request itself (a 4xx that is not about access, credentials or throttling)
    /// becomes the port's <see cref="Platform.PlatformServiceException"/> with AWS's code, so that
    /// adapters can raise the typed faults their port promises; everything else is unavailability.
    /// </summary>
    public static Exception Explain(Exception error, AwsServiceClient client, string operation, AwsOptions options, int attempts)
    {
        // Fewer attempts than allowed after a retryable fault means the retry budget said no.
        var tries = attempts >= options.MaxAttempts || attempts == 0 ? $"{options.MaxAttempts} attempts"
            : $"{attempts} attempt{(attempts == 1 ? "" : "s")}, the retry budget of {client.Model.ServiceId} for '{client.Caller.EnvironmentKey}' being spent";
        var service = client.Model.ServiceId;
        var caller = client.Caller;
        var who = caller.RoleArn is { } role ? $"the role {role[(role.LastIndexOf('/') + 1)..]} in {caller.AccountId}" : $"the portal's own credentials (account {caller.AccountId})";
        var action = $"{ActionPrefixes.GetValueOrDefault(client.Model.EndpointPrefix, client.Model.SigningName)}:{operation}";
        if (error is AwsServiceException fault && (int)fault.Status is >= 400 and < 500 && !fault.IsRetryable
            && !AwsServiceException.AccessDeniedCodes.Contains(fault.Code) && !AwsServiceException.CredentialCodes.Contains(fault.Code))
        {
            return new Platform.PlatformServiceException(fault.Code, fault.Status,
                $"{service} rejected {operation} for '{caller.EnvironmentKey}': {fault.Code}: {fault.AwsMessage}", fault);
        }
        var message = error switch
        {
            Platform.PlatformUnavailableException already => already.Message,
            AwsServiceException e when AwsServiceException.AccessDeniedCodes.Contains(e.Code) =>
                $"{service} denied {operation}: {who} lacks {action} (add it to infra/portal-aws-actions.json and redeploy the portal access stack).",
            AwsServiceException e when AwsServiceException.CredentialCodes.Contains(e.Code) =>
                $"{service} refused the credentials of {who} for {operation} ({e.Code}): check the portal's clock and its role, then retry.",
            AwsServiceException e when e.IsThrottling =>
                $"{service} throttled {operation} for '{caller.EnvironmentKey}' ({e.Code}) after {tries}; the data will catch up at the next refresh. If it persists, raise the {service} API quota in {caller.AccountId}.",
            AwsServiceException e when (int)e.Status >= 500 =>
                $"{service} failed {operation} for '{caller.EnvironmentKey}' ({e.Code}, HTTP {(int)e.Status}) after {tries}; AWS-side trouble, check the AWS Health Dashboard for {caller.Region}.",
            AwsServiceException e =>
                $"{service} rejected {operation} for '{caller.EnvironmentKey}': {e.Code}: {e.AwsMessage}",
            TimeoutRejectedException =>
                $"{service} did not answer {operation} for '{caller.EnvironmentKey}' within {options.AttemptTimeout.TotalSeconds:0.#} s ({tries}); check the network path to {client.Endpoint.Host}.",
            BrokenCircuitException =>
                $"Calls to {service} for '{caller.EnvironmentKey}' are paused for up to {options.BreakDuration.TotalSeconds:0} s after repeated failures; they resume by themselves.",
            AwsMalformedResponseException e => $"{e.Message} ({tries}); check the endpoint {client.Endpoint}.",
            HttpRequestException e =>
                $"{service} could not be reached at {client.Endpoint.Host} for '{caller.EnvironmentKey}' ({e.Message}); check DNS, the VPC endpoint or AWS_ENDPOINT_URL.",
            ArgumentException e => $"The portal built a {service} {operation} request that does not fit the API model: {e.Message}",
            _ => $"{service} {operation} for '{caller.EnvironmentKey}' failed: {error.GetType().Name}: {error.Message}",
        };
        return new Platform.PlatformUnavailableException(message, error);
    }
}

/// <summary>A CloudWatch statistic on the wire: <c>Average</c>, <c>p99</c>, ...</summary>
internal sealed class StatisticConverter : JsonConverter<Platform.Statistic>
{
    public override Platform.Statistic Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Platform.Statistic.Parse(reader.GetString() ?? "");

    public override void Write(Utf8JsonWriter writer, Platform.Statistic value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Name);
}

/// <summary>Renames a request's members to the model's spelling (the records are PascalCase, some JSON models camelCase).</summary>
internal static class AwsMemberNames
{
    public static void Align(Shape shape, JsonNode? value)
    {
        switch (shape.Type)
        {
            case "structure" when value is JsonObject obj:
                var members = shape.Members.ToList();
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var match = members.FirstOrDefault(m => string.Equals(m.Name, key, StringComparison.OrdinalIgnoreCase));
                    if (match.Name is null)
                    {
                        continue;
                    }
                    var node = obj[key];
                    if (match.Name != key)
                    {
                        obj.Remove(key);
                        obj[match.Name] = node;
                    }
                    Align(match.Shape, node);
                }
                break;
            case "list" when value is JsonArray array:
                foreach (var item in array)
                {
                    Align(shape.Member, item);
                }
                break;
            case "map" when value is JsonObject map:
                foreach (var (_, entry) in map)
                {
                    Align(shape.Value, entry);
                }
                break;
        }
    }
}
