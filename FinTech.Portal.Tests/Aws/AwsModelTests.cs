using FinTech.Portal.Aws.Protocol;

namespace FinTech.Portal.Tests.Aws;

public sealed class AwsModelTests
{
    [Fact]
    public void Every_embedded_model_is_byte_for_byte_the_published_one()
    {
        Assert.NotEmpty(AwsServiceModel.Embedded);
        foreach (var uid in AwsServiceModel.Embedded)
        {
            var published = File.ReadAllBytes(Path.Combine(AwsTestModel.ModelsFolder, uid + ".min.json"));
            Assert.True(published.AsSpan().SequenceEqual(AwsServiceModel.ReadEmbedded(uid)), $"{uid} differs from {AwsTestModel.ModelsFolder}");
        }
    }

    [Theory]
    [InlineData("monitoring-2010-08-01", "CloudWatch", "query", "monitoring")]
    [InlineData("logs-2014-03-28", "CloudWatch Logs", "json", "logs")]
    [InlineData("ecs-2014-11-13", "ECS", "json", "ecs")]
    [InlineData("rds-2014-10-31", "RDS", "query", "rds")]
    [InlineData("elasticache-2015-02-02", "ElastiCache", "query", "elasticache")]
    [InlineData("elasticloadbalancingv2-2015-12-01", "Elastic Load Balancing v2", "query", "elasticloadbalancing")]
    [InlineData("secretsmanager-2017-10-17", "Secrets Manager", "json", "secretsmanager")]
    [InlineData("ecr-2015-09-21", "ECR", "json", "ecr")]
    public void The_model_names_the_protocol_and_signing_name_of_its_service(string uid, string serviceId, string protocol, string signingName)
    {
        var model = AwsServiceModel.Load(uid);

        Assert.Equal((serviceId, protocol, signingName), (model.ServiceId, model.Protocol, model.SigningName));
    }

    [Theory]
    [InlineData("CloudWatch Logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://logs.local:4566/")]
    [InlineData("Elastic Load Balancing v2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://elb.local:4566/")]
    public void A_service_specific_endpoint_wins_over_the_general_one(string serviceId, string variable, string expected)
    {
        var endpoints = new AwsEndpoints(name => name == variable ? expected : name == "AWS_ENDPOINT_URL" ? "http://localhost:4566" : null);

        Assert.Equal(new Uri(expected), endpoints.For(serviceId, "any", "eu-west-1"));
        Assert.Equal(new Uri("http://localhost:4566/"), endpoints.For("ECS", "ecs", "eu-west-1"));
    }

    [Fact]
    public void Without_overrides_calls_go_to_the_regional_endpoint()
    {
        var endpoints = new AwsEndpoints(_ => null);

        Assert.Equal(new Uri("https://monitoring.eu-west-1.amazonaws.com/"), endpoints.For("CloudWatch", "monitoring", "eu-west-1"));
        Assert.Equal(new Uri("https://rds.cn-north-1.amazonaws.com.cn/"), endpoints.For("RDS", "rds", "cn-north-1"));
    }
}
