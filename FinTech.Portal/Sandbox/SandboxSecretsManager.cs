using System.Collections.Immutable;
using System.Globalization;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Sandbox;

/// <summary>What a secret's rotation function has to reach in its setSecret step.</summary>
public enum RotationDependency { None, AuroraWriter, RedisPrimary }

/// <summary>One step of a rotation function's run, as its CloudWatch Logs would show it.</summary>
public sealed record SandboxRotationStep(
    DateTimeOffset At, string SecretName, string VersionId, string Step, bool Succeeded, string Message);

/// <summary>
/// The simulated Secrets Manager of a Sandbox environment: the platform's secrets with their
/// metadata, version stages and rotation functions. A rotation runs createSecret → setSecret →
/// testSecret → finishSecret with seeded timings, and fails as real ones do: setSecret cannot
/// reach the database while its writer fails over (or Redis while its primary moves), leaving a
/// stray AWSPENDING that blocks the next rotation ("A previous rotation isn't complete").
/// Like the rest of the Sandbox, every answer is a pure function of the seed, the requests made
/// and the platform's failover history, evaluated at the injected time.
/// The Sandbox knows each version's value (so tests can prove none leaks); the port never returns one.
/// </summary>
public sealed class SandboxSecretsManager : ISecretsManager
{
    // The environment's one account (infra creates secrets, registry and services in it), as every Sandbox ARN says.
    public const string Region = SandboxPlatform.Region;
    public const string AccountId = SandboxPlatform.AccountId;

    private const string PreviousRotationIncomplete = "A previous rotation isn't complete. That rotation will be reattempted.";

    private readonly int _seed;
    private readonly TimeProvider _time;
    private readonly Func<RotationDependency, DateTimeOffset, DateTimeOffset, bool> _isUnavailable;
    private readonly ImmutableArray<SecretDefinition> _secrets;
    private readonly Lock _gate = new();
    private ImmutableList<Rotation> _rotations = [];

    /// <param name="isUnavailable">Whether the dependency cannot be written to at any time in [from, to]
    /// (the platform's failover windows).</param>
    /// <param name="resources">The environment's names: the Aurora and Redis credentials' secrets are its own, the
    /// others the catalogue's Sandbox names.</param>
    public SandboxSecretsManager(int seed, PlatformResources resources, DateTimeOffset startedAt, TimeProvider timeProvider,
        Func<RotationDependency, DateTimeOffset, DateTimeOffset, bool> isUnavailable)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(isUnavailable);
        _seed = seed;
        _time = timeProvider;
        _isUnavailable = isUnavailable;
        ArgumentNullException.ThrowIfNull(resources);
        _secrets = Definitions(seed, resources.WithSandboxDefaults(), startedAt);
    }

    /// <summary>The names of the simulated secrets, in listing order.</summary>
    public IReadOnlyList<string> SecretNames => _secrets.Select(s => s.Name).ToList();

    public async Task<ListSecretsResponse> ListSecretsAsync(ListSecretsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CatchUpAsync(cancellationToken);
        var pageSize = request.MaxResults ?? 100;
        if (pageSize is < 1 or > 100)
        {
            throw new SecretsManagerInvalidParameterException($"MaxResults must be between 1 and 100, got {pageSize}.");
        }
        var matching = _secrets.Where(s => request.Filters.All(f => Matches(s, f))).ToList();
        var offset = ParseToken(request.NextToken, matching.Count);
        var now = _time.GetUtcNow();
        var rotations = _rotations;
        var page = matching.Skip(offset).Take(pageSize).Select(s => Describe(s, rotations, now)).Select(d => new SecretListEntry
        {
            ARN = d.ARN,
            Name = d.Name,
            Description = d.Description,
            KmsKeyId = d.KmsKeyId,
            RotationEnabled = d.RotationEnabled,
            RotationLambdaARN = d.RotationLambdaARN,
            RotationRules = d.RotationRules,
            LastRotatedDate = d.LastRotatedDate,
            LastChangedDate = d.LastChangedDate,
            LastAccessedDate = d.LastAccessedDate,
            NextRotationDate = d.NextRotationDate,
            Tags = d.Tags,
            SecretVersionsToStages = d.VersionIdsToStages,
            OwningService = d.OwningService,
            CreatedDate = d.CreatedDate,
            PrimaryRegion = d.PrimaryRegion,
        }).ToList();
        var next = offset + page.Count < matching.Count ? Token(offset + page.Count) : null;
        return new ListSecretsResponse { SecretList = page, NextToken = next };
    }

    public async Task<DescribeSecretResponse> DescribeSecretAsync(DescribeSecretRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var secret = Find(request.SecretId);
        await CatchUpAsync(cancellationToken);
        return Describe(secret, _rotations, _time.GetUtcNow());
    }

    // Reads follow the journal first (best effort), so another portal task's rotation shows here too.
    private Task CatchUpAsync(CancellationToken cancellationToken) =>
        Platform is { IsJournaled: true } platform ? platform.TryCatchUpAsync(cancellationToken) : Task.CompletedTask;

    public async Task<RotateSecretResponse> RotateSecretAsync(RotateSecretRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ClientRequestToken is { Length: < 32 or > 64 })
        {
            throw new SecretsManagerInvalidParameterException("ClientRequestToken must be 32 to 64 characters long.");
        }
        var secret = Find(request.SecretId);
        if (secret.RotationLambda is null && secret.OwningService is null)
        {
            throw new SecretsManagerInvalidRequestException(
                $"Rotation is not configured for {secret.Name}: it has no rotation function. Configure rotation before rotating it.");
        }
        if (request.RotateImmediately == false)
        {
            return new RotateSecretResponse { ARN = secret.Arn, Name = secret.Name };
        }
        RotationDecision decision;
        if (Platform is { IsJournaled: true } platform)
        {
            // Decided on the journal's latest history (another portal task's rotation included) and
            // recorded there before it takes effect, so a restarted portal still knows it started.
            decision = default!;
            await platform.ActJournaledAsync(now =>
            {
                decision = Decide(secret, request.ClientRequestToken, now);
                return decision.Started is { } started ? (SandboxAction.SecretRotation, Subject(secret, started)) : null;
            }, $"the rotation of {secret.Name}", cancellationToken);
        }
        else
        {
            lock (_gate)
            {
                decision = Decide(secret, request.ClientRequestToken, _time.GetUtcNow());
                if (decision.Started is { } started)
                {
                    Add(secret, started, _time.GetUtcNow());
                }
            }
        }
        if (decision.Refusal is { } refusal)
        {
            throw new SecretsManagerInvalidRequestException(refusal);
        }
        return new RotateSecretResponse { ARN = secret.Arn, Name = secret.Name, VersionId = decision.VersionId };
    }

    /// <summary>
    /// What Secrets Manager does with a RotateSecret now: the version a new rotation starts (or
    /// re-runs), the refusal to report, the version id to return. Throws when it refuses outright.
    /// </summary>
    private RotationDecision Decide(SecretDefinition secret, string? token, DateTimeOffset now)
    {
        var mine = _rotations.Where(r => r.Secret == secret.Index).ToList();
        if (token is not null && mine.FirstOrDefault(r => r.VersionId == token) is { } same)
        {
            // Idempotent, as the token promises: the same request after a retry or a restart starts nothing new.
            return new RotationDecision(null, null, same.VersionId);
        }
        if (mine.Any(r => now < Run(secret, r).EndsAt))
        {
            throw new SecretsManagerInvalidRequestException(PreviousRotationIncomplete);
        }
        if (Evaluate(secret, _rotations, now).PendingVersion is { } stray)
        {
            // What Secrets Manager does with a stray AWSPENDING: it refuses the new rotation and
            // runs the unfinished one again, for the version that holds AWSPENDING.
            return new RotationDecision(stray, PreviousRotationIncomplete, null);
        }
        var versionId = token ?? VersionIdFor(secret.Index, mine.Count + 1);
        return new RotationDecision(versionId, null, versionId);
    }

    private void Add(SecretDefinition secret, string versionId, DateTimeOffset at) =>
        _rotations = _rotations.Add(new Rotation(secret.Index, _rotations.Count(r => r.Secret == secret.Index), versionId, at));

    private static string Subject(SecretDefinition secret, string versionId) =>
        System.Text.Json.JsonSerializer.Serialize(new JournaledRotation(secret.Name, versionId));

    /// <summary>
    /// Applies a rotation recorded in the Sandbox journal (by this portal task or another, or before a
    /// restart): it runs as the seed plays it from its recorded time. Returns why it was skipped, or null.
    /// </summary>
    internal string? ApplyJournaled(string subject, DateTimeOffset at)
    {
        var recorded = System.Text.Json.JsonSerializer.Deserialize<JournaledRotation>(subject);
        var secret = _secrets.FirstOrDefault(s => s.Name == recorded?.Secret);
        if (recorded is null || secret is null)
        {
            return $"there is no secret '{recorded?.Secret}'";
        }
        lock (_gate)
        {
            Add(secret, recorded.VersionId, at);
        }
        return null;
    }

    /// <summary>The platform whose journal records rotations (null: in memory only).</summary>
    internal SandboxPlatform? Platform { get; init; }

    /// <summary>The rotation functions' steps that happened in [from, to), oldest first (their log lines).</summary>
    public IReadOnlyList<SandboxRotationStep> RotationSteps(DateTimeOffset from, DateTimeOffset to)
    {
        var now = _time.GetUtcNow();
        return _rotations
            .SelectMany(r => Run(_secrets[r.Secret], r).Steps)
            .Where(s => s.At >= from && s.At < to && s.At <= now)
            .OrderBy(s => s.At)
            .ToList();
    }

    /// <summary>
    /// Every value any version of any secret has held so far. Only for the tests and the benchmark
    /// that prove no value leaks into pages, logs, the trail, evidence or exports.
    /// </summary>
    public IReadOnlyList<string> KnownSecretValues()
    {
        var now = _time.GetUtcNow();
        var rotations = _rotations;
        return _secrets
            .SelectMany(s => s.InitialVersions.Select(v => v.Id)
                .Concat(rotations.Where(r => r.Secret == s.Index && r.RequestedAt <= now).Select(r => r.VersionId))
                .Select(id => ValueOf(s, id)))
            .ToList();
    }

    private DescribeSecretResponse Describe(SecretDefinition secret, ImmutableList<Rotation> rotations, DateTimeOffset now)
    {
        var state = Evaluate(secret, rotations, now);
        var rotationEnabled = secret.RotationDays is not null;
        return new DescribeSecretResponse
        {
            ARN = secret.Arn,
            Name = secret.Name,
            Description = secret.Description,
            KmsKeyId = $"arn:aws:kms:{Region}:{AccountId}:alias/fintech-secrets",
            RotationEnabled = rotationEnabled,
            RotationLambdaARN = secret.RotationLambda,
            RotationRules = secret.RotationDays is { } days
                ? new RotationRulesType { AutomaticallyAfterDays = days, Duration = "3h", ScheduleExpression = $"rate({days} days)" }
                : null,
            LastRotatedDate = state.LastRotated,
            LastChangedDate = state.LastChanged,
            LastAccessedDate = now.Date,
            NextRotationDate = rotationEnabled && state.LastRotated is { } last ? last.Date.AddDays(secret.RotationDays!.Value + 1) : null,
            Tags = [new SecretTag("fintech:consumer", secret.Consumer), new SecretTag("fintech:data-classification", "restricted")],
            VersionIdsToStages = state.Stages,
            OwningService = secret.OwningService,
            CreatedDate = secret.CreatedAt,
            PrimaryRegion = Region,
        };
    }

    /// <summary>The version stages of a secret at <paramref name="now"/>, replaying its rotations.</summary>
    private SecretState Evaluate(SecretDefinition secret, ImmutableList<Rotation> rotations, DateTimeOffset now)
    {
        var stages = secret.InitialVersions.ToDictionary(v => v.Id, v => new List<string>(v.Stages));
        var lastRotated = secret.LastRotatedAt;
        var lastChanged = secret.LastRotatedAt ?? secret.CreatedAt;
        foreach (var rotation in rotations.Where(r => r.Secret == secret.Index && r.RequestedAt <= now))
        {
            var run = Run(secret, rotation);
            if (run.PendingFrom <= now)
            {
                stages[rotation.VersionId] = [VersionStages.Pending];
                lastChanged = run.PendingFrom;
            }
            if (run.Succeeded && run.EndsAt <= now)
            {
                foreach (var labels in stages.Values)
                {
                    labels.Remove(VersionStages.Previous);
                }
                var current = stages.First(v => v.Value.Contains(VersionStages.Current));
                current.Value.Remove(VersionStages.Current);
                current.Value.Add(VersionStages.Previous);
                stages[rotation.VersionId] = [VersionStages.Current];
                lastRotated = lastChanged = run.EndsAt;
            }
        }
        var listed = stages.Where(v => v.Value.Count > 0)
            .ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value.ToList());
        var pending = listed.FirstOrDefault(v => v.Value.Contains(VersionStages.Pending)).Key;
        return new SecretState(listed, pending, lastRotated, lastChanged);
    }

    /// <summary>How a rotation runs: its steps with seeded durations, and where it fails.</summary>
    private RotationRun Run(SecretDefinition secret, Rotation rotation)
    {
        var stream = SandboxNoise.Stream(_seed, "rotation:" + secret.Name, rotation.Ordinal);
        // createSecret generates and stores the new value; setSecret changes it in the database or
        // cache (Redis MODIFY is the slow one); testSecret signs in with it; finishSecret moves the label.
        double[] seconds =
        [
            1.5 + 1.5 * SandboxNoise.Uniform(stream, 0),
            (secret.Dependency == RotationDependency.RedisPrimary ? 20 : 3) + 6 * SandboxNoise.Uniform(stream, 1),
            1 + 2 * SandboxNoise.Uniform(stream, 2),
            0.5 + SandboxNoise.Uniform(stream, 3),
        ];
        string[] names = ["createSecret", "setSecret", "testSecret", "finishSecret"];
        var steps = new List<SandboxRotationStep>();
        var at = rotation.RequestedAt;
        var pendingFrom = DateTimeOffset.MaxValue;
        for (var i = 0; i < names.Length; i++)
        {
            var end = at + TimeSpan.FromMilliseconds(Math.Round(seconds[i] * 1000));
            if (i == 1 && secret.Dependency != RotationDependency.None && _isUnavailable(secret.Dependency, at, end))
            {
                var what = secret.Dependency == RotationDependency.AuroraWriter
                    ? "could not connect to the Aurora writer (the cluster is failing over)"
                    : "could not change the Redis AUTH token (the replication group is failing over)";
                steps.Add(new(end, secret.Name, rotation.VersionId, names[i], false,
                    $"setSecret: {what}; AWSPENDING stays on version {rotation.VersionId} and AWSCURRENT is unchanged."));
                return new RotationRun(steps, pendingFrom, end, Succeeded: false);
            }
            steps.Add(new(end, secret.Name, rotation.VersionId, names[i], true, StepMessage(names[i], secret, rotation.VersionId)));
            if (i == 0)
            {
                pendingFrom = end;
            }
            at = end;
        }
        return new RotationRun(steps, pendingFrom, at, Succeeded: true);
    }

    private static string StepMessage(string step, SecretDefinition secret, string versionId) => step switch
    {
        "createSecret" => $"createSecret: successfully put secret for ARN {secret.Arn} and version {versionId}.",
        "setSecret" => secret.Dependency switch
        {
            RotationDependency.AuroraWriter => $"setSecret: successfully set password for user in PostgreSQL DB for secret arn {secret.Arn}.",
            RotationDependency.RedisPrimary => $"setSecret: successfully rotated the AUTH token of the replication group for secret arn {secret.Arn}.",
            _ => $"setSecret: successfully registered the new key with the provider for secret arn {secret.Arn}.",
        },
        "testSecret" => $"testSecret: successfully signed in with the AWSPENDING version of secret arn {secret.Arn}.",
        _ => $"finishSecret: successfully set AWSCURRENT stage to version {versionId} for secret {secret.Arn}.",
    };

    private SecretDefinition Find(string secretId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(secretId);
        return _secrets.FirstOrDefault(s => s.Name == secretId || s.Arn == secretId)
            ?? throw new SecretsManagerResourceNotFoundException("Secrets Manager can't find the specified secret.");
    }

    private static bool Matches(SecretDefinition secret, SecretsFilter filter) => filter.Key switch
    {
        "name" => filter.Values.Any(v => secret.Name.StartsWith(v, StringComparison.OrdinalIgnoreCase)),
        "description" => filter.Values.Any(v => secret.Description.Contains(v, StringComparison.OrdinalIgnoreCase)),
        "owning-service" => filter.Values.Any(v => string.Equals(secret.OwningService, v, StringComparison.OrdinalIgnoreCase)),
        "tag-key" => filter.Values.Any(v => v is "fintech:consumer" or "fintech:data-classification"),
        "all" => filter.Values.Any(v => secret.Name.Contains(v, StringComparison.OrdinalIgnoreCase)
            || secret.Description.Contains(v, StringComparison.OrdinalIgnoreCase)),
        _ => throw new SecretsManagerInvalidParameterException(
            $"Filter key '{filter.Key}' is not supported. Use name, description, owning-service, tag-key or all."),
    };

    private static string Token(int offset) => "sbx-" + offset.ToString(CultureInfo.InvariantCulture);

    private static int ParseToken(string? token, int count)
    {
        if (token is null)
        {
            return 0;
        }
        if (!token.StartsWith("sbx-", StringComparison.Ordinal)
            || !int.TryParse(token.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || offset > count)
        {
            throw new SecretsManagerInvalidNextTokenException("The NextToken value isn't valid.");
        }
        return offset;
    }

    private string VersionIdFor(int secret, int ordinal) => Uuid(SandboxNoise.Stream(_seed, "secret-version", secret) + (ulong)ordinal);

    private static string Uuid(ulong stream)
    {
        var a = SandboxNoise.Mix(stream);
        var b = SandboxNoise.Mix(a);
        return string.Create(CultureInfo.InvariantCulture,
            $"{(uint)(a >> 32):x8}-{(ushort)(a >> 16):x4}-4{(ushort)a & 0xfff:x3}-8{(ushort)(b >> 48) & 0xfff:x3}-{b & 0xffffffffffff:x12}");
    }

    private string ValueOf(SecretDefinition secret, string versionId)
    {
        // 40 characters from a hash of (seed, secret, version): unmistakable when searched for.
        var stream = SandboxNoise.Stream(_seed, "secret-value:" + secret.Name, 0) ^ SandboxNoise.Key(versionId);
        Span<char> value = stackalloc char[40];
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = alphabet[(int)(SandboxNoise.Uniform(stream, i) * alphabet.Length)];
        }
        return new string(value);
    }

    private ImmutableArray<SecretDefinition> Definitions(int seed, PlatformResources resources, DateTimeOffset startedAt)
    {
        var created = startedAt.Date.AddDays(-200);
        var list = new List<SecretDefinition>();
        void Add(string name, string description, string consumer, string? lambda, int? days, RotationDependency dependency,
            int rotatedDaysAgo, bool strayPending = false, string? owningService = null)
        {
            var index = list.Count;
            var suffix = SuffixFor(seed, name);
            var arn = $"arn:aws:secretsmanager:{Region}:{AccountId}:secret:{name}-{suffix}";
            var rotatedAt = rotatedDaysAgo > 0 ? startedAt.Date.AddDays(-rotatedDaysAgo).AddHours(3) : (DateTimeOffset?)null;
            List<InitialVersion> versions = rotatedAt is null
                ? [new(VersionIdFor(index, -1), [VersionStages.Current])]
                : [new(VersionIdFor(index, -2), [VersionStages.Previous]), new(VersionIdFor(index, -1), [VersionStages.Current])];
            if (strayPending)
            {
                versions.Add(new(VersionIdFor(index, 0), [VersionStages.Pending]));
            }
            list.Add(new SecretDefinition(index, name, arn, description, consumer, lambda, days, dependency, owningService,
                created, rotatedAt, [.. versions]));
        }
        var names = PlatformResources.SandboxNames;
        var lambdaPrefix = $"arn:aws:lambda:{Region}:{AccountId}:function:{names.Prefix}";
        Add(resources.AuroraCredentialsSecret!,
            $"The secret associated with the primary RDS DB cluster: {resources.AuroraCluster} (the API's database master user).",
            "api", lambda: null, days: 7, RotationDependency.AuroraWriter, rotatedDaysAgo: 3, owningService: "rds");
        Add(resources.RedisAuthTokenSecret!, "ElastiCache Redis AUTH token", "api",
            $"{lambdaPrefix}-redis-auth-rotation", 30, RotationDependency.RedisPrimary, rotatedDaysAgo: 12);
        Add(names.Secret(PlatformCatalogue.SecretKeys.ExternalApiKeys), "Keys of the payment service provider and the fraud API", "api",
            $"{lambdaPrefix}-external-keys-rotation", 90, RotationDependency.None, rotatedDaysAgo: 41, strayPending: true);
        Add(names.Secret(PlatformCatalogue.SecretKeys.OriginVerify), "Header value CloudFront sends to the ALB", "edge",
            $"{lambdaPrefix}-origin-verify-rotation", 30, RotationDependency.None, rotatedDaysAgo: 9);
        Add(names.Secret(PlatformCatalogue.SecretKeys.PortalDatabaseConnection), "The portal's database connection", "portal",
            lambda: null, days: null, RotationDependency.None, rotatedDaysAgo: 0);
        Add(names.Secret(PlatformCatalogue.SecretKeys.EntraClientSecret), "The Entra ID app registration's client secret (rotated in Entra ID)", "portal",
            lambda: null, days: null, RotationDependency.None, rotatedDaysAgo: 0);
        return [.. list];
    }

    private static string SuffixFor(int seed, string name)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var stream = SandboxNoise.Stream(seed, "secret-suffix:" + name, 0);
        return string.Concat(Enumerable.Range(0, 6).Select(i => alphabet[(int)(SandboxNoise.Uniform(stream, i) * alphabet.Length)]));
    }

    private sealed record InitialVersion(string Id, IReadOnlyList<string> Stages);

    private sealed record SecretDefinition(
        int Index, string Name, string Arn, string Description, string Consumer, string? RotationLambda, int? RotationDays,
        RotationDependency Dependency, string? OwningService, DateTimeOffset CreatedAt, DateTimeOffset? LastRotatedAt,
        ImmutableArray<InitialVersion> InitialVersions);

    private sealed record Rotation(int Secret, int Ordinal, string VersionId, DateTimeOffset RequestedAt);

    /// <summary>A rotation as the journal keeps it: the secret and the version id (never a value).</summary>
    private sealed record JournaledRotation(string Secret, string VersionId);

    /// <param name="Started">The version a rotation starts or re-runs now (journaled), or null.</param>
    /// <param name="Refusal">The InvalidRequestException to answer after recording <paramref name="Started"/>.</param>
    private sealed record RotationDecision(string? Started, string? Refusal, string? VersionId);

    private sealed record RotationRun(IReadOnlyList<SandboxRotationStep> Steps, DateTimeOffset PendingFrom, DateTimeOffset EndsAt, bool Succeeded);

    private sealed record SecretState(
        IReadOnlyDictionary<string, IReadOnlyList<string>> Stages, string? PendingVersion, DateTimeOffset? LastRotated, DateTimeOffset LastChanged);
}
