using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecs;

namespace FinTech.Portal.Aws;

/// <summary>
/// ECS over awsJson 1.1: <c>DescribeServices</c>, <c>DescribeTaskDefinition</c>, <c>RegisterTaskDefinition</c>,
/// <c>UpdateService</c>, with ECS's faults typed as the port promises.
/// </summary>
public sealed class AwsEcs(AwsServiceClient client) : IEcs
{
    public Task<DescribeServicesResponse> DescribeServicesAsync(DescribeServicesRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Services.Count is 0 or > DescribeServicesRequest.MaxServices)
        {
            throw new ArgumentException($"DescribeServices takes 1 to {DescribeServicesRequest.MaxServices} services, got {request.Services.Count}.", nameof(request));
        }
        return Call<DescribeServicesRequest, DescribeServicesResponse>("DescribeServices", request, cancellationToken);
    }

    public Task<DescribeTaskDefinitionResponse> DescribeTaskDefinitionAsync(DescribeTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Call<DescribeTaskDefinitionRequest, DescribeTaskDefinitionResponse>("DescribeTaskDefinition", request, cancellationToken);
    }

    public Task<RegisterTaskDefinitionResponse> RegisterTaskDefinitionAsync(RegisterTaskDefinitionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Call<RegisterTaskDefinitionRequest, RegisterTaskDefinitionResponse>("RegisterTaskDefinition", request, cancellationToken);
    }

    public Task<UpdateServiceResponse> UpdateServiceAsync(UpdateServiceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Call<UpdateServiceRequest, UpdateServiceResponse>("UpdateService", request, cancellationToken);
    }

    private async Task<TResponse> Call<TRequest, TResponse>(string operation, TRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.InvokeAsync<TRequest, TResponse>(operation, request, cancellationToken);
        }
        catch (PlatformServiceException fault) when (fault.GetType() == typeof(PlatformServiceException))
        {
            throw fault.ErrorCode switch
            {
                "ClientException" or "InvalidParameterException" => new EcsClientException(fault.Message),
                "ServiceNotFoundException" => new EcsServiceNotFoundException(fault.Message),
                "ServiceNotActiveException" => new EcsServiceNotActiveException(fault.Message),
                "ClusterNotFoundException" => new EcsClusterNotFoundException(fault.Message),
                _ => fault,
            };
        }
    }
}
