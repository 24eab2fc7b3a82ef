using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class OrganizationStackTests(SynthesizedPlatform platform)
{
    private Template Template => platform.Template(platform.Stacks.Organization);

    [Theory]
    [InlineData("Infrastructure")]
    [InlineData("Security")]
    [InlineData("Sandbox")]
    [InlineData("Workloads")]
    public void Top_level_organizational_units_hang_under_the_root(string name)
    {
        Template.HasResourceProperties("AWS::Organizations::OrganizationalUnit", Like.Object(("Name", name), ("ParentId", "r-exmp")));
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Staging")]
    [InlineData("Production")]
    public void Environment_units_hang_under_Workloads(string name)
    {
        var workloadsId = platform.Stacks.Organization.GetLogicalId(platform.Stacks.Organization.Units["Workloads"]);
        Template.HasResourceProperties("AWS::Organizations::OrganizationalUnit", Like.Object(
            ("Name", name),
            ("ParentId", new Dictionary<string, object> { ["Fn::GetAtt"] = new[] { workloadsId, "Id" } })));
    }

    [Fact]
    public void A_service_control_policy_denies_leaving_the_organization()
    {
        Template.HasResourceProperties("AWS::Organizations::Policy", Like.Object(
            ("Type", "SERVICE_CONTROL_POLICY"),
            ("Content", Like.Object(("Statement", Like.ArrayWith(
                Like.Object(("Effect", "Deny"), ("Action", Like.ArrayWith("organizations:LeaveOrganization"))))))),
            ("TargetIds", Match.AnyValue())));
    }

    [Fact]
    public void A_service_control_policy_keeps_CloudTrail_GuardDuty_and_Config_on()
    {
        Template.HasResourceProperties("AWS::Organizations::Policy", Like.Object(
            ("Name", "DenySecurityServiceChanges"),
            ("Content", Like.Object(("Statement", Like.ArrayWith(
                Like.Object(("Effect", "Deny"), ("Action", Like.ArrayWith("cloudtrail:StopLogging", "cloudtrail:DeleteTrail"))),
                Like.Object(("Effect", "Deny"), ("Action", Like.ArrayWith("guardduty:DeleteDetector"))),
                Like.Object(("Effect", "Deny"), ("Action", Like.ArrayWith("config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder")))))))));
    }

    [Fact]
    public void A_service_control_policy_denies_requests_outside_the_allowed_regions()
    {
        Template.HasResourceProperties("AWS::Organizations::Policy", Like.Object(
            ("Name", "DenyOutsideAllowedRegions"),
            ("Content", Like.Object(("Statement", Like.ArrayWith(Like.Object(
                ("Effect", "Deny"),
                ("NotAction", Like.ArrayWith("iam:*", "organizations:*")),
                ("Condition", Like.Object(("StringNotEquals", Like.Object(
                    ("aws:RequestedRegion", new[] { "eu-west-1", "eu-central-1", "us-east-1" }))))))))))));
    }

    [Fact]
    public void Every_policy_is_attached_to_every_top_level_unit()
    {
        var json = platform.TemplateJson(platform.Stacks.Organization);

        var policies = TemplateJson.Resources(json, "AWS::Organizations::Policy").ToList();

        Assert.Equal(3, policies.Count);
        Assert.All(policies, p => Assert.Equal(4, p.Properties["TargetIds"]!.AsArray().Count));
    }
}
