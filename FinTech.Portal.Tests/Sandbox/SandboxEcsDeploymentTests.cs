using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxEcsDeploymentTests
{
    private const string Cluster = "fintech-sandbox";
    private const string ServiceName = "fintech-sandbox-api";

    [Fact]
    public async Task The_API_task_definition_runs_v1_46_0_by_digest_and_takes_its_credentials_from_Secrets_Manager()
    {
        var platform = new SandboxTestPlatform();

        var definition = (await platform.Platform.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = ServiceName })).TaskDefinition;

        Assert.Equal(("fintech-sandbox-api", 42, "ACTIVE"), (definition.Family, definition.Revision, definition.Status));
        var container = Assert.Single(definition.ContainerDefinitions);
        Assert.Equal(SandboxEcs.ApiImage(platform.Platform.Ecr.RunningApiImage.Digest), container.Image);
        var secretArns = (await platform.Platform.SecretsManager.ListSecretsAsync(new())).SecretList.ToDictionary(s => s.Name, s => s.ARN);
        var valueFrom = container.Secrets!.Select(s => s.ValueFrom).ToList();
        Assert.Contains(valueFrom, v => v.StartsWith(secretArns.Single(s => s.Key.StartsWith("rds!cluster-", StringComparison.Ordinal)).Value + ":password", StringComparison.Ordinal));
        Assert.Contains(secretArns["fintech/sandbox/redis/auth-token"], valueFrom);
        Assert.Contains(valueFrom, v => v.StartsWith(secretArns["fintech/sandbox/api/external-api-keys"] + ":psp_api_key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_good_image_rolls_out_next_to_the_old_tasks_and_completes_at_a_steady_state()
    {
        var platform = new SandboxTestPlatform();
        var revision = await RegisterAsync(platform, "v1.47.1");

        await platform.Platform.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = ServiceName, TaskDefinition = revision.TaskDefinitionArn });
        var deployment = platform.Platform.Ecs.Deployments[^1];
        var started = Describe(platform);
        platform.Time.Advance(deployment.RunningAt - platform.Now + TimeSpan.FromSeconds(1));
        var bothRunning = Describe(platform);
        platform.Time.Advance(deployment.CompletedAt - platform.Now + TimeSpan.FromSeconds(1));
        var done = Describe(platform);

        Assert.Equal((RolloutState.InProgress, 0, 6), (started.Deployments[0].RolloutState, started.Deployments[0].RunningCount, started.Deployments[0].PendingCount));
        Assert.Equal(12, bothRunning.RunningCount);
        Assert.Equal([DeploymentStatus.Primary, DeploymentStatus.Active], bothRunning.Deployments.Select(d => d.Status));
        var primary = Assert.Single(done.Deployments);
        Assert.Equal((RolloutState.Completed, 6, "arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:43"),
            (primary.RolloutState, primary.RunningCount, primary.TaskDefinition));
        Assert.Equal($"(service {ServiceName}) has reached a steady state.", done.Events[0].Message);
        Assert.True(deployment.HealthyAt - deployment.StartedAt <= TimeSpan.FromSeconds(100));
    }

    [Fact]
    public async Task The_crashing_build_trips_the_circuit_breaker_and_ECS_rolls_back_to_the_completed_deployment()
    {
        var platform = new SandboxTestPlatform();
        var revision = await RegisterAsync(platform, "v1.46.1");

        await platform.Platform.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = ServiceName, TaskDefinition = revision.TaskDefinitionArn });
        var failed = platform.Platform.Ecs.Deployments[^1];
        platform.Time.Advance(failed.FailedAt - platform.Now + TimeSpan.FromSeconds(1));
        var rollingBack = Describe(platform);
        var rollback = platform.Platform.Ecs.Deployments[^1];
        platform.Time.Advance(rollback.CompletedAt - platform.Now + TimeSpan.FromSeconds(1));
        var after = Describe(platform);

        Assert.Equal(3, SandboxEcsDeployment.FailureThreshold(6));
        Assert.Equal(SandboxEcsDeploymentCause.CircuitBreakerRollback, rollback.Cause);
        Assert.Equal("arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:42", rollingBack.Deployments[0].TaskDefinition);
        Assert.Contains(rollingBack.Events, e => e.Message == $"(service {ServiceName}) (deployment {failed.Id}) deployment failed: tasks failed to start.");
        var primary = after.Deployments[0];
        Assert.Equal((RolloutState.Completed, 6, "arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:42"),
            (primary.RolloutState, primary.RunningCount, primary.TaskDefinition));
    }

    [Fact]
    public async Task The_crashing_build_shows_as_5xx_on_the_API_target_group()
    {
        var platform = new SandboxTestPlatform();
        var before = platform.Latest(platform.TargetGroup("HTTPCode_Target_5XX_Count", Statistic.Sum));
        var revision = await RegisterAsync(platform, "v1.46.1");
        await platform.Platform.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = ServiceName, TaskDefinition = revision.TaskDefinitionArn });
        var failed = platform.Platform.Ecs.Deployments[^1];

        platform.Time.Advance(failed.FailedAt - platform.Now + TimeSpan.FromMinutes(2));
        var series = platform.Series(platform.TargetGroup("HTTPCode_Target_5XX_Count", Statistic.Sum), failed.StartedAt.AddMinutes(-1), platform.Now);

        Assert.True(series.Points.Max(p => p.Value) > 3 * before, $"5xx before {before}, during {string.Join(", ", series.Points.Select(p => p.Value))}");
    }

    [Fact]
    public async Task A_rollout_shows_in_the_task_counts_and_as_a_latency_blip_while_the_new_tasks_warm_up()
    {
        var platform = new SandboxTestPlatform();
        var revision = await RegisterAsync(platform, "v1.47.1");
        platform.Time.Advance(TimeSpan.FromMinutes(3));
        await platform.Platform.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = ServiceName, TaskDefinition = revision.TaskDefinitionArn });
        var deployment = platform.Platform.Ecs.Deployments[^1];

        platform.Time.Advance(TimeSpan.FromMinutes(6));
        var from = deployment.StartedAt.AddMinutes(-3);
        var running = platform.Series(platform.Ecs("ECS/ContainerInsights", "RunningTaskCount", Statistic.Average), from, platform.Now).Points;
        var pending = platform.Series(platform.Ecs("ECS/ContainerInsights", "PendingTaskCount", Statistic.Average), from, platform.Now).Points;
        var median = platform.Series(platform.TargetGroup("TargetResponseTime", Statistic.P50), from, platform.Now).Points;

        Assert.Equal(6, running[0].Value);
        Assert.Equal(12, running.Max(p => p.Value));
        Assert.Equal(6, running[^1].Value);
        Assert.Equal(6, pending.Max(p => p.Value));
        var before = median.Where(p => p.Timestamp < deployment.StartedAt.AddMinutes(-1)).Average(p => p.Value);
        Assert.True(median.Max(p => p.Value) > 1.15 * before, $"p50 before {before:0.000} s, during {string.Join(", ", median.Select(p => p.Value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public async Task An_unknown_task_definition_is_a_ClientException_as_ECS_answers()
    {
        var platform = new SandboxTestPlatform();

        var error = await Assert.ThrowsAsync<EcsClientException>(() =>
            platform.Platform.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = Cluster, Service = ServiceName, TaskDefinition = "fintech-sandbox-api:99" }));

        Assert.Equal(("ClientException", "TaskDefinition not found."), (error.ErrorCode, error.Message));
    }

    private static Task<TaskDefinition> RegisterAsync(SandboxTestPlatform platform, string tag) => RegisterAsync(platform.Platform, tag);

    /// <summary>Registers the API's latest revision again with the image tagged <paramref name="tag"/>, as a pipeline would.</summary>
    internal static async Task<TaskDefinition> RegisterAsync(SandboxPlatform platform, string tag)
    {
        var current = (await platform.Ecs.DescribeTaskDefinitionAsync(new DescribeTaskDefinitionRequest { TaskDefinition = platform.Ecs.Family })).TaskDefinition;
        var image = platform.Ecr.Images.Single(i => i.RepositoryName == SandboxEcr.ApiRepository && i.Tags.Contains(tag));
        var request = RegisterTaskDefinitionRequest.WithImage(current, SandboxEcs.ContainerName, SandboxEcs.ApiImage(image.Digest));
        return (await platform.Ecs.RegisterTaskDefinitionAsync(request)).TaskDefinition;
    }

    private static Service Describe(SandboxTestPlatform platform) =>
        platform.Platform.Ecs.DescribeServices(new DescribeServicesRequest { Cluster = Cluster, Services = [ServiceName] }).Services.Single();
}
