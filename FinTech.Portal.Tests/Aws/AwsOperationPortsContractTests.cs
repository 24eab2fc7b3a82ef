using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.Ecr;
using FinTech.Portal.Platform.SecretsManager;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// The ports the operations use — Secrets Manager, ECR and the write probe — over real HTTP
/// against <see cref="AwsTestEndpoint"/> (signature verified independently, bodies checked against
/// the published models): every operation, its pagination and each error class.
/// </summary>
public sealed class AwsOperationPortsContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const string SecretArn = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:fintech/prod/api-key-AbCdEf";
    private AwsTestHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsTestHarness.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.True(_aws.Endpoint.Rejections.IsEmpty, string.Join("\n", _aws.Endpoint.Rejections));
        await _aws.DisposeAsync();
    }

    private AwsSecretsManager Secrets => new(_aws.Client(AwsClients.SecretsManager));

    private AwsEcr Ecr => new(_aws.Client(AwsClients.Ecr));

    [Fact]
    public async Task ListSecrets_pages_with_NextToken_and_reads_rotation_metadata_and_version_stages()
    {
        _aws.Endpoint.On(AwsClients.SecretsManager, "ListSecrets", input => (string?)input["NextToken"] is null
            ? new JsonObject { ["SecretList"] = new JsonArray(SecretEntry("fintech/prod/api-key", "v1", "v2")), ["NextToken"] = "page-2" }
            : new JsonObject { ["SecretList"] = new JsonArray(SecretEntry("rds!cluster-0a1b", "r1", "r2")) });

        var first = await Secrets.ListSecretsAsync(new ListSecretsRequest { MaxResults = 1, Filters = [new SecretsFilter("name", ["fintech/prod/", "rds!cluster-"])] });
        var second = await Secrets.ListSecretsAsync(new ListSecretsRequest { MaxResults = 1, NextToken = first.NextToken });

        var secret = Assert.Single(first.SecretList);
        Assert.Equal(("fintech/prod/api-key", true, 30L, "page-2"), (secret.Name, secret.RotationEnabled, secret.RotationRules!.AutomaticallyAfterDays, first.NextToken));
        Assert.Equal([VersionStages.Current], secret.SecretVersionsToStages["v2"]);
        Assert.Equal(Start.AddDays(-30), secret.LastRotatedDate);
        Assert.Equal(("rds!cluster-0a1b", null), (Assert.Single(second.SecretList).Name, second.NextToken));
        var calls = _aws.Endpoint.CallsOf("ListSecrets");
        Assert.Equal(["fintech/prod/", "rds!cluster-"], calls[0].Input["Filters"]![0]!["Values"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("page-2", (string?)calls[1].Input["NextToken"]);
    }

    [Fact]
    public async Task ListSecrets_types_a_paging_token_the_service_did_not_issue()
    {
        _aws.Endpoint.On(AwsClients.SecretsManager, "ListSecrets", _ =>
            throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidNextTokenException", "The NextToken value is invalid."));

        var error = await Assert.ThrowsAsync<SecretsManagerInvalidNextTokenException>(() => Secrets.ListSecretsAsync(new ListSecretsRequest { NextToken = "forged" }));

        Assert.Equal(("InvalidNextTokenException", HttpStatusCode.BadRequest), (error.ErrorCode, error.StatusCode));
        Assert.Contains("Secrets Manager rejected ListSecrets for 'prod'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeSecret_reads_which_version_holds_each_stage_and_types_a_missing_secret()
    {
        _aws.Endpoint.On(AwsClients.SecretsManager, "DescribeSecret", input => (string?)input["SecretId"] == "fintech/prod/api-key"
            ? new JsonObject
            {
                ["ARN"] = SecretArn, ["Name"] = "fintech/prod/api-key", ["RotationEnabled"] = true,
                ["RotationLambdaARN"] = "arn:aws:lambda:eu-west-1:333333333333:function:fintech-prod-rotate",
                ["RotationRules"] = new JsonObject { ["AutomaticallyAfterDays"] = 30, ["Duration"] = "3h" },
                ["LastRotatedDate"] = Start.ToString("O"), ["NextRotationDate"] = Start.AddDays(30).ToString("O"),
                ["VersionIdsToStages"] = new JsonObject
                {
                    ["11111111-1111-1111-1111-111111111111"] = new JsonArray(VersionStages.Previous),
                    ["22222222-2222-2222-2222-222222222222"] = new JsonArray(VersionStages.Current),
                    ["33333333-3333-3333-3333-333333333333"] = new JsonArray(VersionStages.Pending),
                },
                ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "env", ["Value"] = "prod" }),
            }
            : throw new AwsTestError(HttpStatusCode.BadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."));

        var secret = await Secrets.DescribeSecretAsync(new DescribeSecretRequest { SecretId = "fintech/prod/api-key" });
        var missing = await Assert.ThrowsAsync<SecretsManagerResourceNotFoundException>(() =>
            Secrets.DescribeSecretAsync(new DescribeSecretRequest { SecretId = "fintech/prod/nope" }));

        Assert.Equal("22222222-2222-2222-2222-222222222222", secret.VersionWith(VersionStages.Current));
        Assert.Equal("33333333-3333-3333-3333-333333333333", secret.VersionWith(VersionStages.Pending));
        Assert.Equal(("3h", Start.AddDays(30)), (secret.RotationRules!.Duration, secret.NextRotationDate));
        Assert.Equal(new SecretTag("env", "prod"), Assert.Single(secret.Tags));
        Assert.Equal("ResourceNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task RotateSecret_sends_the_idempotency_token_fills_one_in_when_missing_and_types_its_faults()
    {
        var answers = new Queue<Func<JsonObject, JsonObject>>([
            input => new JsonObject { ["ARN"] = SecretArn, ["Name"] = "fintech/prod/api-key", ["VersionId"] = (string?)input["ClientRequestToken"] },
            input => new JsonObject { ["ARN"] = SecretArn, ["Name"] = "fintech/prod/api-key", ["VersionId"] = (string?)input["ClientRequestToken"] },
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidRequestException", "A previous rotation isn't complete. That rotation will be reattempted."),
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidParameterException", "You provided an invalid value for ClientRequestToken."),
        ]);
        _aws.Endpoint.On(AwsClients.SecretsManager, "RotateSecret", input => answers.Dequeue()(input));
        var token = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

        var rotated = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = SecretArn, ClientRequestToken = token, RotateImmediately = true });
        var filled = await Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = SecretArn });
        var busy = await Assert.ThrowsAsync<SecretsManagerInvalidRequestException>(() => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = SecretArn, ClientRequestToken = token }));
        var bad = await Assert.ThrowsAsync<SecretsManagerInvalidParameterException>(() => Secrets.RotateSecretAsync(new RotateSecretRequest { SecretId = SecretArn, ClientRequestToken = token }));

        Assert.Equal(token, rotated.VersionId);
        Assert.True(Guid.TryParse(filled.VersionId, out _), filled.VersionId);
        Assert.Contains("A previous rotation isn't complete", busy.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidParameterException", bad.ErrorCode);
        var calls = _aws.Endpoint.CallsOf("RotateSecret");
        Assert.Equal((token, true), ((string?)calls[0].Input["ClientRequestToken"], (bool?)calls[0].Input["RotateImmediately"]));
        Assert.Equal(filled.VersionId, (string?)calls[1].Input["ClientRequestToken"]);
    }

    [Fact]
    public async Task DescribeImages_sends_the_tag_filter_pages_with_nextToken_and_orders_pushes_oldest_first()
    {
        _aws.Endpoint.On(AwsClients.Ecr, "DescribeImages", input => (string?)input["nextToken"] is null
            ? new JsonObject
            {
                ["imageDetails"] = new JsonArray(Image("sha256:bbb", "v1.47.0", Start.AddDays(-1), critical: 1), Image("sha256:aaa", "v1.46.0", Start.AddDays(-8), critical: 0)),
                ["nextToken"] = "images-2",
            }
            : new JsonObject { ["imageDetails"] = new JsonArray(Image("sha256:ccc", "v1.45.0", Start.AddDays(-20), critical: 0)) });

        var first = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/api", TagStatus = "TAGGED", MaxResults = 2 });
        var second = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/api", TagStatus = "TAGGED", MaxResults = 2, NextToken = first.NextToken });

        Assert.Equal(["sha256:aaa", "sha256:bbb"], first.ImageDetails.Select(i => i.ImageDigest));
        var latest = first.ImageDetails[1];
        Assert.Equal(["v1.47.0"], latest.ImageTags);
        Assert.Equal((1, "COMPLETE", Start.AddDays(-1)),
            (latest.ImageScanFindingsSummary!.FindingSeverityCounts["CRITICAL"], latest.ImageScanStatus!.Status, latest.ImagePushedAt));
        Assert.Equal(("images-2", null, "sha256:ccc"), (first.NextToken, second.NextToken, Assert.Single(second.ImageDetails).ImageDigest));
        var calls = _aws.Endpoint.CallsOf("DescribeImages");
        Assert.Equal(("fintech/api", "TAGGED", 2L), ((string?)calls[0].Input["repositoryName"], (string?)calls[0].Input["filter"]!["tagStatus"], (long?)calls[0].Input["maxResults"]));
        Assert.Equal("images-2", (string?)calls[1].Input["nextToken"]);
    }

    [Fact]
    public async Task DescribeImages_asks_for_images_by_digest_and_types_each_ECR_fault()
    {
        var answers = new Queue<Func<JsonObject, JsonObject>>([
            input => new JsonObject { ["imageDetails"] = new JsonArray(Image((string)input["imageIds"]![0]!["imageDigest"]!, "v1.46.0", Start, critical: 0)) },
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "ImageNotFoundException", "The image with imageId {imageDigest:'sha256:nope'} does not exist within the repository"),
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "The repository with name 'fintech/nope' does not exist in the registry with id '333333333333'"),
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "InvalidParameterException", "Invalid parameter at 'maxResults' failed to satisfy constraint"),
        ]);
        _aws.Endpoint.On(AwsClients.Ecr, "DescribeImages", input => answers.Dequeue()(input));

        var byDigest = await Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/api", ImageIds = [new ImageIdentifier { ImageDigest = "sha256:aaa" }] });
        var image = await Assert.ThrowsAsync<EcrImageNotFoundException>(() =>
            Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/api", ImageIds = [new ImageIdentifier { ImageDigest = "sha256:nope" }] }));
        var repository = await Assert.ThrowsAsync<EcrRepositoryNotFoundException>(() => Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/nope" }));
        var parameter = await Assert.ThrowsAsync<EcrInvalidParameterException>(() => Ecr.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = "fintech/api", MaxResults = 1000 }));

        Assert.Equal("sha256:aaa", Assert.Single(byDigest.ImageDetails).ImageDigest);
        Assert.Equal(("ImageNotFoundException", "RepositoryNotFoundException", "InvalidParameterException"), (image.ErrorCode, repository.ErrorCode, parameter.ErrorCode));
        Assert.Equal("sha256:aaa", (string?)_aws.Endpoint.CallsOf("DescribeImages")[0].Input["imageIds"]![0]!["imageDigest"]);
    }

    [Fact]
    public async Task DescribeRepositories_reads_scan_on_push_and_encryption_pages_and_types_a_missing_repository()
    {
        _aws.Endpoint.On(AwsClients.Ecr, "DescribeRepositories", input => input["repositoryNames"]?.AsArray().Any(n => (string?)n == "fintech/nope") == true
            ? throw new AwsTestError(HttpStatusCode.BadRequest, "RepositoryNotFoundException", "The repository with name 'fintech/nope' does not exist")
            : (string?)input["nextToken"] is null
                ? new JsonObject { ["repositories"] = new JsonArray(RepositoryJson("fintech/api")), ["nextToken"] = "repos-2" }
                : new JsonObject { ["repositories"] = new JsonArray(RepositoryJson("fintech/portal")) });

        var first = await Ecr.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { MaxResults = 1 });
        var second = await Ecr.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { MaxResults = 1, NextToken = first.NextToken });
        var missing = await Assert.ThrowsAsync<EcrRepositoryNotFoundException>(() =>
            Ecr.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = ["fintech/nope"] }));

        var api = Assert.Single(first.Repositories);
        Assert.Equal(("fintech/api", "IMMUTABLE", true, "KMS", Start.AddDays(-400)), (api.RepositoryName, api.ImageTagMutability, api.ScanOnPush, api.EncryptionType, api.CreatedAt));
        Assert.Equal("333333333333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api", api.RepositoryUri);
        Assert.Equal(("repos-2", null, "fintech/portal"), (first.NextToken, second.NextToken, Assert.Single(second.Repositories).RepositoryName));
        Assert.Equal("RepositoryNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task The_write_probe_reads_the_canarys_per_second_metrics_and_marks_the_seconds_with_failed_writes()
    {
        var now = Start.AddMinutes(10);
        _aws.Endpoint.On(AwsClients.CloudWatch, "GetMetricData", input =>
        {
            var results = new JsonArray();
            foreach (var query in input["MetricDataQueries"]!.AsArray())
            {
                Assert.Equal(1L, (long?)query!["MetricStat"]!["Period"]);
                var metric = (string)query["MetricStat"]!["Metric"]!["MetricName"]!;
                // Seconds 0..9; the canary published nothing for second 4; seconds 6 and 7 failed.
                var seconds = Enumerable.Range(0, 10).Where(s => s != 4).ToList();
                double Value(int s) => metric switch
                {
                    PlatformCatalogue.WriteProbeAttempts => 1,
                    PlatformCatalogue.WriteProbeFailures => s is 6 or 7 ? 1 : 0,
                    _ => s is 6 or 7 ? 1000 : 2.5,
                };
                results.Add(new JsonObject
                {
                    ["Id"] = (string?)query["Id"],
                    ["Timestamps"] = new JsonArray(seconds.Select(s => (JsonNode)Start.AddSeconds(s).ToString("O", CultureInfo.InvariantCulture)).ToArray()),
                    ["Values"] = new JsonArray(seconds.Select(s => (JsonNode)Value(s)).ToArray()),
                    ["StatusCode"] = "Complete",
                });
            }
            return new JsonObject { ["MetricDataResults"] = results };
        });
        var probe = new AwsWriteProbe(new AwsCloudWatch(_aws.Client(AwsClients.CloudWatch)), new FakeTimeProvider(now));

        var samples = await probe.GetWriteProbeSamplesAsync(new WriteProbeRequest(WriteProbeTarget.AuroraWriter, Start.AddMilliseconds(-300), Start.AddSeconds(10)));

        Assert.Equal([0, 1, 2, 3, 5, 6, 7, 8, 9], samples.Select(s => (int)(s.Time - Start).TotalSeconds));
        Assert.Equal([6, 7], samples.Where(s => !s.Succeeded).Select(s => (int)(s.Time - Start).TotalSeconds));
        Assert.StartsWith("the write-probe canary counted 1 failed write(s) of 1 to the AuroraWriter in this second", samples.First(s => !s.Succeeded).Error, StringComparison.Ordinal);
        Assert.Equal(2.5, samples[0].LatencyMilliseconds);
        var unavailability = WriteUnavailability.From(samples);
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (unavailability.FailedSamples, unavailability.Unavailable));
        var call = Assert.Single(_aws.Endpoint.CallsOf("GetMetricData"));
        Assert.Equal(Start, DateTimeOffset.Parse((string)call.Input["StartTime"]!, CultureInfo.InvariantCulture));
        Assert.Equal([("AuroraWriter", PlatformCatalogue.WriteProbeNamespace)],
            call.Input["MetricDataQueries"]!.AsArray().Select(q => ((string)q!["MetricStat"]!["Metric"]!["Dimensions"]![0]!["Value"]!, (string)q["MetricStat"]!["Metric"]!["Namespace"]!)).Distinct());
    }

    [Fact]
    public async Task The_write_probe_refuses_a_range_older_than_CloudWatch_keeps_per_second_data_without_calling_it()
    {
        var probe = new AwsWriteProbe(new AwsCloudWatch(_aws.Client(AwsClients.CloudWatch)), new FakeTimeProvider(Start.AddHours(4)));

        var error = await Assert.ThrowsAsync<InvalidParameterValueException>(() =>
            probe.GetWriteProbeSamplesAsync(new WriteProbeRequest(WriteProbeTarget.RedisPrimary, Start, Start.AddMinutes(5))));

        Assert.StartsWith("CloudWatch keeps the write probe's per-second datapoints for 3 hours", error.Message, StringComparison.Ordinal);
        Assert.Empty(_aws.Endpoint.CallsOf("GetMetricData"));
    }

    private static JsonObject SecretEntry(string name, string previous, string current) => new()
    {
        ["ARN"] = $"arn:aws:secretsmanager:eu-west-1:333333333333:secret:{name}-AbCdEf",
        ["Name"] = name,
        ["KmsKeyId"] = "arn:aws:kms:eu-west-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ["RotationEnabled"] = true,
        ["RotationRules"] = new JsonObject { ["AutomaticallyAfterDays"] = 30 },
        ["LastRotatedDate"] = Start.AddDays(-30).ToString("O"),
        ["LastChangedDate"] = Start.AddDays(-30).ToString("O"),
        ["SecretVersionsToStages"] = new JsonObject { [previous] = new JsonArray(VersionStages.Previous), [current] = new JsonArray(VersionStages.Current) },
        ["CreatedDate"] = Start.AddDays(-400).ToString("O"),
    };

    private static JsonObject Image(string digest, string tag, DateTimeOffset pushedAt, int critical) => new()
    {
        ["registryId"] = "333333333333",
        ["repositoryName"] = "fintech/api",
        ["imageDigest"] = digest,
        ["imageTags"] = new JsonArray(tag),
        ["imageSizeInBytes"] = 98_765_432,
        ["imagePushedAt"] = pushedAt.ToString("O"),
        ["imageScanStatus"] = new JsonObject { ["status"] = "COMPLETE", ["description"] = "The scan was completed successfully." },
        ["imageScanFindingsSummary"] = new JsonObject
        {
            ["imageScanCompletedAt"] = pushedAt.AddMinutes(2).ToString("O"),
            ["findingSeverityCounts"] = new JsonObject { ["CRITICAL"] = critical, ["MEDIUM"] = 3 },
        },
        ["imageManifestMediaType"] = "application/vnd.oci.image.manifest.v1+json",
    };

    private static JsonObject RepositoryJson(string name) => new()
    {
        ["repositoryArn"] = $"arn:aws:ecr:eu-west-1:333333333333:repository/{name}",
        ["registryId"] = "333333333333",
        ["repositoryName"] = name,
        ["repositoryUri"] = $"333333333333.dkr.ecr.eu-west-1.amazonaws.com/{name}",
        ["createdAt"] = Start.AddDays(-400).ToString("O"),
        ["imageTagMutability"] = "IMMUTABLE",
        ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = true },
        ["encryptionConfiguration"] = new JsonObject { ["encryptionType"] = "KMS", ["kmsKey"] = "arn:aws:kms:eu-west-1:333333333333:key/1234" },
    };
}
