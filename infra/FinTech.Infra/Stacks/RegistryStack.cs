using Amazon.CDK;
using Amazon.CDK.AWS.ECR;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// ECR repositories for the portal and the API service: immutable tags, scan on push, KMS, lifecycle policy.
/// A stack of its own so that the repositories exist (and an image can be pushed) before the first deploy of
/// the services that run those images.
/// </summary>
public sealed class RegistryStack : Stack
{
    public static readonly string[] Services = ["portal", "api"];

    public IReadOnlyDictionary<string, Repository> Repositories { get; }

    public RegistryStack(Construct scope, string id, EnvironmentContext env, SecurityStack security, IStackProps props)
        : base(scope, id, props)
    {
        Repositories = Services.ToDictionary(service => service, service => new Repository(this, $"{char.ToUpperInvariant(service[0])}{service[1..]}Repository", new RepositoryProps
        {
            RepositoryName = env.Names.Repository(service),
            ImageTagMutability = TagMutability.IMMUTABLE,
            ImageScanOnPush = true,
            Encryption = RepositoryEncryption.KMS,
            EncryptionKey = security.ContainerKey,
            RemovalPolicy = RemovalPolicy.RETAIN,
            LifecycleRules =
            [
                new LifecycleRule
                {
                    RulePriority = 1,
                    Description = "Drop untagged images after 14 days",
                    TagStatus = TagStatus.UNTAGGED,
                    MaxImageAge = Duration.Days(14),
                },
                new LifecycleRule
                {
                    RulePriority = 2,
                    Description = "Keep the 100 newest images",
                    TagStatus = TagStatus.ANY,
                    MaxImageCount = 100,
                },
            ],
        }));
    }
}
