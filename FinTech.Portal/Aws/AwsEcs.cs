using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Aws;

/// <summary>ECS over awsJson 1.1: <c>DescribeServices</c>, <c>DescribeTaskDefinition</c>, <c>RegisterTaskDefinition</c>, <c>UpdateService</c>.</summary>
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

    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.InvokeAsync<DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse>("DescribeTaskDefinition", request, cancellationToken);
    }

    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.InvokeAsync<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse>("RegisterTaskDefinition", request, cancellationToken);
    }

    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.InvokeAsync<UpdateServiceRequest, UpdateServiceResponse>("UpdateService", request, cancellationToken);
    }
}
