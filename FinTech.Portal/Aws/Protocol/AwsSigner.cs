using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// Signs a request with AWSSDK.Core's Signature Version 4 signer, so the portal signs exactly as
/// the official SDKs do. The request is described to the signer as the SDK's own
/// <see cref="IRequest"/>; the headers it adds (Authorization, X-Amz-Date, X-Amz-Security-Token)
/// are copied to the outgoing message.
/// </summary>
public static class AwsSigner
{
    /// <summary>The headers to send, signature included.</summary>
    public static IDictionary<string, string> Sign(AwsSigningInput input, ImmutableCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = new DefaultRequest(new UnsignedRequest(), input.SigningName)
        {
            HttpMethod = input.Method,
            Endpoint = new Uri(input.Url.GetLeftPart(UriPartial.Authority)),
            ResourcePath = input.Url.AbsolutePath,
            Content = input.Body,
            // Query parameters are in the URL; with a body the signer would otherwise assume a form post.
            UseQueryString = input.QueryParameters.Count > 0,
        };
        foreach (var (name, value) in input.Headers)
        {
            request.Headers[name] = value;
        }
        foreach (var parameter in input.QueryParameters.GroupBy(p => p.Key, StringComparer.Ordinal))
        {
            var values = parameter.Select(p => p.Value).ToList();
            if (values.Count == 1)
            {
                request.Parameters[parameter.Key] = values[0];
            }
            else
            {
                request.ParameterCollection.Add(parameter.Key, values);
            }
        }
        // The signer reads the signing region and service from a client configuration; any concrete
        // one of the SDK serves, the STS client's is at hand.
        var config = new Amazon.SecurityToken.AmazonSecurityTokenServiceConfig
        {
            AuthenticationRegion = input.Region,
            AuthenticationServiceName = input.SigningName,
        };
        if (credentials.UseToken)
        {
            request.Headers["X-Amz-Security-Token"] = credentials.Token;
        }
        var signedAt = input.SignedAt?.UtcDateTime ?? DateTime.UtcNow;
        var result = new AWS4Signer().SignRequest(request, config, null, credentials.AccessKey, credentials.SecretKey, signedAt);
        request.Headers["Authorization"] = result.ForAuthorizationHeader;
        return request.Headers;
    }

    private sealed class UnsignedRequest : AmazonWebServiceRequest;
}

/// <summary>What SigV4 covers: method, URL, headers (Host comes from the URL), query and body.</summary>
public sealed record AwsSigningInput(
    string Method,
    Uri Url,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    string Region,
    string SigningName)
{
    public IReadOnlyList<KeyValuePair<string, string>> QueryParameters { get; init; } = [];

    /// <summary>The signing time; now when null (tests pin it to reproduce published signatures).</summary>
    public DateTimeOffset? SignedAt { get; init; }
}
