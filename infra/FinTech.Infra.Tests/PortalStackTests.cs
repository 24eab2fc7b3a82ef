using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FinTech.Infra.Tests;

[Collection(SynthesizedPlatformCollection.Name)]
public sealed class PortalStackTests(SynthesizedPlatform platform)
{
    [Fact]
    public void The_portal_pulls_its_image_from_its_own_repository_by_the_configured_tag()
    {
        var image = PortalContainer("prod")["Image"]!.ToJsonString();

        Assert.Contains("PortalRepository", image, StringComparison.Ordinal);
        Assert.EndsWith(":1.0.0\"]]}", image, StringComparison.Ordinal);
    }

    [Fact]
    public void The_portal_container_gets_its_configuration_keys_and_secrets()
    {
        var portal = PortalContainer("prod");
        var environment = EnvironmentOf(portal);
        var secrets = portal["Secrets"]!.AsArray().Select(s => s!["Name"]!.GetValue<string>()).ToList();

        Assert.Equal("\"Production\"", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal("\"prod\"", environment["Platform__DefaultEnvironment"]);
        Assert.Equal("\"Aws\"", environment["Platform__Environments__prod__Backend"]);
        Assert.Equal("\"true\"", environment["Platform__Environments__prod__IsProduction"]);
        Assert.Equal("\"arn:aws:iam::333333333333:role/fintech-prod-portal-access\"", environment["Platform__Environments__prod__Aws__RoleArn"]);
        foreach (var key in new[] { "LoadBalancer", "TargetGroup", "EcsCluster", "EcsService", "AuroraCluster", "AuroraInstances__0",
                     "AuroraInstances__1", "RedisReplicationGroup", "RedisNodes__0", "RedisNodes__1", "SessionTable" })
        {
            Assert.True(environment.ContainsKey($"Platform__Environments__prod__Resources__{key}"), key);
        }

        Assert.Equal("\"fintech-prod-redis-002\"", environment["Platform__Environments__prod__Resources__RedisNodes__1"]);
        Assert.Contains("LoadBalancerFullName", environment["Platform__Environments__prod__Resources__LoadBalancer"], StringComparison.Ordinal);
        Assert.Equal("\"PostgreSql\"", environment["Database__Provider"]);
        Assert.Equal("\"EntraId\"", environment["Identity__Mode"]);
        Assert.Equal("\"/signin-oidc\"", environment["AzureAd__CallbackPath"]);
        // Every proxy hop (the CloudFront VPC origin, the internal ALB) is inside the VPC.
        Assert.Equal("\"10.30.0.0/16\"", environment["Hosting__TrustedProxyNetworks__0"]);
        Assert.Equal("\"2\"", environment["Hosting__ForwardLimit"]);
        Assert.Equal("\"S3\"", environment["Audit__AnchorSink"]);
        Assert.Equal("\"fintech-prod-audit-anchors-333333333333\"", environment["Audit__AnchorBucket"]);
        Assert.Equal("\"2557\"", environment["Audit__AnchorRetentionDays"]);
        Assert.Equal("\"eu-west-1\"", environment["Audit__AnchorRegion"]);
        Assert.False(environment.ContainsKey("Audit__AnchorLogGroup"));
        Assert.Equal("\"json\"", environment["Logging__Console__FormatterName"]);
        Assert.Equal(["AzureAd__ClientSecret", "PGPASSWORD", "PGUSER"], secrets.Order());
    }

    [Fact]
    public void The_portal_reaches_the_database_with_the_fields_of_the_RDS_managed_secret()
    {
        var portal = PortalContainer("prod");
        var connectionString = EnvironmentOf(portal)["Database__ConnectionString"];
        var secrets = portal["Secrets"]!.AsArray().ToDictionary(s => s!["Name"]!.GetValue<string>(), s => s!["ValueFrom"]!.ToJsonString());

        // The endpoint is the cluster's writer endpoint (it follows failovers); no credentials in the string.
        Assert.Contains("Host=", connectionString, StringComparison.Ordinal);
        Assert.Contains("AuroraEndpointAddress", connectionString, StringComparison.Ordinal);
        Assert.Contains("Database=portal;SSL Mode=Require", connectionString, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", connectionString, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("AuroraMasterUserSecretSecretArn", secrets["PGUSER"], StringComparison.Ordinal);
        Assert.EndsWith(":username::\"]]}", secrets["PGUSER"], StringComparison.Ordinal);
        Assert.EndsWith(":password::\"]]}", secrets["PGPASSWORD"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_of_the_database_secret_restarts_the_portal_and_the_write_probe_through_an_SSM_automation()
    {
        var template = platform.Template(platform.Env("prod").Portal);

        template.HasResourceProperties("AWS::Events::Rule", Like.Object(
            ("EventPattern", Like.Object(
                ("source", new[] { "aws.secretsmanager" }),
                ("detail", Like.Object(
                    ("eventName", new[] { "RotationSucceeded" }),
                    ("additionalEventData", Like.Object(("SecretId", new object[]
                    {
                        Like.Object(("Fn::ImportValue", Match.StringLikeRegexp("AuroraMasterUserSecretSecretArn"))),
                    }))))))),
            ("Targets", new object[]
            {
                Like.Object(("Arn", "arn:aws:ssm:eu-west-1:333333333333:automation-definition/fintech-prod-restart-portal:$DEFAULT")),
            })));
        template.HasResourceProperties("AWS::SSM::Document", Like.Object(
            ("DocumentType", "Automation"),
            ("Content", Like.Object(("mainSteps", new object[]
            {
                Like.Object(("action", "aws:executeAwsApi"), ("inputs", Like.Object(
                    ("Service", "ecs"), ("Api", "UpdateService"), ("service", "fintech-prod-portal"), ("forceNewDeployment", true)))),
                Like.Object(("action", "aws:executeAwsApi"), ("inputs", Like.Object(
                    ("Service", "ecs"), ("Api", "UpdateService"), ("service", "fintech-prod-write-probe"), ("forceNewDeployment", true)))),
            })))));
        template.HasResourceProperties("AWS::IAM::Policy", Like.Object(("PolicyDocument", Like.Object(("Statement", new object[]
        {
            Like.Object(("Action", "ecs:UpdateService"), ("Resource", new[]
            {
                "arn:aws:ecs:eu-west-1:333333333333:service/fintech-prod/fintech-prod-portal",
                "arn:aws:ecs:eu-west-1:333333333333:service/fintech-prod/fintech-prod-write-probe",
            })),
        })))));
    }

    [Theory]
    [InlineData("prod")]
    [InlineData("dev")]
    public void The_portal_is_told_its_public_origin_the_viewer_domain_or_the_distribution_s_name(string env)
    {
        var origin = EnvironmentOf(PortalContainer(env))["Hosting__PublicOrigin"];

        if (env == "prod")
        {
            Assert.Equal("\"https://portal.example.com\"", origin);
        }
        else
        {
            Assert.Contains("https://", origin, StringComparison.Ordinal);
            Assert.Contains("Distribution830FAC52DomainName", origin, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_portal_logs_to_CloudWatch_and_probes_healthz()
    {
        var portal = PortalContainer("prod");

        Assert.Equal("awslogs", portal["LogConfiguration"]!["LogDriver"]!.GetValue<string>());
        Assert.Equal("non-blocking", portal["LogConfiguration"]!["Options"]!["mode"]!.GetValue<string>());
        Assert.Contains("/healthz", portal["HealthCheck"]!["Command"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(8080, portal["PortMappings"]![0]!["ContainerPort"]!.GetValue<int>());
    }

    [Fact]
    public void Task_containers_run_as_the_app_user_on_a_read_only_root_filesystem_with_ephemeral_writable_paths()
    {
        foreach (var container in new[] { PortalContainer("prod"), Container(platform.Env("prod").Compute, "fintech-prod-api") })
        {
            Assert.True(container["ReadonlyRootFilesystem"]!.GetValue<bool>());
            Assert.Equal("1654", container["User"]!.GetValue<string>());
            var mounts = container["MountPoints"]!.AsArray().Select(m => m!["ContainerPath"]!.GetValue<string>()).Order();
            Assert.Equal(["/app/App_Data", "/tmp"], mounts);
        }
    }

    [Fact]
    public void The_portal_s_execution_role_reads_the_managed_database_secret_and_the_client_secret_only()
    {
        var portal = platform.Env("prod").Portal;
        var json = platform.TemplateJson(portal);
        var executionRole = portal.GetLogicalId((Amazon.CDK.CfnElement)portal.Portal.ExecutionRole.Node.DefaultChild!);

        var readers = TemplateJson.Resources(json, "AWS::IAM::Policy")
            .Where(p => p.Properties["Roles"]!.AsArray().Any(r => r?["Ref"]?.GetValue<string>() == executionRole))
            .SelectMany(p => p.Properties["PolicyDocument"]!["Statement"]!.AsArray()
                .Where(s => TemplateJson.Strings(s!["Action"]).Contains("secretsmanager:GetSecretValue"))
                .Select(s => s!["Resource"]!.ToJsonString()))
            .ToList();

        var resources = Assert.Single(readers);
        Assert.Contains("AuroraMasterUserSecretSecretArn", resources, StringComparison.Ordinal);
        Assert.Contains("EntraClientSecret", resources, StringComparison.Ordinal);
        Assert.DoesNotContain("RedisAuthToken", resources, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_without_a_viewer_domain_does_not_synthesize()
    {
        var prod = platform.Settings.Platform.Environments["prod"] with { ViewerDomainName = null, ViewerCertificateArn = null };

        var error = Assert.Throws<InvalidOperationException>(() => Build(prod));

        Assert.Contains("viewerDomainName and viewerCertificateArn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_without_alarm_subscriptions_does_not_synthesize()
    {
        var prod = platform.Settings.Platform.Environments["prod"] with { AlarmSubscriptions = [] };

        var error = Assert.Throws<InvalidOperationException>(() => Build(prod));

        Assert.Contains("alarmSubscriptions", error.Message, StringComparison.Ordinal);
    }

    private PlatformStacks Build(EnvironmentConfig prod) => PlatformStacks.Build(
        new Amazon.CDK.App(new Amazon.CDK.AppProps { Context = platform.Settings.Context }),
        new PlatformConfig
        {
            Organization = platform.Settings.Platform.Organization,
            Environments = new Dictionary<string, EnvironmentConfig> { ["prod"] = prod },
        },
        platform.Actions);

    private static Dictionary<string, string> EnvironmentOf(JsonNode container) =>
        container["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!.ToJsonString());

    private JsonNode PortalContainer(string env) => Container(platform.Env(env).Portal, $"fintech-{env}-portal");

    private JsonNode Container(Amazon.CDK.Stack stack, string family)
    {
        var task = TemplateJson.Resources(platform.TemplateJson(stack), "AWS::ECS::TaskDefinition")
            .Single(t => t.Properties["Family"]!.GetValue<string>() == family).Properties;
        return task["ContainerDefinitions"]!.AsArray().Single()!;
    }
}
