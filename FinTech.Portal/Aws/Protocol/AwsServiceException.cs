using System.Net;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>An error reply from an AWS service: its code, message, HTTP status and request id.</summary>
public sealed class AwsServiceException(
    string serviceId, string operation, string code, string message, HttpStatusCode status, string? requestId)
    : Exception($"{serviceId} {operation} failed: {code} ({(int)status}) {message}")
{
    public string ServiceId { get; } = serviceId;
    public string Operation { get; } = operation;
    public string Code { get; } = code;
    public string AwsMessage { get; } = message;
    public HttpStatusCode Status { get; } = status;
    public string? RequestId { get; } = requestId;

    /// <summary>The codes AWS's SDKs retry as throttling (standard retry mode).</summary>
    public static readonly IReadOnlySet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    /// <summary>Transient service-side codes the SDKs retry whatever the status.</summary>
    public static readonly IReadOnlySet<string> TransientCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
    };

    public static readonly IReadOnlySet<string> AccessDeniedCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "UnauthorizedAccess",
    };

    public static readonly IReadOnlySet<string> CredentialCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException",
        "SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignatureException", "MissingAuthenticationToken",
    };

    public bool IsThrottling => ThrottlingCodes.Contains(Code) || Status == HttpStatusCode.TooManyRequests;

    public bool IsRetryable => IsThrottling || TransientCodes.Contains(Code) || (int)Status >= 500;
}

/// <summary>A reply that is not what the protocol promises (cut short, not XML/JSON): retried like a 5xx.</summary>
public sealed class AwsMalformedResponseException(string serviceId, string operation, string detail, Exception? inner = null)
    : Exception($"{serviceId} {operation} answered with a malformed reply: {detail}", inner);
