namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// Where a service's calls go, as the AWS SDKs decide it: <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>
/// (the service id upper-cased, spaces as underscores: <c>AWS_ENDPOINT_URL_CLOUDWATCH_LOGS</c>),
/// then <c>AWS_ENDPOINT_URL</c>, then the regional endpoint. The first two point the portal at
/// LocalStack or a test endpoint.
/// </summary>
public sealed class AwsEndpoints(Func<string, string?> environmentVariable)
{
    public Uri For(string serviceId, string endpointPrefix, string region) =>
        Override(serviceId) ?? Regional(endpointPrefix, region);

    /// <summary>The configured override for a service, if any.</summary>
    public Uri? Override(string serviceId)
    {
        var specific = environmentVariable($"AWS_ENDPOINT_URL_{serviceId.ToUpperInvariant().Replace(' ', '_')}");
        var general = environmentVariable("AWS_ENDPOINT_URL");
        var configured = !string.IsNullOrWhiteSpace(specific) ? specific : general;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return null;
        }
        return Uri.TryCreate(configured.TrimEnd('/') + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new InvalidOperationException($"The endpoint '{configured}' for {serviceId} is not an http(s) URL (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_<SERVICE>).");
    }

    public static Uri Regional(string endpointPrefix, string region)
    {
        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://{endpointPrefix}.{region}.{suffix}/");
    }
}
