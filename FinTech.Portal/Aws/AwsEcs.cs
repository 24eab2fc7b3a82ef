using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Aws;

/// <summary>ECS over awsJson 1.1: <c>DescribeServices</c>.</summary>
public sealed class AwsEcs(AwsServiceClient client) : IEcs
{
    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Services.Count is 0 or > DescribeServicesRequest.MaxServices)
        {
            throw new ArgumentException($"DescribeServices takes 1 to {DescribeServicesRequest.MaxServices} services, got {request.Services.Count}.", nameof(request));
        }
        return client.InvokeAsync<DescribeServicesRequest, DescribeServicesResponse>("DescribeServices", request, cancellationToken);
    }
}
