using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using FinTech.Portal.Aws.Protocol;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Aws;

/// <summary>
/// The credentials each environment's calls are signed with. The portal's own credentials come
/// from AWSSDK.Core's default chain (environment variables, web identity, profiles, the ECS task
/// role), resolved on first use. An environment with <c>Aws:RoleArn</c> assumes that role in its
/// account; the assumed credentials are cached and refreshed five minutes before they expire.
/// </summary>
public sealed class AwsCredentialSource
{
    private readonly Lazy<AWSCredentials> _portal;
    private readonly AwsEndpoints _endpoints;
    private readonly AwsOptions _options;
    private readonly ConcurrentDictionary<string, AWSCredentials> _environments = new(StringComparer.OrdinalIgnoreCase);

    public AwsCredentialSource(Func<AWSCredentials> portalCredentials, AwsEndpoints endpoints, AwsOptions options)
    {
        _portal = new Lazy<AWSCredentials>(portalCredentials);
        _endpoints = endpoints;
        _options = options;
    }

    /// <summary>AWSSDK.Core's default chain, as every AWS SDK resolves it.</summary>
    public static AWSCredentials DefaultChain() => DefaultAWSCredentialsIdentityResolver.GetCredentials();

    /// <summary>No I/O: the role is assumed on the first signed call.</summary>
    public AWSCredentials For(PortalEnvironment environment) =>
        _environments.GetOrAdd(environment.Key, _ =>
            environment.Aws?.RoleArn is { Length: > 0 } roleArn
                ? new AssumedRoleCredentials(this, environment, roleArn)
                : new PortalCredentials(this));

    private AWSCredentials Portal
    {
        get
        {
            try
            {
                return _portal.Value;
            }
            catch (Exception e) when (e is AmazonClientException or AmazonServiceException)
            {
                throw new PlatformUnavailableException(
                    "The portal found no AWS credentials: give its ECS task a role, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_WEB_IDENTITY_TOKEN_FILE.", e);
            }
        }
    }

    /// <summary>The portal's own identity, used as it is (no RoleArn configured).</summary>
    private sealed class PortalCredentials(AwsCredentialSource source) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => source.Portal.GetCredentials();

        public override Task<ImmutableCredentials> GetCredentialsAsync() => source.Portal.GetCredentialsAsync();
    }

    private sealed class AssumedRoleCredentials : RefreshingAWSCredentials
    {
        private readonly AwsCredentialSource _source;
        private readonly PortalEnvironment _environment;
        private readonly string _roleArn;

        public AssumedRoleCredentials(AwsCredentialSource source, PortalEnvironment environment, string roleArn)
        {
            _source = source;
            _environment = environment;
            _roleArn = roleArn;
            PreemptExpiryTime = TimeSpan.FromMinutes(5);
        }

        protected override CredentialsRefreshState GenerateNewCredentials() =>
            GenerateNewCredentialsAsync().GetAwaiter().GetResult();

        protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
        {
            var region = _environment.Aws!.Region;
            var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region) };
            if (_source._endpoints.Override("STS") is { } endpoint)
            {
                config.ServiceURL = endpoint.ToString();
                config.AuthenticationRegion = region;
            }
            using var sts = new AmazonSecurityTokenServiceClient(_source.Portal, config);
            try
            {
                var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
                {
                    RoleArn = _roleArn,
                    RoleSessionName = $"fintech-portal-{_environment.Key}",
                    ExternalId = string.IsNullOrEmpty(_environment.Aws.ExternalId) ? null : _environment.Aws.ExternalId,
                    DurationSeconds = (int)_source._options.AssumeRoleDuration.TotalSeconds,
                });
                var c = response.Credentials;
                return new CredentialsRefreshState(
                    new ImmutableCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken),
                    c.Expiration!.Value.ToUniversalTime());
            }
            catch (AmazonServiceException e) when (AwsServiceException.AccessDeniedCodes.Contains(e.ErrorCode ?? ""))
            {
                throw new PlatformUnavailableException(
                    $"STS denied AssumeRole into {_roleArn} for environment '{_environment.Key}': the portal's own role must be allowed sts:AssumeRole on it, and that role's trust policy must name the portal's account{(string.IsNullOrEmpty(_environment.Aws.ExternalId) ? "" : " and external id")}.", e);
            }
            catch (AmazonServiceException e)
            {
                throw new PlatformUnavailableException(
                    $"Assuming {_roleArn} for environment '{_environment.Key}' failed: {e.ErrorCode} {e.Message}", e);
            }
            catch (HttpRequestException e)
            {
                throw new PlatformUnavailableException(
                    $"STS could not be reached to assume {_roleArn} for environment '{_environment.Key}' ({e.Message}); check the network path to sts.{region}.amazonaws.com or AWS_ENDPOINT_URL_STS.", e);
            }
        }
    }
}
