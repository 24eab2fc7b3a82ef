using System.Text.Json;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecr;

namespace FinTech.Portal.Aws;

/// <summary>
/// ECR over awsJson 1.1 (<c>AmazonEC2ContainerRegistry_V20150921.*</c>): <c>DescribeImages</c> and
/// <c>DescribeRepositories</c>, with ECR's faults typed as the port promises. Where the port's records
/// are flatter than the wire (<c>filter.tagStatus</c>, <c>imageScanningConfiguration.scanOnPush</c>,
/// <c>encryptionConfiguration.encryptionType</c>) the adapter maps them here.
/// </summary>
public sealed class AwsEcr(AwsServiceClient client) : IEcr
{
    public async Task<DescribeImagesResponse> DescribeImagesAsync(DescribeImagesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var input = new JsonObject
        {
            ["registryId"] = request.RegistryId,
            ["repositoryName"] = request.RepositoryName,
            ["nextToken"] = request.NextToken,
            ["maxResults"] = request.MaxResults,
        };
        if (request.ImageIds.Count > 0)
        {
            input["imageIds"] = JsonSerializer.SerializeToNode(request.ImageIds, AwsServiceClient.Json);
        }
        if (request.TagStatus is not null)
        {
            input["filter"] = new JsonObject { ["tagStatus"] = request.TagStatus };
        }
        var output = await Call("DescribeImages", input, cancellationToken);
        var images = output["imageDetails"].Deserialize<List<ImageDetail>>(AwsServiceClient.Json) ?? [];
        return new DescribeImagesResponse
        {
            // ECR answers in no particular order; the port promises oldest push first (within a page).
            ImageDetails = images.OrderBy(i => i.ImagePushedAt ?? DateTimeOffset.MinValue).ToList(),
            NextToken = (string?)output["nextToken"],
        };
    }

    public async Task<DescribeRepositoriesResponse> DescribeRepositoriesAsync(DescribeRepositoriesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var input = new JsonObject
        {
            ["registryId"] = request.RegistryId,
            ["nextToken"] = request.NextToken,
            ["maxResults"] = request.MaxResults,
        };
        if (request.RepositoryNames.Count > 0)
        {
            input["repositoryNames"] = new JsonArray(request.RepositoryNames.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
        }
        var output = await Call("DescribeRepositories", input, cancellationToken);
        return new DescribeRepositoriesResponse
        {
            Repositories = (output["repositories"]?.AsArray() ?? []).Select(r => new Repository
            {
                RepositoryArn = (string)r!["repositoryArn"]!,
                RegistryId = (string)r["registryId"]!,
                RepositoryName = (string)r["repositoryName"]!,
                RepositoryUri = (string)r["repositoryUri"]!,
                CreatedAt = r["createdAt"].Deserialize<DateTimeOffset?>(AwsServiceClient.Json),
                ImageTagMutability = (string?)r["imageTagMutability"] ?? "MUTABLE",
                ScanOnPush = (bool?)r["imageScanningConfiguration"]?["scanOnPush"] ?? false,
                EncryptionType = (string?)r["encryptionConfiguration"]?["encryptionType"],
            }).ToList(),
            NextToken = (string?)output["nextToken"],
        };
    }

    private async Task<JsonObject> Call(string operation, JsonObject input, CancellationToken cancellationToken)
    {
        // Absent members are left out, as the SDKs do, rather than sent as null.
        foreach (var name in input.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            input.Remove(name);
        }
        try
        {
            return await client.InvokeAsync(operation, input, cancellationToken);
        }
        catch (PlatformServiceException fault) when (fault.GetType() == typeof(PlatformServiceException))
        {
            throw fault.ErrorCode switch
            {
                "RepositoryNotFoundException" => new EcrRepositoryNotFoundException(fault.Message),
                "ImageNotFoundException" => new EcrImageNotFoundException(fault.Message),
                "InvalidParameterException" or "ValidationException" => new EcrInvalidParameterException(fault.Message),
                _ => fault,
            };
        }
    }
}
