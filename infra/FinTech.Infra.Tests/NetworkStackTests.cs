using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class NetworkStackTests(SynthesizedPlatform platform)
{
    [Theory]
    [InlineData("dev", 2)]
    [InlineData("staging", 2)]
    [InlineData("prod", 3)]
    public void The_vpc_spans_the_configured_availability_zones_with_three_tiers(string env, int zones)
    {
        var json = platform.TemplateJson(platform.Env(env).Network);

        var subnets = TemplateJson.Resources(json, "AWS::EC2::Subnet").Select(s => s.Properties).ToList();

        Assert.Equal(zones * 3, subnets.Count);
        Assert.Equal(zones, subnets.Select(s => s["AvailabilityZone"]!.GetValue<string>()).Distinct().Count());
    }

    [Fact]
    public void No_subnet_hands_out_public_ips()
    {
        var json = platform.TemplateJson(platform.Env("prod").Network);

        var subnets = TemplateJson.Resources(json, "AWS::EC2::Subnet").Select(s => s.Properties).ToList();

        Assert.All(subnets, s => Assert.False(s["MapPublicIpOnLaunch"]!.GetValue<bool>()));
    }

    [Theory]
    [InlineData("dev", 1)]
    [InlineData("prod", 3)]
    public void The_app_subnets_reach_the_identity_provider_through_NAT_one_gateway_in_dev_one_per_AZ_in_prod(string env, int gateways)
    {
        var template = platform.Template(platform.Env(env).Network);

        template.ResourceCountIs("AWS::EC2::NatGateway", gateways);
        template.ResourcePropertiesCountIs("AWS::EC2::Route", Like.Object(("NatGatewayId", Match.AnyValue())), env == "dev" ? 2 : 3);
    }

    [Fact]
    public void Tasks_leave_the_VPC_on_HTTPS_only()
    {
        var network = platform.Env("prod").Network;
        var json = platform.TemplateJson(network);

        foreach (var group in new[] { network.PortalSecurityGroup, network.ApiSecurityGroup })
        {
            var id = network.GetLogicalId((Amazon.CDK.CfnElement)group.Node.DefaultChild!);
            var egress = TemplateJson.Resources(json, "AWS::EC2::SecurityGroup").Single(g => g.Id == id).Properties["SecurityGroupEgress"]!.AsArray()
                .Where(e => e!["CidrIp"]?.GetValue<string>() == "0.0.0.0/0")
                .ToList();
            var rule = Assert.Single(egress)!;
            Assert.Equal(443, rule["FromPort"]!.GetValue<int>());
            Assert.Equal(443, rule["ToPort"]!.GetValue<int>());
        }
    }

    [Fact]
    public void The_DNS_firewall_resolves_only_AWS_and_the_identity_provider()
    {
        var template = platform.Template(platform.Env("prod").Network);

        template.HasResourceProperties("AWS::Route53Resolver::FirewallDomainList", Like.Object(
            ("Name", "fintech-prod-egress-allowed"),
            ("Domains", Match.ArrayWith(["*.amazonaws.com", "login.microsoftonline.com"]))));
        template.HasResourceProperties("AWS::Route53Resolver::FirewallDomainList", Like.Object(("Domains", new[] { "*" })));
        template.HasResourceProperties("AWS::Route53Resolver::FirewallRuleGroup", Like.Object(("FirewallRules", new object[]
        {
            Like.Object(("Priority", 100), ("Action", "ALLOW")),
            Like.Object(("Priority", 200), ("Action", "BLOCK"), ("BlockResponse", "NXDOMAIN")),
        })));
        template.HasResourceProperties("AWS::Route53Resolver::FirewallRuleGroupAssociation", Like.Object(
            ("VpcId", Match.AnyValue()), ("MutationProtection", "ENABLED")));
    }

    [Fact]
    public void Every_endpoint_has_a_policy_limited_to_this_account()
    {
        var json = platform.TemplateJson(platform.Env("prod").Network);

        var endpoints = TemplateJson.Resources(json, "AWS::EC2::VPCEndpoint").Select(e => e.Properties).ToList();

        Assert.Equal(14, endpoints.Count);
        Assert.All(endpoints, e =>
        {
            var statements = e["PolicyDocument"]!["Statement"]!.AsArray();
            Assert.Contains(statements, s => s!["Condition"]?["StringEquals"]?["aws:PrincipalAccount"]?.GetValue<string>() == "333333333333");
            Assert.DoesNotContain(statements, s => TemplateJson.Strings(s!["Action"]).Contains("*"));
        });
    }

    [Theory]
    [InlineData("ecr.api")]
    [InlineData("ecr.dkr")]
    [InlineData("secretsmanager")]
    [InlineData("logs")]
    [InlineData("monitoring")]
    [InlineData("sts")]
    [InlineData("kms")]
    [InlineData("ecs")]
    [InlineData("rds")]
    [InlineData("elasticache")]
    public void An_interface_endpoint_with_private_dns_serves_each_AWS_API(string service)
    {
        platform.Template(platform.Env("prod").Network).HasResourceProperties("AWS::EC2::VPCEndpoint", Like.Object(
            ("ServiceName", $"com.amazonaws.eu-west-1.{service}"),
            ("VpcEndpointType", "Interface"),
            ("PrivateDnsEnabled", true)));
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("dynamodb")]
    public void S3_and_DynamoDB_use_gateway_endpoints_routed_from_every_subnet(string service)
    {
        var json = platform.TemplateJson(platform.Env("prod").Network);

        var endpoint = Assert.Single(TemplateJson.Resources(json, "AWS::EC2::VPCEndpoint"),
            e => e.Properties["ServiceName"]!.ToJsonString().EndsWith($".{service}\"]]}}", StringComparison.Ordinal)).Properties;

        Assert.Equal("Gateway", endpoint["VpcEndpointType"]!.GetValue<string>());
        Assert.Equal(9, endpoint["RouteTableIds"]!.AsArray().Count);
    }

    [Fact]
    public void Flow_logs_record_all_traffic_to_an_encrypted_log_group()
    {
        var template = platform.Template(platform.Env("prod").Network);

        template.HasResourceProperties("AWS::EC2::FlowLog", Like.Object(("TrafficType", "ALL"), ("LogDestinationType", "cloud-watch-logs")));
        template.HasResourceProperties("AWS::Logs::LogGroup", Like.Object(
            ("LogGroupName", "/fintech/prod/vpc-flow-logs"),
            ("KmsKeyId", Match.AnyValue()),
            ("RetentionInDays", 365)));
    }

    [Fact]
    public void The_internal_ALB_admits_HTTPS_only_from_CloudFront_s_origin_facing_prefix_list()
    {
        var network = platform.Env("prod").Network;
        var json = platform.TemplateJson(network);
        var albId = network.GetLogicalId((Amazon.CDK.CfnElement)network.AlbSecurityGroup.Node.DefaultChild!);

        var inline = TemplateJson.Resources(json, "AWS::EC2::SecurityGroup").Single(g => g.Id == albId).Properties["SecurityGroupIngress"];
        var ingress = TemplateJson.Resources(json, "AWS::EC2::SecurityGroupIngress")
            .Where(r => r.Properties["GroupId"]!.ToJsonString().Contains(albId, StringComparison.Ordinal))
            .Select(r => r.Properties)
            .ToList();

        Assert.Null(inline);
        var rule = Assert.Single(ingress);
        Assert.Equal("pl-4fa04526", rule["SourcePrefixListId"]!.GetValue<string>());
        Assert.Equal(443, rule["FromPort"]!.GetValue<int>());
        Assert.Equal(443, rule["ToPort"]!.GetValue<int>());
    }

    [Fact]
    public void Aurora_admits_only_the_service_and_write_probe_security_groups()
    {
        var network = platform.Env("prod").Network;
        var json = platform.TemplateJson(network);
        var auroraId = network.GetLogicalId((Amazon.CDK.CfnElement)network.AuroraSecurityGroup.Node.DefaultChild!);

        var ingress = TemplateJson.Resources(json, "AWS::EC2::SecurityGroupIngress")
            .Where(r => r.Properties["GroupId"]!.ToJsonString().Contains(auroraId, StringComparison.Ordinal))
            .Select(r => r.Properties)
            .ToList();

        Assert.Equal(3, ingress.Count);
        Assert.All(ingress, r => Assert.NotNull(r["SourceSecurityGroupId"]));
        Assert.Contains(ingress, r => r["SourceSecurityGroupId"]!.ToJsonString().Contains("WriteProbeSecurityGroup", StringComparison.Ordinal));
        Assert.All(ingress, r => Assert.Equal(5432, r["FromPort"]!.GetValue<int>()));
    }
}
