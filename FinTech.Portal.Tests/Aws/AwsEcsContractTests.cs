using System.Net;
using System.Text.Json.Nodes;
using FinTech.Portal.Aws;
using FinTech.Portal.Platform.Ecs;
using EcsKeyValuePair = FinTech.Portal.Platform.Ecs.KeyValuePair;

namespace FinTech.Portal.Tests.Aws;

/// <summary>
/// The ECS calls a deployment makes, over real HTTP against <see cref="AwsTestEndpoint"/> (signature
/// verified independently, camelCase bodies checked against the ECS model): every operation and each
/// ECS error class.
/// </summary>
public sealed class AwsEcsContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Family = "fintech-prod-api";
    private const string Image42 = "333333333333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api@sha256:aaa";
    private const string Image43 = "333333333333.dkr.ecr.eu-west-1.amazonaws.com/fintech/api@sha256:bbb";
    private AwsTestHarness _aws = null!;

    public async Task InitializeAsync() => _aws = await AwsTestHarness.StartAsync();

    public async Task DisposeAsync()
    {
        Assert.True(_aws.Endpoint.Rejections.IsEmpty, string.Join("\n", _aws.Endpoint.Rejections));
        await _aws.DisposeAsync();
    }

    private AwsEcs Ecs => new(_aws.Client(AwsClients.Ecs));

    [Fact]
    public async Task DescribeTaskDefinition_reads_the_containers_with_their_secret_references_and_types_an_unknown_revision()
    {
        _aws.Endpoint.On(AwsClients.Ecs, "DescribeTaskDefinition", input => (string?)input["taskDefinition"] == $"{Family}:42"
            ? new JsonObject { ["taskDefinition"] = TaskDefinitionJson(42, Image42), ["tags"] = new JsonArray(new JsonObject { ["key"] = "env", ["value"] = "prod" }) }
            : throw new AwsTestError(HttpStatusCode.BadRequest, "ClientException", "Unable to describe task definition."));

        var described = await Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = $"{Family}:42", Include = ["TAGS"] });
        var missing = await Assert.ThrowsAsync<EcsClientException>(() => Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = $"{Family}:999" }));

        var definition = described.TaskDefinition;
        Assert.Equal((Family, 42, "ACTIVE", "awsvpc", "1024"), (definition.Family, definition.Revision, definition.Status, definition.NetworkMode, definition.Cpu));
        var api = Assert.Single(definition.ContainerDefinitions);
        Assert.Equal((Image42, true, true), (api.Image, api.Essential, api.ReadonlyRootFilesystem));
        Assert.Equal(["DB__Password"], api.Secrets!.Select(s => s.Name));
        Assert.EndsWith(":password::", api.Secrets![0].ValueFrom, StringComparison.Ordinal);
        Assert.Equal(new EcsKeyValuePair { Name = "ASPNETCORE_ENVIRONMENT", Value = "Production" }, Assert.Single(api.Environment!));
        Assert.Equal(("awslogs", "/fintech/prod/api"), (api.LogConfiguration!.LogDriver, api.LogConfiguration.Options!["awslogs-group"]));
        Assert.Equal(Start, definition.RegisteredAt);
        Assert.Equal("env", Assert.Single(described.Tags!).Key);
        Assert.Equal("ClientException", missing.ErrorCode);
        Assert.Equal(["TAGS"], _aws.Endpoint.CallsOf("DescribeTaskDefinition")[0].Input["include"]!.AsArray().Select(i => (string)i!));
    }

    [Fact]
    public async Task RegisterTaskDefinition_sends_the_revision_with_only_the_image_changed_and_types_a_refusal()
    {
        var answers = new Queue<Func<JsonObject, JsonObject>>([
            input => new JsonObject { ["taskDefinition"] = TaskDefinitionJson(43, (string)input["containerDefinitions"]![0]!["image"]!) },
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "ClientException", "Fargate requires task definition to have execution role ARN to support ECR images."),
        ]);
        _aws.Endpoint.On(AwsClients.Ecs, "RegisterTaskDefinition", input => answers.Dequeue()(input));
        var current = TaskDefinitionRecord(42, Image42);
        var request = RegisterTaskDefinitionRequest.WithImage(current, "api", Image43);

        var registered = await Ecs.RegisterTaskDefinitionAsync(request);
        var refused = await Assert.ThrowsAsync<EcsClientException>(() => Ecs.RegisterTaskDefinitionAsync(request with { ExecutionRoleArn = null }));

        Assert.Equal((43, Image43), (registered.TaskDefinition.Revision, registered.TaskDefinition.ContainerDefinitions[0].Image));
        Assert.Contains("execution role", refused.Message, StringComparison.Ordinal);
        var sent = _aws.Endpoint.CallsOf("RegisterTaskDefinition")[0].Input;
        Assert.Equal((Family, "arn:aws:iam::333333333333:role/fintech-prod-api-task", "arn:aws:iam::333333333333:role/fintech-prod-api-execution"),
            ((string?)sent["family"], (string?)sent["taskRoleArn"], (string?)sent["executionRoleArn"]));
        var container = sent["containerDefinitions"]![0]!;
        Assert.Equal((Image43, "DB__Password"), ((string?)container["image"], (string?)container["secrets"]![0]!["name"]));
        Assert.EndsWith(":password::", (string)container["secrets"]![0]!["valueFrom"]!, StringComparison.Ordinal);
        Assert.Equal(["FARGATE"], sent["requiresCompatibilities"]!.AsArray().Select(c => (string)c!));
    }

    [Fact]
    public async Task UpdateService_starts_a_deployment_of_the_revision_or_a_forced_one_and_types_each_ECS_fault()
    {
        var answers = new Queue<Func<JsonObject, JsonObject>>([
            input => new JsonObject { ["service"] = ServiceJson((string)input["taskDefinition"]!) },
            _ => new JsonObject { ["service"] = ServiceJson($"{Family}:42") },
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "ServiceNotFoundException", "Service not found."),
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "ServiceNotActiveException", "Service was not ACTIVE."),
            _ => throw new AwsTestError(HttpStatusCode.BadRequest, "ClusterNotFoundException", "Cluster not found."),
        ]);
        _aws.Endpoint.On(AwsClients.Ecs, "UpdateService", input => answers.Dequeue()(input));
        var deploy = new UpdateServiceRequest { Cluster = "fintech-prod", Service = Family, TaskDefinition = $"{Family}:43" };

        var deployed = await Ecs.UpdateServiceAsync(deploy);
        var restarted = await Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "fintech-prod", Service = Family, ForceNewDeployment = true });
        var notFound = await Assert.ThrowsAsync<EcsServiceNotFoundException>(() => Ecs.UpdateServiceAsync(deploy));
        var notActive = await Assert.ThrowsAsync<EcsServiceNotActiveException>(() => Ecs.UpdateServiceAsync(deploy));
        var noCluster = await Assert.ThrowsAsync<EcsClusterNotFoundException>(() => Ecs.UpdateServiceAsync(deploy));

        var primary = deployed.Service.Deployments.Single(d => d.Status == DeploymentStatus.Primary);
        Assert.Equal(($"arn:aws:ecs:eu-west-1:333333333333:task-definition/{Family}:43", RolloutState.InProgress, Start),
            (primary.TaskDefinition, primary.RolloutState, primary.CreatedAt));
        Assert.Equal(RolloutState.Completed, deployed.Service.Deployments.Single(d => d.Status == DeploymentStatus.Active).RolloutState);
        Assert.Equal((true, true), (deployed.Service.DeploymentConfiguration!.DeploymentCircuitBreaker!.Enable, deployed.Service.DeploymentConfiguration.DeploymentCircuitBreaker.Rollback));
        Assert.Equal("(service fintech-prod-api) has started 1 tasks.", deployed.Service.Events[0].Message);
        Assert.NotNull(restarted.Service);
        Assert.Equal(("ServiceNotFoundException", "ServiceNotActiveException", "ClusterNotFoundException"), (notFound.ErrorCode, notActive.ErrorCode, noCluster.ErrorCode));
        var calls = _aws.Endpoint.CallsOf("UpdateService");
        Assert.Equal(("fintech-prod", Family, $"{Family}:43", null), ((string?)calls[0].Input["cluster"], (string?)calls[0].Input["service"], (string?)calls[0].Input["taskDefinition"], (bool?)calls[0].Input["forceNewDeployment"]));
        Assert.Equal((true, null), ((bool?)calls[1].Input["forceNewDeployment"], (string?)calls[1].Input["taskDefinition"]));
    }

    [Fact]
    public async Task DescribeServices_reports_a_service_ECS_does_not_know_as_a_MISSING_failure()
    {
        _aws.Endpoint.On(AwsClients.Ecs, "DescribeServices", _ => new JsonObject
        {
            ["services"] = new JsonArray(),
            ["failures"] = new JsonArray(new JsonObject { ["arn"] = "arn:aws:ecs:eu-west-1:333333333333:service/fintech-prod/nope", ["reason"] = "MISSING" }),
        });

        var response = await Ecs.DescribeServicesAsync(new DescribeServicesRequest { Cluster = "fintech-prod", Services = ["nope"] });

        Assert.Empty(response.Services);
        Assert.Equal("MISSING", Assert.Single(response.Failures).Reason);
    }

    internal static TaskDefinition TaskDefinitionRecord(int revision, string image) => new()
    {
        TaskDefinitionArn = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{Family}:{revision}",
        Family = Family,
        Revision = revision,
        Status = "ACTIVE",
        TaskRoleArn = "arn:aws:iam::333333333333:role/fintech-prod-api-task",
        ExecutionRoleArn = "arn:aws:iam::333333333333:role/fintech-prod-api-execution",
        NetworkMode = "awsvpc",
        RequiresCompatibilities = ["FARGATE"],
        Cpu = "1024",
        Memory = "2048",
        RuntimePlatform = new RuntimePlatform { CpuArchitecture = "ARM64", OperatingSystemFamily = "LINUX" },
        ContainerDefinitions =
        [
            new ContainerDefinition
            {
                Name = "api",
                Image = image,
                Essential = true,
                ReadonlyRootFilesystem = true,
                User = "1000",
                PortMappings = [new PortMapping { ContainerPort = 8080, Protocol = "tcp" }],
                Environment = [new EcsKeyValuePair { Name = "ASPNETCORE_ENVIRONMENT", Value = "Production" }],
                Secrets = [new Secret { Name = "DB__Password", ValueFrom = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!cluster-0a1b-AbCdEf:password::" }],
                LogConfiguration = new LogConfiguration
                {
                    LogDriver = "awslogs",
                    Options = new Dictionary<string, string> { ["awslogs-group"] = "/fintech/prod/api", ["awslogs-region"] = "eu-west-1", ["awslogs-stream-prefix"] = "api" },
                },
                HealthCheck = new HealthCheck { Command = ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"], Interval = 30, Retries = 3 },
            },
        ],
    };

    private static JsonObject TaskDefinitionJson(int revision, string image) => new()
    {
        ["taskDefinitionArn"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{Family}:{revision}",
        ["family"] = Family,
        ["revision"] = revision,
        ["status"] = "ACTIVE",
        ["taskRoleArn"] = "arn:aws:iam::333333333333:role/fintech-prod-api-task",
        ["executionRoleArn"] = "arn:aws:iam::333333333333:role/fintech-prod-api-execution",
        ["networkMode"] = "awsvpc",
        ["requiresCompatibilities"] = new JsonArray("FARGATE"),
        ["cpu"] = "1024",
        ["memory"] = "2048",
        ["registeredAt"] = Start.ToString("O"),
        ["registeredBy"] = "arn:aws:sts::333333333333:assumed-role/fintech-prod-portal-access/fintech-portal-prod",
        ["containerDefinitions"] = new JsonArray(new JsonObject
        {
            ["name"] = "api",
            ["image"] = image,
            ["essential"] = true,
            ["readonlyRootFilesystem"] = true,
            ["portMappings"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["protocol"] = "tcp" }),
            ["environment"] = new JsonArray(new JsonObject { ["name"] = "ASPNETCORE_ENVIRONMENT", ["value"] = "Production" }),
            ["secrets"] = new JsonArray(new JsonObject { ["name"] = "DB__Password", ["valueFrom"] = "arn:aws:secretsmanager:eu-west-1:333333333333:secret:rds!cluster-0a1b-AbCdEf:password::" }),
            ["logConfiguration"] = new JsonObject
            {
                ["logDriver"] = "awslogs",
                ["options"] = new JsonObject { ["awslogs-group"] = "/fintech/prod/api", ["awslogs-region"] = "eu-west-1", ["awslogs-stream-prefix"] = "api" },
            },
        }),
    };

    private static JsonObject ServiceJson(string taskDefinition) => new()
    {
        ["serviceName"] = Family,
        ["serviceArn"] = $"arn:aws:ecs:eu-west-1:333333333333:service/fintech-prod/{Family}",
        ["clusterArn"] = "arn:aws:ecs:eu-west-1:333333333333:cluster/fintech-prod",
        ["status"] = "ACTIVE",
        ["desiredCount"] = 3,
        ["runningCount"] = 3,
        ["pendingCount"] = 1,
        ["launchType"] = "FARGATE",
        ["taskDefinition"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{taskDefinition}",
        ["deploymentConfiguration"] = new JsonObject
        {
            ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = true, ["rollback"] = true },
            ["maximumPercent"] = 200,
            ["minimumHealthyPercent"] = 100,
        },
        ["deployments"] = new JsonArray(
            new JsonObject
            {
                ["id"] = "ecs-svc/2", ["status"] = "PRIMARY", ["taskDefinition"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{taskDefinition}",
                ["desiredCount"] = 3, ["pendingCount"] = 1, ["runningCount"] = 0, ["failedTasks"] = 0, ["rolloutState"] = "IN_PROGRESS",
                ["rolloutStateReason"] = "ECS deployment ecs-svc/2 in progress.", ["createdAt"] = Start.ToString("O"), ["updatedAt"] = Start.ToString("O"),
            },
            new JsonObject
            {
                ["id"] = "ecs-svc/1", ["status"] = "ACTIVE", ["taskDefinition"] = $"arn:aws:ecs:eu-west-1:333333333333:task-definition/{Family}:42",
                ["desiredCount"] = 3, ["pendingCount"] = 0, ["runningCount"] = 3, ["rolloutState"] = "COMPLETED", ["createdAt"] = Start.AddDays(-3).ToString("O"),
            }),
        ["events"] = new JsonArray(new JsonObject { ["id"] = "e-1", ["createdAt"] = Start.ToString("O"), ["message"] = "(service fintech-prod-api) has started 1 tasks." }),
        ["createdAt"] = Start.AddDays(-400).ToString("O"),
    };
}
