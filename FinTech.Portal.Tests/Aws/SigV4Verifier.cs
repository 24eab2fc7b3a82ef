using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// An independent SigV4 implementation (no AWSSDK code), written from AWS's specification, used by
/// the test endpoint to check every request the portal sends. It is itself proven against the
/// published suite in <see cref="SigV4SuiteTests"/>.
/// </summary>
public static class SigV4Verifier
{
    public sealed record Request(string Method, string RawPath, string RawQuery, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

    public static string CanonicalRequest(Request request, IReadOnlyList<string> signedHeaders, string? payloadHash = null)
    {
        var headers = signedHeaders.Select(name =>
        {
            var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                .Select(h => string.Join(' ', h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            return $"{name}:{string.Join(',', values)}\n";
        });
        return string.Join('\n',
            request.Method,
            CanonicalPath(request.RawPath),
            CanonicalQuery(request.RawQuery),
            string.Concat(headers),
            string.Join(';', signedHeaders),
            payloadHash ?? Hex(SHA256.HashData(request.Body)));
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretKey, string date, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>Checks the Authorization header of a received request; returns the problem, or null when it verifies.</summary>
    public static string? Verify(Request request, Func<string, string?> secretFor, string expectedRegion, string expectedService)
    {
        var authorization = Header(request, "Authorization");
        if (authorization is null || !authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return "missing or non-SigV4 Authorization header";
        }
        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var credential = parts["Credential"].Split('/');
        if (credential.Length != 5 || credential[4] != "aws4_request")
        {
            return $"malformed credential scope {parts["Credential"]}";
        }
        var (accessKey, date, region, service) = (credential[0], credential[1], credential[2], credential[3]);
        if (region != expectedRegion || service != expectedService)
        {
            return $"signed for {region}/{service}, expected {expectedRegion}/{expectedService}";
        }
        var secret = secretFor(accessKey);
        if (secret is null)
        {
            return $"unknown access key {accessKey}";
        }
        var amzDate = Header(request, "X-Amz-Date") ?? "";
        if (!amzDate.StartsWith(date, StringComparison.Ordinal))
        {
            return "X-Amz-Date does not match the credential scope";
        }
        var signedHeaders = parts["SignedHeaders"].Split(';');
        if (!signedHeaders.Contains("host"))
        {
            return "the Host header is not signed";
        }
        var contentHash = Header(request, "X-Amz-Content-Sha256");
        var bodyHash = Hex(SHA256.HashData(request.Body));
        if (contentHash is not null && contentHash != bodyHash)
        {
            return "X-Amz-Content-Sha256 does not match the body";
        }
        var canonical = CanonicalRequest(request, signedHeaders);
        var expected = Signature(secret, date, region, service, StringToSign(amzDate, $"{date}/{region}/{service}/aws4_request", canonical));
        return expected == parts["Signature"] ? null : $"signature mismatch; canonical request was:\n{canonical}";
    }

    private static string? Header(Request request, string name) =>
        request.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string CanonicalPath(string rawPath)
    {
        // Every service but S3 normalizes the path (RFC 3986 dot segments, no empty segments), then
        // encodes each segment twice... once, as the path arrives already encoded once.
        var segments = new List<string>();
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                continue;
            }
            segments.Add(Encode(Uri.UnescapeDataString(segment)));
        }
        var path = "/" + string.Join('/', segments);
        return rawPath.EndsWith('/') && segments.Count > 0 ? path + "/" : path;
    }

    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }
        return string.Join('&', rawQuery.Split('&')
            .Select(p => p.Split('=', 2))
            .Select(p => (Key: Encode(Uri.UnescapeDataString(p[0])), Value: Encode(Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    private static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' ? c.ToString() : "%" + b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
