using System.Net;

namespace FinTech.Portal.Platform;

/// <summary>
/// An error answered by an AWS service (or the Sandbox acting as one), like the SDK's
/// <c>AmazonServiceException</c>: the service's error code (<c>InvalidDBClusterStateFault</c>, ...),
/// the HTTP status and a message written for people. Typed subclasses per service let callers
/// catch the faults they handle; anything else is still one of these with its code.
/// </summary>
public class PlatformServiceException(string errorCode, HttpStatusCode statusCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The AWS error code as it appears on the wire (<c>Code</c> of the error response).</summary>
    public string ErrorCode { get; } = errorCode;

    public HttpStatusCode StatusCode { get; } = statusCode;
}

/// <summary><c>InvalidParameterValue</c>: a request parameter is malformed (a marker the service did not issue, a bad range).</summary>
public sealed class InvalidParameterValueException(string message)
    : PlatformServiceException("InvalidParameterValue", HttpStatusCode.BadRequest, message);
