using System.Text.Json;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Failover;
using FinTech.Portal.Operations.Rotations;
using FinTech.Portal.Platform.SecretsManager;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Rotations;

/// <summary>Secret rotations through the whole engine against the Sandbox's Secrets Manager, Aurora and ECS, on a fake clock.</summary>
public sealed class SecretRotationRunTests : IAsyncLifetime
{
    private const string RedisToken = "fintech/sandbox/redis/auth-token";
    private const string ExternalKeys = "fintech/sandbox/api/external-api-keys";
    private const string OriginVerify = "fintech/sandbox/edge/origin-verify";
    private const string PreviousRotationIncomplete = "A previous rotation isn't complete. That rotation will be reattempted.";

    private readonly SqliteTestDatabase _database = new();
    private OperationsTestKit _kit = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync() => _kit = await KitAsync();

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private async Task<OperationsTestKit> KitAsync(Func<ISecretsManager, ISecretsManager>? secretsManager = null)
    {
        var kit = new OperationsTestKit(_database.Database, sandbox: true, secretsManager: secretsManager);
        await kit.MigrateAsync();
        return kit;
    }

    private SandboxSecretsManagerView Secrets => new(_kit.SandboxPlatforms["prod"].SecretsManager);

    private string AuroraSecret => _kit.Environments.Get("prod").Resources.AuroraCredentialsSecret!;

    [Fact]
    public async Task An_approved_rotation_moves_AWSCURRENT_to_its_own_version_and_names_the_api_service_still_on_the_old_one()
    {
        var before = await Secrets.DescribeAsync(RedisToken);
        var run = await _kit.As(Olivia).RequestAsync(Form(RedisToken), None);
        Assert.All(run.Preflight, c => Assert.True(c.Passed, $"{c.Name}: {c.Detail}"));
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(5));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Succeeded, done.State);
        var after = await Secrets.DescribeAsync(RedisToken);
        var token = SecretRotation.TokenFor(run.Id);
        Assert.Equal(token, after.VersionWith(VersionStages.Current));
        Assert.Equal(before.VersionWith(VersionStages.Current), after.VersionWith(VersionStages.Previous));
        var figures = await FiguresAsync(run.Id);
        Assert.Equal(token, figures["newVersion"]);
        Assert.Equal(before.VersionWith(VersionStages.Current), figures["previousVersion"]);
        Assert.Equal(after.ARN, figures["secretArn"]);
        Assert.Equal("fintech-sandbox-api", figures["consumers"]);
        Assert.Equal("fintech-sandbox-api", figures["consumersToRestart"]);
        Assert.InRange(double.Parse(figures["rotationSeconds"], System.Globalization.CultureInfo.InvariantCulture), 20, 40);
        Assert.StartsWith($"AWSCURRENT moved to version {token} after ", done.OutcomeReason, StringComparison.Ordinal);
        var timeline = (await _kit.Store.TimelineAsync(run.Id, None)).Select(t => t.Text).ToList();
        Assert.Contains($"RotateSecret(SecretId={RedisToken}, ClientRequestToken={token})", string.Join("\n", timeline), StringComparison.Ordinal);
        Assert.Contains($"createSecret: version {token} created and staged AWSPENDING; AWSCURRENT stays on {figures["previousVersion"]} while setSecret and testSecret run.", timeline);
        Assert.Contains($"finishSecret: AWSCURRENT moved to version {token}; {figures["previousVersion"]} is AWSPREVIOUS.", timeline);
        Assert.Contains("fintech-sandbox-api (fintech-sandbox-api:42) reads it as REDIS__AUTHTOKEN and its tasks started before the rotation: they hold the previous version until restarted (a forced new deployment).", timeline);
        Assert.True((await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None)).Intact);
    }

    [Fact]
    public async Task After_a_forced_new_deployment_completes_the_api_service_reads_the_rotated_version()
    {
        var platform = _kit.SandboxPlatforms["prod"];
        var environment = _kit.Environments.Get("prod");
        var rotated = await platform.SecretsManager.RotateSecretAsync(new RotateSecretRequest { SecretId = RedisToken });
        _kit.Time.Advance(TimeSpan.FromMinutes(1));
        var secret = await Secrets.DescribeAsync(RedisToken);
        var context = new OperationContext(environment, _kit.Platforms.Connect(environment), new OperationParameters(SecretRotation.KindKey, "prod", RedisToken, [], new Dictionary<string, string>()), _kit.Time);
        var consumers = new SecretConsumers();
        var before = await consumers.FindAsync(context, secret.ARN, secret.LastRotatedDate!.Value, None);

        await platform.Ecs.UpdateServiceAsync(new FinTech.Portal.Platform.Ecs.UpdateServiceRequest { Cluster = "fintech-sandbox", Service = "fintech-sandbox-api", ForceNewDeployment = true });
        _kit.Time.Advance(platform.Ecs.Deployments[^1].CompletedAt - _kit.Time.GetUtcNow() + TimeSpan.FromSeconds(1));
        var after = await consumers.FindAsync(context, secret.ARN, secret.LastRotatedDate!.Value, None);

        Assert.Equal(rotated.VersionId, secret.VersionWith(VersionStages.Current));
        Assert.Equal([("fintech-sandbox-api", false)], before.Services.Select(s => (s.ServiceName, s.StartedAfterRotation)));
        Assert.Equal([("fintech-sandbox-api", true)], after.Services.Select(s => (s.ServiceName, s.StartedAfterRotation)));
        Assert.Equal(["REDIS__AUTHTOKEN"], after.Services[0].ReferencedAs);
        Assert.Equal("fintech-sandbox-api (fintech-sandbox-api:42) reads it as REDIS__AUTHTOKEN and its tasks started after the rotation.", after.Summary);
    }

    [Fact]
    public void The_secret_arn_is_read_from_valueFrom_with_or_without_a_json_key()
    {
        const string arn = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-0a1b-AbCdEf";
        Assert.Equal(arn, SecretConsumers.SecretArnOf(arn));
        Assert.Equal(arn, SecretConsumers.SecretArnOf(arn + ":password::"));
        Assert.Equal(arn, SecretConsumers.SecretArnOf(arn + ":password:AWSPREVIOUS:"));
    }

    [Fact]
    public async Task A_rotation_that_Secrets_Manager_refuses_because_another_one_started_fails_with_that_reason_and_changes_nothing()
    {
        _kit.Dispose();
        // A scheduled rotation starts in the same second as the run's own call.
        _kit = await KitAsync(port => new RotationStartsFirst(port));
        var before = await Secrets.DescribeAsync(OriginVerify);
        var run = await _kit.As(Olivia).RequestAsync(Form(OriginVerify), None);
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(5));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        Assert.StartsWith($"Secrets Manager refused RotateSecret: \"{PreviousRotationIncomplete}\" Another rotation of {OriginVerify} is running", done.OutcomeReason, StringComparison.Ordinal);
        _kit.Time.Advance(TimeSpan.FromMinutes(1));
        var after = await Secrets.DescribeAsync(OriginVerify);
        Assert.False(after.VersionIdsToStages.ContainsKey(SecretRotation.TokenFor(run.Id)));
        Assert.Equal(RotationStartsFirst.ScheduledToken, after.VersionWith(VersionStages.Current));
        Assert.Equal(before.VersionWith(VersionStages.Current), after.VersionWith(VersionStages.Previous));
    }

    [Fact]
    public async Task SetSecret_failing_while_the_database_fails_over_fails_the_run_with_the_failover_as_the_reason_and_leaves_AWSCURRENT()
    {
        var platform = _kit.SandboxPlatforms["prod"];
        var before = await Secrets.DescribeAsync(AuroraSecret);
        var run = await _kit.As(Olivia).RequestAsync(Form(AuroraSecret), None);
        Assert.Contains(run.Preflight, c => c is { Name: "Database available", Passed: true });
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        SandboxAuroraFailover failover;
        await using (var worker = new WorkerOnClock(_kit.Worker, _kit.Time))
        {
            Assert.True(await worker.RunUntilAsync(async () => (await _kit.Store.TimelineAsync(run.Id, None)).Any(t => t.Text.Contains("RotateSecret(", StringComparison.Ordinal)),
                TimeSpan.FromMinutes(2)), "RotateSecret was never called.");
            // RDS fails the writer over on its own (a host failure) just as the rotation function starts.
            failover = platform.FailoverAuroraCluster();
            await worker.RunToEndAsync(TimeSpan.FromMinutes(7));
        }

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        var token = SecretRotation.TokenFor(run.Id);
        Assert.StartsWith($"setSecret could not change the credentials: the Aurora cluster fintech-sandbox-aurora failed over at {failover.StartedAt.UtcDateTime:HH:mm:ss} UTC (RDS-EVENT-0073 Started cross AZ failover to DB instance: fintech-sandbox-aurora-2) while the rotation ran. Version {token} keeps AWSPENDING and AWSCURRENT stays on {before.VersionWith(VersionStages.Current)}", done.OutcomeReason, StringComparison.Ordinal);
        var after = await Secrets.DescribeAsync(AuroraSecret);
        Assert.Equal([VersionStages.Pending], after.VersionIdsToStages[token]);
        Assert.Equal(before.VersionWith(VersionStages.Current), after.VersionWith(VersionStages.Current));
        // The stray AWSPENDING it leaves stops the next request at preflight.
        var next = await _kit.As(Olivia).DryRunAsync(Form(AuroraSecret), None);
        Assert.Contains(next.Preflight, c => c.Name == "No AWSPENDING version" && !c.Passed && c.Detail.StartsWith($"Version {token} holds AWSPENDING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stray_AWSPENDING_fails_preflight_and_the_run_never_calls_RotateSecret()
    {
        var stray = (await Secrets.DescribeAsync(ExternalKeys)).VersionWith(VersionStages.Pending);
        var run = await _kit.As(Olivia).RequestAsync(Form(ExternalKeys), None);
        Assert.Contains(run.Preflight, c => c is { Name: "No AWSPENDING version", Passed: false });
        await _kit.As(Avery).ApproveAsync(run.Id, None);

        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(1));

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, done.State);
        Assert.StartsWith($"Preflight failed: No AWSPENDING version: Version {stray} holds AWSPENDING: a rotation is running, or an earlier one stopped and left it (a stray AWSPENDING).", done.OutcomeReason, StringComparison.Ordinal);
        Assert.Empty(await _kit.EventsAsync("operation.action-started"));
        Assert.Equal(stray, (await Secrets.DescribeAsync(ExternalKeys)).VersionWith(VersionStages.Pending));
    }

    [Fact]
    public async Task A_secret_without_a_rotation_function_fails_preflight_with_what_to_configure()
    {
        var dry = await _kit.As(Olivia).DryRunAsync(Form("fintech/sandbox/portal/database-connection-string"), None);

        Assert.Contains(dry.Preflight, c => c is
        {
            Name: "Rotation configured",
            Passed: false,
            Detail: "fintech/sandbox/portal/database-connection-string has no rotation configured (rotation disabled, no rotation function): Secrets Manager would refuse RotateSecret. Configure rotation in infra/ first.",
        });
    }

    [Fact]
    public async Task A_rotation_of_the_database_credentials_is_refused_while_a_failover_test_of_that_cluster_holds_them()
    {
        var failover = await _kit.As(Olivia).RequestAsync(Form("fintech-sandbox-aurora", AuroraFailoverTest.KindKey), None);

        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => _kit.As(Omar).RequestAsync(Form(AuroraSecret), None));

        Assert.Equal($"Another active run holds what this one needs. Run {failover.Id} (aurora-failover-test, AwaitingApproval) holds prod/ecs-service/fintech-sandbox/fintech-sandbox-api, prod/secret/fintech-sandbox-aurora-credentials.", refused.Message);
    }

    [Fact]
    public async Task A_failover_test_of_the_cluster_is_refused_while_a_rotation_of_its_credentials_holds_them()
    {
        var rotation = await _kit.As(Olivia).RequestAsync(Form(AuroraSecret), None);

        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => _kit.As(Omar).RequestAsync(Form("fintech-sandbox-aurora", AuroraFailoverTest.KindKey), None));

        Assert.Equal($"Another active run holds what this one needs. Run {rotation.Id} (secret-rotation, AwaitingApproval) holds prod/ecs-service/fintech-sandbox/fintech-sandbox-api, prod/secret/fintech-sandbox-aurora-credentials.", refused.Message);
    }

    [Fact]
    public async Task A_secret_no_failover_or_service_depends_on_rotates_while_a_failover_test_runs()
    {
        await _kit.As(Olivia).RequestAsync(Form("fintech-sandbox-aurora", AuroraFailoverTest.KindKey), None);

        var rotation = await _kit.As(Omar).RequestAsync(Form(OriginVerify), None);

        Assert.Equal(OperationState.AwaitingApproval, rotation.State);
        Assert.Equal([$"prod/secrets-manager/{OriginVerify}"], _kit.Kinds.Get(SecretRotation.KindKey).LockKeys(_kit.Environments.Get("prod"), OriginVerify));
    }

    private static OperationRequestForm Form(string target, string kind = SecretRotation.KindKey) => new()
    {
        Kind = kind,
        Environment = "prod",
        Target = target,
        Reason = "Quarterly credential rotation (PCI DSS 8.3.9)",
        ChangeTicket = "CHG0040002",
    };

    private async Task<Dictionary<string, string>> FiguresAsync(string runId)
    {
        var evidence = (await _kit.Store.EvidenceAsync(runId, None))!;
        using var document = JsonDocument.Parse(evidence.Content);
        return document.RootElement.GetProperty("measurements").GetProperty("figures").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    private sealed class SandboxSecretsManagerView(ISecretsManager port)
    {
        public Task<DescribeSecretResponse> DescribeAsync(string name) => port.DescribeSecretAsync(new DescribeSecretRequest { SecretId = name });
    }

    /// <summary>Secrets Manager with a scheduled rotation that starts just before the portal's RotateSecret arrives.</summary>
    private sealed class RotationStartsFirst(ISecretsManager inner) : ISecretsManager
    {
        public const string ScheduledToken = "scheduled-rotation-0000000000000000001";

        public Task<ListSecretsResponse> ListSecretsAsync(ListSecretsRequest request, CancellationToken cancellationToken = default) => inner.ListSecretsAsync(request, cancellationToken);

        public Task<DescribeSecretResponse> DescribeSecretAsync(DescribeSecretRequest request, CancellationToken cancellationToken = default) => inner.DescribeSecretAsync(request, cancellationToken);

        public async Task<RotateSecretResponse> RotateSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken = default)
        {
            await inner.RotateSecretAsync(request with { ClientRequestToken = ScheduledToken }, cancellationToken);
            return await inner.RotateSecretAsync(request, cancellationToken);
        }
    }
}
