using Amazon.CDK;
using Amazon.CDK.AWS.Organizations;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// AWS Organizations (management account): OUs Infrastructure, Security, Sandbox and Workloads (with
/// Development, Staging, Production under it), and service control policies on every top-level OU that deny
/// leaving the organization, turning off CloudTrail/GuardDuty/Config/Security Hub, and working outside the allowed
/// regions. The organization trail (every account, every region, log file validation, KMS) delivers to the Object
/// Lock bucket of the security account (<see cref="LogArchiveStack"/>), which is also Security Hub's delegated
/// administrator.
/// </summary>
public sealed class OrganizationStack : Stack
{
    public IReadOnlyDictionary<string, CfnOrganizationalUnit> Units { get; }
    public IReadOnlyDictionary<string, CfnPolicy> Policies { get; }
    public Amazon.CDK.AWS.CloudTrail.CfnTrail Trail { get; }

    /// <summary>Global services whose API endpoints live in us-east-1: exempt from the region guard.</summary>
    internal static readonly string[] GlobalServiceActions =
    [
        "iam:*", "organizations:*", "account:*", "sts:*", "support:*", "trustedadvisor:*", "health:*",
        "cloudfront:*", "route53:*", "route53domains:*", "waf:*", "wafv2:*", "shield:*", "globalaccelerator:*",
        "budgets:*", "ce:*", "cur:*", "aws-portal:*", "pricing:*", "kms:*", "acm:*", "sso:*", "identitystore:*",
    ];

    public OrganizationStack(Construct scope, string id, OrganizationConfig config, IStackProps props)
        : base(scope, id, props)
    {
        var units = new Dictionary<string, CfnOrganizationalUnit>();
        foreach (var name in new[] { "Infrastructure", "Security", "Sandbox", "Workloads" })
        {
            units[name] = new CfnOrganizationalUnit(this, name, new CfnOrganizationalUnitProps { Name = name, ParentId = config.RootId });
        }

        foreach (var name in new[] { "Development", "Staging", "Production" })
        {
            units[name] = new CfnOrganizationalUnit(this, name, new CfnOrganizationalUnitProps
            {
                Name = name,
                ParentId = units["Workloads"].AttrId,
            });
        }

        Units = units;
        var targets = new[] { "Infrastructure", "Security", "Sandbox", "Workloads" }.Select(n => units[n].AttrId).ToArray();

        Policies = new Dictionary<string, CfnPolicy>
        {
            ["DenyLeaveOrganization"] = Scp("DenyLeaveOrganization", "Member accounts cannot leave the organization", targets,
                Deny("DenyLeave", ["organizations:LeaveOrganization"])),
            ["DenySecurityServiceChanges"] = Scp("DenySecurityServiceChanges", "CloudTrail, GuardDuty and Config stay on", targets,
                Deny("DenyCloudTrail", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]),
                Deny("DenyGuardDuty",
                [
                    "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromMasterAccount",
                    "guardduty:DisassociateFromAdministratorAccount", "guardduty:DeleteMembers", "guardduty:StopMonitoringMembers",
                ]),
                Deny("DenyConfig",
                [
                    "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
                    "config:DeleteConfigRule", "config:DeleteConfigurationAggregator", "config:DeleteEvaluationResults",
                ]),
                Deny("DenySecurityHub", ["securityhub:DisableSecurityHub", "securityhub:BatchDisableStandards", "securityhub:DisassociateFromAdministratorAccount"])),
            ["DenyOutsideAllowedRegions"] = Scp("DenyOutsideAllowedRegions", "Resources only in the allowed regions", targets,
                new Dictionary<string, object>
                {
                    ["Sid"] = "DenyOutsideAllowedRegions",
                    ["Effect"] = "Deny",
                    ["NotAction"] = GlobalServiceActions,
                    ["Resource"] = "*",
                    ["Condition"] = new Dictionary<string, object>
                    {
                        ["StringNotEquals"] = new Dictionary<string, object> { ["aws:RequestedRegion"] = config.AllowedRegions.ToArray() },
                    },
                }),
        };

        Trail = new Amazon.CDK.AWS.CloudTrail.CfnTrail(this, "OrganizationTrail", new Amazon.CDK.AWS.CloudTrail.CfnTrailProps
        {
            TrailName = LogArchiveStack.TrailName,
            IsLogging = true,
            IsOrganizationTrail = true,
            IsMultiRegionTrail = true,
            IncludeGlobalServiceEvents = true,
            EnableLogFileValidation = true,
            S3BucketName = LogArchiveStack.TrailBucketName(config),
            KmsKeyId = LogArchiveStack.TrailKeyArn(config),
        });

        _ = new Amazon.CDK.AWS.SecurityHub.CfnDelegatedAdmin(this, "SecurityHubAdministrator", new Amazon.CDK.AWS.SecurityHub.CfnDelegatedAdminProps
        {
            AdminAccountId = config.SecurityAccount,
        });
    }

    private static Dictionary<string, object> Deny(string sid, string[] actions) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = "Deny",
        ["Action"] = actions,
        ["Resource"] = "*",
    };

    private CfnPolicy Scp(string name, string description, string[] targets, params Dictionary<string, object>[] statements) =>
        new(this, name, new CfnPolicyProps
        {
            Name = name,
            Description = description,
            Type = "SERVICE_CONTROL_POLICY",
            TargetIds = targets,
            Content = new Dictionary<string, object>
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = statements,
            },
        });
}
