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

    public static string CanonicalRequest(Request request, IReadOnlyList<string> signedHeaders, string? payloadHash = null, bool s3 = false)
    {
        var headers = signedHeaders.Select(name =>
        {
            var values = request.Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                .Select(h => string.Join(' ', h.Value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            return $"{name}:{string.Join(',', values)}\n";
        });
        return string.Join('\n',
            request.Method,
            // S3 signs the path as sent (encoded once, not normalized); every other service normalizes it.
            s3 ? request.RawPath : CanonicalPath(request.RawPath),
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
        var s3 = service == "s3";
        var contentHash = Header(request, "X-Amz-Content-Sha256");
        var bodyHash = Hex(SHA256.HashData(request.Body));
        if (s3 && contentHash is null)
        {
            return "S3 requires X-Amz-Content-Sha256";
        }
        if (contentHash is not null && !contentHash.StartsWith("STREAMING-", StringComparison.Ordinal) && contentHash != "UNSIGNED-PAYLOAD" && contentHash != bodyHash)
        {
            return "X-Amz-Content-Sha256 does not match the body";
        }
        var canonical = CanonicalRequest(request, signedHeaders, s3 ? contentHash : null, s3);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var expected = Signature(secret, date, region, service, StringToSign(amzDate, scope, canonical));
        return expected == parts["Signature"] ? null : $"signature mismatch; canonical request was:\n{canonical}";
    }

    /// <summary>
    /// The payload of an <c>aws-chunked</c> body (S3's streaming uploads), with each chunk's signature
    /// and the trailer's checked against the seed signature of the request when the chunks are signed.
    /// Returns the decoded bytes and the trailing headers, or the problem.
    /// </summary>
    public static (byte[]? Payload, Dictionary<string, string> Trailers, string? Problem) DecodeChunked(Request request, Func<string, string?> secretFor)
    {
        var mode = Header(request, "X-Amz-Content-Sha256") ?? "";
        var signed = mode.StartsWith("STREAMING-AWS4-HMAC-SHA256-", StringComparison.Ordinal);
        var authorization = Header(request, "Authorization")!;
        var parts = authorization["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var credential = parts["Credential"].Split('/');
        var scope = string.Join('/', credential[1..]);
        var amzDate = Header(request, "X-Amz-Date") ?? "";
        var previous = parts["Signature"];
        var emptyHash = Hex(SHA256.HashData([]));
        var payload = new MemoryStream();
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = request.Body;
        var at = 0;
        string Line()
        {
            var end = IndexOfCrLf(body, at);
            if (end < 0)
            {
                throw new FormatException("an aws-chunked line has no CRLF");
            }
            var line = Encoding.ASCII.GetString(body, at, end - at);
            at = end + 2;
            return line;
        }
        string ChunkSignature(string previousSignature, ReadOnlySpan<byte> data) => Signature(secretFor(credential[0])!, credential[1], credential[2], credential[3],
            $"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{previousSignature}\n{emptyHash}\n{Hex(SHA256.HashData(data))}");
        try
        {
            while (true)
            {
                var header = Line().Split(';', 2);
                var size = int.Parse(header[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var data = body.AsSpan(at, size);
                if (signed)
                {
                    var sent = header.Length > 1 && header[1].StartsWith("chunk-signature=", StringComparison.Ordinal) ? header[1]["chunk-signature=".Length..] : "";
                    var expected = ChunkSignature(previous, data);
                    if (sent != expected)
                    {
                        return (null, trailers, $"chunk signature mismatch at byte {at}");
                    }
                    previous = expected;
                }
                payload.Write(data);
                at += size;
                if (size == 0)
                {
                    break;
                }
                Line(); // the CRLF after the chunk's data
            }
            // Trailing headers (x-amz-checksum-*), then x-amz-trailer-signature when the chunks are signed.
            var canonicalTrailers = new StringBuilder();
            while (at < body.Length)
            {
                var line = Line();
                if (line.Length == 0)
                {
                    break;
                }
                var (name, value) = (line[..line.IndexOf(':', StringComparison.Ordinal)], line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]);
                if (name.Equals("x-amz-trailer-signature", StringComparison.OrdinalIgnoreCase))
                {
                    var expected = Signature(secretFor(credential[0])!, credential[1], credential[2], credential[3],
                        $"AWS4-HMAC-SHA256-TRAILER\n{amzDate}\n{scope}\n{previous}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalTrailers.ToString())))}");
                    if (value != expected)
                    {
                        return (null, trailers, "trailer signature mismatch");
                    }
                    continue;
                }
                trailers[name] = value;
                canonicalTrailers.Append(name.ToLowerInvariant()).Append(':').Append(value).Append('\n');
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            return (null, trailers, $"malformed aws-chunked body: {e.Message}");
        }
        var decoded = payload.ToArray();
        if (Header(request, "X-Amz-Decoded-Content-Length") is { } length && length != decoded.Length.ToString(CultureInfo.InvariantCulture))
        {
            return (null, trailers, $"X-Amz-Decoded-Content-Length {length} but {decoded.Length} bytes were sent");
        }
        return (decoded, trailers, null);
    }

    private static int IndexOfCrLf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
        {
            if (body[i] == '\r' && body[i + 1] == '\n')
            {
                return i;
            }
        }
        return -1;
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
