using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Aws;

/// <summary>
/// Secrets Manager over awsJson 1.1 (<c>secretsmanager.*</c>): <c>ListSecrets</c>, <c>DescribeSecret</c>
/// and <c>RotateSecret</c>, with Secrets Manager's faults typed as the port promises. Metadata only:
/// <c>GetSecretValue</c> is not called, and is not in the portal's IAM actions.
/// </summary>
public sealed class AwsSecretsManager(AwsServiceClient client) : ISecretsManager
{
    public Task<ListSecretsResponse> ListSecretsAsync(ListSecretsRequest request, CancellationToken cancellationToken = default) =>
        Call<ListSecretsRequest, ListSecretsResponse>("ListSecrets", request, cancellationToken);

    public Task<DescribeSecretResponse> DescribeSecretAsync(DescribeSecretRequest request, CancellationToken cancellationToken = default) =>
        Call<DescribeSecretRequest, DescribeSecretResponse>("DescribeSecret", request, cancellationToken);

    public Task<RotateSecretResponse> RotateSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The token is the model's idempotency token: the SDKs fill one in when the caller gives none,
        // so that the pipeline's retries of one call can never start two rotations.
        var idempotent = request.ClientRequestToken is null ? request with { ClientRequestToken = Guid.NewGuid().ToString() } : request;
        return Call<RotateSecretRequest, RotateSecretResponse>("RotateSecret", idempotent, cancellationToken);
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
                "ResourceNotFoundException" => new SecretsManagerResourceNotFoundException(fault.Message),
                "InvalidRequestException" => new SecretsManagerInvalidRequestException(fault.Message),
                "InvalidParameterException" or "ValidationException" => new SecretsManagerInvalidParameterException(fault.Message),
                "InvalidNextTokenException" => new SecretsManagerInvalidNextTokenException(fault.Message),
                _ => fault,
            };
        }
    }
}
