using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using FinTech.Portal.Aws.Protocol;

namespace FinTech.Portal.Tests.Aws;

/// <summary>The portal's signing (AWSSDK.Core's signer behind <see cref="AwsSigner"/>) against AWS's published SigV4 suite.</summary>
public sealed class SigV4SuiteTests
{
    private static readonly string SuitePath = Path.Combine(SharedFolder.Path, "aws-sigv4-suite", "suite.json");

    /// <summary>Two published vectors contradict themselves: their Authorization header signs
    /// <c>content-type;host;x-amz-date</c> while their canonical request lists
    /// <c>content-length</c> too (or the other way round), so no signer can match both.</summary>
    private static readonly string[] SelfContradictory = ["post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters"];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var test in Suite.RootElement.GetProperty("tests").GetProperty("all").EnumerateArray())
        {
            if (!SelfContradictory.Contains(test.GetProperty("name").GetString()))
            {
                data.Add(test.GetProperty("name").GetString()!);
            }
        }
        return data;
    }

    [Fact]
    public void The_two_left_out_vectors_sign_other_headers_than_their_canonical_request_lists()
    {
        foreach (var name in SelfContradictory)
        {
            var (test, _, _) = Case(name);
            var fromAuthorization = test.GetProperty("authz").GetString()!.Split("SignedHeaders=")[1].Split(',')[0];
            var fromCanonical = test.GetProperty("creq").GetString()!.Split('\n')[^2];
            var fromSigned = test.GetProperty("sreq").GetString()!.Split("SignedHeaders=")[1].Split(',')[0];
            Assert.True(fromAuthorization != fromCanonical || fromAuthorization != fromSigned, name);
        }
    }

    private static readonly JsonDocument Suite = JsonDocument.Parse(File.ReadAllText(SuitePath));

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_test_endpoints_verifier_reproduces_the_published_canonical_request_and_signature(string name)
    {
        var (test, request, config) = Case(name);
        var authz = test.GetProperty("authz").GetString()!;
        var signedHeaders = authz.Split("SignedHeaders=")[1].Split(',')[0].Split(';');

        var canonical = SigV4Verifier.CanonicalRequest(request, signedHeaders);
        var date = Header(request, "X-Amz-Date");

        Assert.Equal(test.GetProperty("creq").GetString(), canonical);
        Assert.Equal(test.GetProperty("sts").GetString(), SigV4Verifier.StringToSign(date, $"{date[..8]}/{config.Region}/{config.Service}/aws4_request", canonical));
        var received = request with { Headers = [.. request.Headers, KeyValuePair.Create("Authorization", authz)] };
        Assert.Null(SigV4Verifier.Verify(received, key => key == config.AccessKey ? config.SecretKey : null, config.Region, config.Service));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_sdk_signer_produces_the_published_signature_from_the_published_canonical_request(string name)
    {
        var (test, request, config) = Case(name);
        var authz = test.GetProperty("authz").GetString()!;
        var signedHeaders = authz.Split("SignedHeaders=")[1].Split(',')[0];
        var date = Header(request, "X-Amz-Date");
        var signedAt = DateTime.ParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        var result = Amazon.Runtime.Internal.Auth.AWS4Signer.ComputeSignature(
            new ImmutableCredentials(config.AccessKey, config.SecretKey, null), config.Region, signedAt, config.Service, signedHeaders,
            test.GetProperty("creq").GetString());

        Assert.Equal(authz, result.ForAuthorizationHeader);
    }

    /// <summary>The basic and session-token cases: the paths the portal sends are plain, so the
    /// path-normalization cases (<c>//</c>, <c>/./</c>) are covered by the two tests above only.</summary>
    public static TheoryData<string> PortalCases()
    {
        var data = new TheoryData<string>();
        var tests = Suite.RootElement.GetProperty("tests");
        foreach (var test in tests.GetProperty("basic").EnumerateArray().Concat(tests.GetProperty("sts").EnumerateArray()))
        {
            data.Add(test.GetProperty("name").GetString()!);
        }
        return data;
    }

    /// <summary>
    /// The portal's whole signing path (AWSSDK.Core's signer: canonicalization included) on each
    /// suite request, checked by the independent verifier. AWSSDK.Core always signs
    /// <c>x-amz-content-sha256</c> as well, so its Authorization differs from the published one
    /// by that header; AWS accepts both.
    /// </summary>
    [Theory]
    [MemberData(nameof(PortalCases))]
    public void The_portal_signs_each_suite_request_so_that_an_independent_verifier_accepts_it(string name)
    {
        var (_, request, config) = Case(name);
        var unsigned = request.Headers.Where(h => !h.Key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)
            && !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)
            && !h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(',', g.Select(h => h.Value)), StringComparer.OrdinalIgnoreCase);
        var host = Header(request, "Host");
        var token = request.Headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)).Value;
        // Paths with dot segments are sent normalized, as an HTTP client would send them.
        var url = new Uri($"https://{host}{request.RawPath}");
        var input = new AwsSigningInput(request.Method, url, unsigned, request.Body, config.Region, config.Service)
        {
            QueryParameters = request.RawQuery.Length == 0 ? [] : request.RawQuery.Split('&').Select(p => p.Split('=', 2))
                .Select(p => KeyValuePair.Create(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))).ToList(),
        };

        var signed = AwsSigner.Sign(input, new ImmutableCredentials(config.AccessKey, config.SecretKey, token));

        var sent = new SigV4Verifier.Request(request.Method, url.AbsolutePath, request.RawQuery,
            [.. signed.Select(h => KeyValuePair.Create(h.Key, h.Value))], request.Body);
        Assert.Null(SigV4Verifier.Verify(sent, key => key == config.AccessKey ? config.SecretKey : null, config.Region, config.Service));
        Assert.Contains("x-amz-date", signed["Authorization"], StringComparison.Ordinal);
    }

    private sealed record SuiteConfig(string Region, string Service, string AccessKey, string SecretKey);

    private static (JsonElement Test, SigV4Verifier.Request Request, SuiteConfig Config) Case(string name)
    {
        var root = Suite.RootElement;
        var config = root.GetProperty("config");
        var test = root.GetProperty("tests").GetProperty("all").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        var request = test.GetProperty("request");
        var headers = request.GetProperty("headers").EnumerateArray()
            .Select(h => KeyValuePair.Create(h[0].GetString()!, h[1].GetString()!)).ToList();
        var query = request.GetProperty("query").GetString()!;
        return (test,
            new SigV4Verifier.Request(request.GetProperty("method").GetString()!, request.GetProperty("path").GetString()!,
                query, headers, Encoding.UTF8.GetBytes(request.GetProperty("body").GetString()!)),
            new SuiteConfig(config.GetProperty("region").GetString()!, config.GetProperty("service").GetString()!,
                config.GetProperty("accessKeyId").GetString()!, config.GetProperty("secretAccessKey").GetString()!));
    }

    private static string Header(SigV4Verifier.Request request, string name) =>
        request.Headers.First(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
