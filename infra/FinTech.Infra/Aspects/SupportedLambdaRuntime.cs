using Amazon.CDK;
using Constructs;

namespace FinTech.Infra.Aspects;

/// <summary>
/// CDK 2.160's own custom-resource handlers (the VPC's default-security-group lockdown, cross-region
/// references) are pinned to <c>nodejs20.x</c>, on which Lambda refuses to create functions since 2026-06-01
/// (cfn-lint E2533). This CDK is the newest whose dependencies resolve here, so the runtime is raised where the
/// functions are defined: every Node.js Lambda function of the app runs on <see cref="Runtime"/>. The handlers
/// are async and use the AWS SDK v3 the runtime ships, so they run unchanged.
/// </summary>
public sealed class SupportedLambdaRuntime : Amazon.JSII.Runtime.Deputy.DeputyBase, IAspect
{
    public const string Runtime = "nodejs24.x";

    public void Visit(IConstruct node)
    {
        switch (node)
        {
            case Amazon.CDK.AWS.Lambda.CfnFunction function when function.Runtime?.StartsWith("nodejs", StringComparison.Ordinal) == true:
                function.Runtime = Runtime;
                break;
            // Custom-resource providers are plain CfnResources of the Lambda type; their handlers are Node.js.
            case CfnResource resource when resource.CfnResourceType == "AWS::Lambda::Function" && resource is not Amazon.CDK.AWS.Lambda.CfnFunction:
                resource.AddPropertyOverride("Runtime", Runtime);
                break;
        }
    }
}
