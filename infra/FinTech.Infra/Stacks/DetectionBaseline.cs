using Amazon.CDK;
using Amazon.CDK.AWS.Config;
using Amazon.CDK.AWS.GuardDuty;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SecurityHub;
using Constructs;

namespace FinTech.Infra.Stacks;

/// <summary>
/// What every account of the organization runs for detection (PCI DSS 10, 11.5): a GuardDuty detector (S3 data
/// events, runtime monitoring of Fargate tasks), an AWS Config recorder of every resource type delivering to the
/// security account's Config bucket, and Security Hub with the PCI DSS and AWS Foundational standards. The security
/// account is their delegated administrator and sees every account's findings.
/// </summary>
public sealed class DetectionBaseline : Construct
{
    /// <summary>Security Hub's PCI DSS standard (v4.0.1).</summary>
    public const string PciDssStandard = "standards/pci-dss/v/4.0.1";
    public const string FoundationalStandard = "standards/aws-foundational-security-best-practices/v/1.0.0";

    public CfnDetector GuardDuty { get; }
    public CfnConfigurationRecorder Recorder { get; }
    public CfnDeliveryChannel DeliveryChannel { get; }
    public CfnHub SecurityHub { get; }
    public IReadOnlyList<CfnStandard> Standards { get; }

    public DetectionBaseline(Construct scope, string id, OrganizationConfig organization, string name)
        : base(scope, id)
    {
        var stack = Stack.Of(this);
        GuardDuty = new CfnDetector(this, "GuardDuty", new CfnDetectorProps
        {
            Enable = true,
            FindingPublishingFrequency = "FIFTEEN_MINUTES",
            Features = new object[]
            {
                new CfnDetector.CFNFeatureConfigurationProperty { Name = "S3_DATA_EVENTS", Status = "ENABLED" },
                new CfnDetector.CFNFeatureConfigurationProperty
                {
                    Name = "RUNTIME_MONITORING",
                    Status = "ENABLED",
                    AdditionalConfiguration = new object[]
                    {
                        new CfnDetector.CFNFeatureAdditionalConfigurationProperty { Name = "ECS_FARGATE_AGENT_MANAGEMENT", Status = "ENABLED" },
                    },
                },
            },
        });

        var configRole = new Role(this, "ConfigRole", new RoleProps
        {
            RoleName = $"{name}-config-recorder",
            Description = "AWS Config recorder: reads resource configurations",
            AssumedBy = new ServicePrincipal("config.amazonaws.com"),
            ManagedPolicies = [ManagedPolicy.FromAwsManagedPolicyName("service-role/AWS_ConfigRole")],
        });
        Recorder = new CfnConfigurationRecorder(this, "ConfigRecorder", new CfnConfigurationRecorderProps
        {
            Name = name,
            RoleArn = configRole.RoleArn,
            RecordingGroup = new CfnConfigurationRecorder.RecordingGroupProperty
            {
                AllSupported = true,
                IncludeGlobalResourceTypes = true,
            },
        });
        DeliveryChannel = new CfnDeliveryChannel(this, "ConfigDelivery", new CfnDeliveryChannelProps
        {
            Name = name,
            S3BucketName = LogArchiveStack.ConfigBucketName(organization),
            S3KeyPrefix = name,
            ConfigSnapshotDeliveryProperties = new CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty
            {
                DeliveryFrequency = "TwentyFour_Hours",
            },
        });
        DeliveryChannel.AddDependency(Recorder);

        SecurityHub = new CfnHub(this, "SecurityHub", new CfnHubProps
        {
            EnableDefaultStandards = false,
            ControlFindingGenerator = "SECURITY_CONTROL",
            AutoEnableControls = true,
        });
        Standards = new[] { ("PciDss", PciDssStandard), ("Foundational", FoundationalStandard) }.Select(s =>
        {
            var standard = new CfnStandard(this, s.Item1, new CfnStandardProps
            {
                StandardsArn = $"arn:{stack.Partition}:securityhub:{stack.Region}::{s.Item2}",
            });
            standard.AddDependency(SecurityHub);
            return standard;
        }).ToArray();
    }
}
