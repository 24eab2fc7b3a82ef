using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FinTech.Portal.Audit;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.SecretsManager;
using Microsoft.Extensions.Options;
using ElastiCacheApi = FinTech.Portal.Platform.ElastiCache;
using RdsApi = FinTech.Portal.Platform.Rds;

namespace FinTech.Portal.Operations.Rotations;

/// <summary>
/// Rotates a Secrets Manager secret now: <c>RotateSecret</c> with a client request token fixed for
/// the run, then the version stages until AWSCURRENT moves to the new version (createSecret →
/// setSecret → testSecret → finishSecret run in the secret's rotation function), then the ECS
/// services that reference the secret and whether their tasks started after the rotation.
/// It handles metadata only: version ids and dates, never a value (the port cannot return one).
/// It holds the secret, the credentials of the cluster or group the secret opens (a failover of it
/// holds them too) and the API service when the API reads the secret (a deployment holds it too).
/// </summary>
public sealed class SecretRotation(PlatformRegistry platforms, SecretConsumers consumers, IOptions<OperationsOptions> options) : IOperationKind
{
    public const string KindKey = "secret-rotation";

    private const string Token = "clientRequestToken";
    private const string SecretArn = "secretArn";
    private const string PreviousVersion = "previousVersion";
    private const string RequestedAt = "rotateRequestedAt";
    private const string PendingAt = "pendingAt";
    private const string CurrentAt = "currentAt";

    private SecretRotationOptions Options => options.Value.Rotation;

    public string Key => KindKey;

    public string DisplayName => "Secret rotation";

    public TimeSpan VerificationWindow => Options.VerificationWindow;

    public IReadOnlyList<string> Targets(PortalEnvironment environment) =>
        platforms.Connect(environment).Has<ISecretsManager>() ? environment.Resources.Secrets : [];

    public IReadOnlyList<string> LockKeys(PortalEnvironment environment, string target)
    {
        var resources = environment.Resources;
        var keys = new List<string> { ResourceKeys.Secret(environment.Key, target) };
        if (target == resources.AuroraCredentialsSecret)
        {
            keys.Add(ResourceKeys.CredentialsSecret(environment.Key, resources.AuroraCluster));
        }
        if (target == resources.RedisAuthTokenSecret)
        {
            keys.Add(ResourceKeys.CredentialsSecret(environment.Key, resources.RedisReplicationGroup));
        }
        if (resources.ApiServiceSecrets.Contains(target, StringComparer.Ordinal))
        {
            keys.Add(ResourceKeys.EcsService(environment.Key, resources.EcsCluster, resources.EcsService));
        }
        return keys;
    }

    // Consumers that cannot sign in with the new version show as failing requests and transactions.
    public IReadOnlyList<string> DefaultStopConditions(PortalEnvironment environment) =>
        [environment.Resources.AlarmName("5xx-rate"), environment.Resources.AlarmName("transactions-failure-rate")];

    public async Task<TargetSnapshot> DescribeTargetAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var secret = await DescribeAsync(context, cancellationToken);
        return new TargetSnapshot(new Dictionary<string, string>
        {
            ["arn"] = secret.ARN,
            ["rotationEnabled"] = secret.RotationEnabled == true ? "true" : "false",
            ["currentVersion"] = secret.VersionWith(VersionStages.Current) ?? "none",
            ["pendingVersion"] = secret.VersionWith(VersionStages.Pending) ?? "none",
            ["lastRotated"] = secret.LastRotatedDate is { } last ? AuditCanonical.FormatTimestamp(last) : "never",
        });
    }

    public async Task<IReadOnlyList<PreflightCheck>> PreflightAsync(OperationContext context, CancellationToken cancellationToken)
    {
        DescribeSecretResponse secret;
        try
        {
            secret = await DescribeAsync(context, cancellationToken);
        }
        catch (PlatformServiceException e)
        {
            return [new PreflightCheck("Secret exists", false, $"{e.ErrorCode}: {e.Message}")];
        }
        var checks = new List<PreflightCheck> { RotationConfigured(secret), NoPendingVersion(secret) };
        if (await CredentialsResourceAsync(context, cancellationToken) is { } resource)
        {
            checks.Add(resource);
        }
        return checks;
    }

    public async Task<OperationPlan> PlanAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var secret = await DescribeAsync(context, cancellationToken);
        var current = secret.VersionWith(VersionStages.Current) ?? "none";
        return new OperationPlan(
        [
            "Check again right before acting: rotation configured, no version holding AWSPENDING, the resource the secret opens available, no stop condition in ALARM.",
            $"Call RotateSecret on {secret.Name} with a client request token fixed for this run (a repeat after a restart starts nothing new).",
            "Follow the version stages: the new version gets AWSPENDING (createSecret), the rotation function sets and tests it (setSecret, testSecret), "
                + $"then AWSCURRENT moves to it (finishSecret). Fail after {Options.Timeout.TotalMinutes:0.#} minutes if it has not.",
            "Find the ECS services whose task definitions reference the secret (containerDefinitions[].secrets[].valueFrom) and whether their tasks started after the rotation; "
                + "those that did not still hold the old version until they restart.",
            $"Watch the stop conditions for {Options.VerificationWindow.TotalSeconds:0} s, then seal the evidence: the stages with their times and the version ids, never a value.",
        ], new Dictionary<string, string>
        {
            ["currentVersion"] = current,
            ["afterRotation"] = $"AWSCURRENT on the new version, {current} AWSPREVIOUS",
            ["nextScheduledRotation"] = secret.NextRotationDate is { } next ? AuditCanonical.FormatTimestamp(next) : "none",
        });
    }

    public async Task ExecuteAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var secretsManager = execution.Platform.Get<ISecretsManager>();
        if (!execution.Checkpoint.ContainsKey(PreviousVersion))
        {
            var before = await DescribeAsync(execution, cancellationToken);
            await execution.SaveAsync(SecretArn, before.ARN, cancellationToken);
            await execution.SaveAsync(PreviousVersion, before.VersionWith(VersionStages.Current) ?? "none", cancellationToken);
            await execution.SaveAsync(Token, TokenFor(execution.Run.Id), cancellationToken);
        }
        var token = execution.Checkpoint[Token];
        // Describe before acting: after a restart the call may have been accepted already; a repeat
        // with the same token is idempotent anyway, so a version that is not staged yet is asked for again.
        if (!execution.Checkpoint.ContainsKey(RequestedAt)
            || !(await DescribeAsync(execution, cancellationToken)).VersionIdsToStages.ContainsKey(token))
        {
            await execution.RecordCallAsync(RequestedAt, $"RotateSecret(SecretId={execution.Target}, ClientRequestToken={token})", cancellationToken);
            await RotateAsync(execution, secretsManager, token, cancellationToken);
        }
        var requestedAt = AuditCanonical.ParseTimestamp(execution.Checkpoint[RequestedAt]);
        var previous = execution.Checkpoint[PreviousVersion];
        while (true)
        {
            var secret = await DescribeAsync(execution, cancellationToken);
            var stages = secret.VersionIdsToStages.GetValueOrDefault(token) ?? [];
            if ((stages.Contains(VersionStages.Pending) || stages.Contains(VersionStages.Current)) && !execution.Checkpoint.ContainsKey(PendingAt))
            {
                // LastChangedDate is when AWSPENDING was put on the new version (createSecret), unless finishSecret has run since.
                var at = stages.Contains(VersionStages.Pending) && secret.LastChangedDate is { } changed && changed >= requestedAt ? changed : execution.Time.GetUtcNow();
                await execution.SaveAsync(PendingAt, AuditCanonical.FormatTimestamp(at), cancellationToken);
                await execution.RecordEventAsync($"pending:{token}", at,
                    $"createSecret: version {token} created and staged AWSPENDING; AWSCURRENT stays on {previous} while setSecret and testSecret run.", cancellationToken);
            }
            if (stages.Contains(VersionStages.Current))
            {
                var at = secret.LastRotatedDate is { } rotated && rotated >= requestedAt ? rotated : execution.Time.GetUtcNow();
                await execution.SaveAsync(CurrentAt, AuditCanonical.FormatTimestamp(at), cancellationToken);
                await execution.RecordEventAsync($"current:{token}", at,
                    $"finishSecret: AWSCURRENT moved to version {token}; {previous} is AWSPREVIOUS.", cancellationToken);
                break;
            }
            if (execution.Time.GetUtcNow() - requestedAt > Options.Timeout)
            {
                throw new OperationFailedException(await WhyStuckAsync(execution, secret, token, previous, requestedAt, cancellationToken));
            }
            await execution.DelayAsync(Options.PollInterval, cancellationToken);
        }
        var found = await consumers.FindAsync(execution, execution.Checkpoint[SecretArn], AuditCanonical.ParseTimestamp(execution.Checkpoint[CurrentAt]), cancellationToken);
        await execution.RecordMeasurementAsync(found.Summary, cancellationToken);
    }

    public async Task<OperationMeasurements> MeasureAsync(OperationExecution execution, CancellationToken cancellationToken)
    {
        var checkpoint = execution.Checkpoint;
        var figures = new Dictionary<string, string>
        {
            ["secret"] = execution.Target,
            ["secretArn"] = checkpoint.GetValueOrDefault(SecretArn, "unknown"),
            ["previousVersion"] = checkpoint.GetValueOrDefault(PreviousVersion, "unknown"),
            ["newVersion"] = checkpoint.GetValueOrDefault(Token, "none"),
        };
        if (!checkpoint.TryGetValue(RequestedAt, out var requestedText))
        {
            return new OperationMeasurements(figures, false, "No rotation was requested.");
        }
        var requestedAt = AuditCanonical.ParseTimestamp(requestedText);
        figures["rotateSecretCalledAt"] = requestedText;
        if (checkpoint.TryGetValue(PendingAt, out var pendingText))
        {
            figures["awsPendingAt"] = pendingText;
        }
        if (!checkpoint.TryGetValue(CurrentAt, out var currentText))
        {
            return new OperationMeasurements(figures, false,
                $"AWSCURRENT did not move: it stays on version {figures["previousVersion"]}, so consumers keep the credentials they have.");
        }
        var currentAt = AuditCanonical.ParseTimestamp(currentText);
        figures["awsCurrentMovedAt"] = currentText;
        figures["rotationSeconds"] = Seconds(currentAt - requestedAt);
        var found = await consumers.FindAsync(execution, figures["secretArn"], currentAt, cancellationToken);
        figures["consumers"] = found.Services.Count == 0 ? "none" : string.Join(", ", found.Services.Select(s => s.ServiceName));
        figures["consumersOnNewVersion"] = string.Join(", ", found.Services.Where(s => s.StartedAfterRotation).Select(s => s.ServiceName));
        figures["consumersToRestart"] = string.Join(", ", found.Services.Where(s => !s.StartedAfterRotation).Select(s => s.ServiceName));
        return new OperationMeasurements(figures, true,
            $"AWSCURRENT moved to version {figures["newVersion"]} after {figures["rotationSeconds"]} s. {found.Summary}");
    }

    /// <summary>The client request token of a run: a UUID from its id, so a resumed run sends the same one.</summary>
    internal static string TokenFor(string runId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("secret-rotation:" + runId));
        hash[6] = (byte)(0x40 | (hash[6] & 0x0f));
        hash[8] = (byte)(0x80 | (hash[8] & 0x3f));
        var hex = Convert.ToHexStringLower(hash.AsSpan(0, 16));
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static async Task RotateAsync(OperationExecution execution, ISecretsManager secretsManager, string token, CancellationToken cancellationToken)
    {
        try
        {
            await secretsManager.RotateSecretAsync(new RotateSecretRequest
            {
                SecretId = execution.Target,
                ClientRequestToken = token,
                RotateImmediately = true,
            }, cancellationToken);
        }
        catch (SecretsManagerInvalidRequestException e) when (e.Message.Contains("previous rotation", StringComparison.OrdinalIgnoreCase))
        {
            throw new OperationFailedException(
                $"Secrets Manager refused RotateSecret: \"{e.Message}\" Another rotation of {execution.Target} is running (a scheduled one, or one started outside the portal), "
                + "or an earlier one stopped and left AWSPENDING on a version, which Secrets Manager now reattempts. This run changed nothing; "
                + "request a new rotation once that one has finished.", e);
        }
        catch (PlatformServiceException e)
        {
            throw new OperationFailedException($"Secrets Manager refused RotateSecret: {e.ErrorCode}: {e.Message}", e);
        }
    }

    /// <summary>Why AWSCURRENT did not move: the credentials' resource failing over during setSecret, or the rotation function.</summary>
    private static async Task<string> WhyStuckAsync(OperationExecution execution, DescribeSecretResponse secret, string token, string previous, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        var waited = execution.Time.GetUtcNow() - requestedAt;
        var stages = secret.VersionIdsToStages.GetValueOrDefault(token);
        if (stages is null)
        {
            return $"Secrets Manager never staged version {token} within {waited.TotalMinutes:0.#} minutes: createSecret did not run. "
                + $"AWSCURRENT stays on {previous}. Check the rotation function {secret.RotationLambdaARN ?? "(managed by " + secret.OwningService + ")"}.";
        }
        var consequence = $"Version {token} keeps AWSPENDING and AWSCURRENT stays on {previous}, so consumers keep working with the current credentials; "
            + "this AWSPENDING blocks the next rotation (\"A previous rotation isn't complete\") until Secrets Manager's reattempt finishes it or it is removed.";
        if (await FailoverDuringAsync(execution, requestedAt, cancellationToken) is { } failover)
        {
            return $"setSecret could not change the credentials: {failover} while the rotation ran. {consequence}";
        }
        return $"AWSCURRENT did not move within {waited.TotalMinutes:0.#} minutes: the rotation function "
            + $"{secret.RotationLambdaARN ?? "(managed by " + secret.OwningService + ")"} stopped after createSecret (its log says which step failed). {consequence}";
    }

    private static async Task<string?> FailoverDuringAsync(OperationExecution execution, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var resources = execution.Environment.Resources;
        if (execution.Target == resources.AuroraCredentialsSecret && execution.Platform.Has<RdsApi.IRds>())
        {
            var events = await execution.Platform.Get<RdsApi.IRds>().DescribeEventsAsync(new RdsApi.DescribeEventsRequest
            {
                SourceIdentifier = resources.AuroraCluster,
                SourceType = RdsApi.SourceType.DbCluster,
                StartTime = since - TimeSpan.FromMinutes(1),
            }, cancellationToken);
            return events.Events.FirstOrDefault(e => e.EventId == RdsApi.RdsEventIds.FailoverStarted) is { } started
                ? $"the Aurora cluster {resources.AuroraCluster} failed over at {started.Date.UtcDateTime:HH:mm:ss} UTC ({started.EventId} {started.Message})"
                : null;
        }
        if (execution.Target == resources.RedisAuthTokenSecret && execution.Platform.Has<ElastiCacheApi.IElastiCache>())
        {
            var events = await execution.Platform.Get<ElastiCacheApi.IElastiCache>().DescribeEventsAsync(new ElastiCacheApi.DescribeEventsRequest
            {
                SourceIdentifier = resources.RedisReplicationGroup,
                SourceType = ElastiCacheApi.SourceType.ReplicationGroup,
                StartTime = since - TimeSpan.FromMinutes(1),
            }, cancellationToken);
            return events.Events.Where(e => e.Message.Contains("Failover", StringComparison.OrdinalIgnoreCase)).MinBy(e => e.Date) is { } started
                ? $"the Redis replication group {resources.RedisReplicationGroup} failed over at {started.Date.UtcDateTime:HH:mm:ss} UTC ({started.Message})"
                : null;
        }
        return null;
    }

    private static PreflightCheck RotationConfigured(DescribeSecretResponse secret)
    {
        var function = secret.RotationLambdaARN is { } lambda ? lambda[(lambda.LastIndexOf(':') + 1)..]
            : secret.OwningService is { } owner ? $"{owner} (managed rotation)" : null;
        if (secret.RotationEnabled != true || function is null)
        {
            return new PreflightCheck("Rotation configured", false,
                $"{secret.Name} has no rotation configured (rotation {(secret.RotationEnabled == true ? "enabled" : "disabled")}, {(function is null ? "no rotation function" : "function " + function)}): "
                + "Secrets Manager would refuse RotateSecret. Configure rotation in infra/ first.");
        }
        var schedule = secret.RotationRules?.ScheduleExpression ?? (secret.RotationRules?.AutomaticallyAfterDays is { } days ? $"every {days} days" : "no schedule");
        return new PreflightCheck("Rotation configured", true,
            $"Rotated by {function}, {schedule}; next scheduled {(secret.NextRotationDate is { } next ? next.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "not set")}.");
    }

    private static PreflightCheck NoPendingVersion(DescribeSecretResponse secret) =>
        secret.VersionWith(VersionStages.Pending) is { } pending && secret.VersionIdsToStages[pending] is var labels && !labels.Contains(VersionStages.Current)
            ? new PreflightCheck("No AWSPENDING version", false,
                $"Version {pending} holds AWSPENDING: a rotation is running, or an earlier one stopped and left it (a stray AWSPENDING). "
                + "Secrets Manager would refuse with \"A previous rotation isn't complete\" and reattempt that one. Find out from the rotation function's log why it stopped, "
                + "then let it finish or remove the AWSPENDING label from that version.")
            : new PreflightCheck("No AWSPENDING version", true, $"AWSCURRENT is on version {secret.VersionWith(VersionStages.Current) ?? "none"}; no version holds AWSPENDING.");

    /// <summary>setSecret changes the credentials in the database or cache: it needs that resource available.</summary>
    private static async Task<PreflightCheck?> CredentialsResourceAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var resources = context.Environment.Resources;
        try
        {
            if (context.Target == resources.AuroraCredentialsSecret && context.Platform.Has<RdsApi.IRds>())
            {
                var cluster = (await context.Platform.Get<RdsApi.IRds>().DescribeDBClustersAsync(
                    new RdsApi.DescribeDBClustersRequest { DBClusterIdentifier = resources.AuroraCluster }, cancellationToken)).DBClusters.FirstOrDefault();
                return cluster?.Status == "available"
                    ? new PreflightCheck("Database available", true, $"{cluster.DBClusterIdentifier} is available; setSecret can change the master password on its writer.")
                    : new PreflightCheck("Database available", false,
                        $"{resources.AuroraCluster} is {cluster?.Status ?? "not found"}; setSecret cannot change the password while the writer is unavailable (a failover?). Rotate once it is available.");
            }
            if (context.Target == resources.RedisAuthTokenSecret && context.Platform.Has<ElastiCacheApi.IElastiCache>())
            {
                var group = (await context.Platform.Get<ElastiCacheApi.IElastiCache>().DescribeReplicationGroupsAsync(
                    new ElastiCacheApi.DescribeReplicationGroupsRequest { ReplicationGroupId = resources.RedisReplicationGroup }, cancellationToken)).ReplicationGroups.FirstOrDefault();
                return group?.Status == "available"
                    ? new PreflightCheck("Cache available", true, $"{group.ReplicationGroupId} is available; setSecret can change its AUTH token.")
                    : new PreflightCheck("Cache available", false,
                        $"{resources.RedisReplicationGroup} is {group?.Status ?? "not found"}; ElastiCache refuses an AUTH token change while the group is not available. Rotate once it is.");
            }
        }
        catch (PlatformServiceException e)
        {
            return new PreflightCheck("Credentials' resource available", false, $"{e.ErrorCode}: {e.Message}");
        }
        return null;
    }

    private static Task<DescribeSecretResponse> DescribeAsync(OperationContext context, CancellationToken cancellationToken) =>
        context.Platform.Get<ISecretsManager>().DescribeSecretAsync(new DescribeSecretRequest { SecretId = context.Target }, cancellationToken);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
}
