using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.SecretsManager;

namespace FinTech.Portal.Operations.Rotations;

/// <summary>A version of a secret and its staging labels (the id only: the portal never reads a value).</summary>
public sealed record SecretVersion(string VersionId, IReadOnlyList<string> Stages);

/// <summary>One secret as the Secrets page shows it: metadata, rotation state, consumers and the run that holds it.</summary>
public sealed record SecretRow(
    string Name,
    string Arn,
    string? Description,
    bool RotationEnabled,
    string? RotatedBy,
    string? Schedule,
    DateTimeOffset? LastRotated,
    DateTimeOffset? NextRotation,
    IReadOnlyList<SecretVersion> Versions,
    string State,
    bool NeedsAttention,
    bool Rotatable,
    OperationRun? ActiveRun,
    SecretConsumerReport? Consumers);

public sealed record SecretsView(IReadOnlyList<SecretRow> Secrets, string? ConsumersError);

/// <summary>
/// What the Secrets page shows of an environment: <c>ListSecrets</c> metadata (never a value), the
/// rotation state read from the version stages, the ECS services that read each rotatable secret,
/// and the rotation run that holds it. Rotating goes through the operations engine like any run.
/// </summary>
public sealed class SecretsOverview(
    PortalCaller caller,
    PortalAuthorization authorization,
    PlatformRegistry platforms,
    OperationKinds kinds,
    OperationStore store,
    SecretConsumers consumers)
{
    public async Task<SecretsView> ListAsync(PortalEnvironment environment, CancellationToken cancellationToken)
    {
        await authorization.EnsureCanViewDashboardsAsync(await caller.UserAsync(), caller.SourceIp, cancellationToken);
        var platform = platforms.Connect(environment);
        if (!platform.Has<ISecretsManager>())
        {
            return new SecretsView([], null);
        }
        var secretsManager = platform.Get<ISecretsManager>();
        var listed = new List<SecretListEntry>();
        string? next = null;
        do
        {
            var page = await secretsManager.ListSecretsAsync(new ListSecretsRequest { NextToken = next }, cancellationToken);
            listed.AddRange(page.SecretList);
            next = page.NextToken;
        }
        while (next is not null);

        var rotatable = kinds.Find(SecretRotation.KindKey)?.Targets(environment) ?? [];
        var active = (await store.ListAsync(environment.Key, 200, cancellationToken))
            .Where(r => r.Kind == SecretRotation.KindKey && !r.IsTerminal)
            .GroupBy(r => r.Target)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        string? consumersError = null;
        var rows = new List<SecretRow>();
        foreach (var secret in listed.OrderBy(s => IndexOf(rotatable, s.Name)).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            var canRotate = rotatable.Contains(secret.Name, StringComparer.Ordinal);
            SecretConsumerReport? found = null;
            if (canRotate && consumersError is null)
            {
                try
                {
                    found = await consumers.FindAsync(platform, environment, secret.ARN, secret.LastRotatedDate, cancellationToken);
                }
                catch (Exception e) when (e is PlatformServiceException or PlatformUnavailableException)
                {
                    consumersError = $"The services that read the secrets could not be read from ECS: {e.Message}";
                }
            }
            var (state, attention) = StateOf(secret, active.GetValueOrDefault(secret.Name));
            rows.Add(new SecretRow(
                secret.Name,
                secret.ARN,
                secret.Description,
                secret.RotationEnabled == true,
                secret.RotationLambdaARN is { } lambda ? lambda[(lambda.LastIndexOf(':') + 1)..] : secret.OwningService is { } owner ? $"{owner} (managed)" : null,
                secret.RotationRules?.ScheduleExpression,
                secret.LastRotatedDate,
                secret.NextRotationDate,
                secret.SecretVersionsToStages.Select(v => new SecretVersion(v.Key, v.Value)).OrderBy(v => Order(v.Stages)).ToList(),
                state,
                attention,
                canRotate && secret.RotationEnabled == true,
                active.GetValueOrDefault(secret.Name),
                found));
        }
        return new SecretsView(rows, consumersError);
    }

    private static (string State, bool NeedsAttention) StateOf(SecretListEntry secret, OperationRun? run)
    {
        var current = secret.SecretVersionsToStages.FirstOrDefault(v => v.Value.Contains(VersionStages.Current)).Key;
        var pending = secret.SecretVersionsToStages.FirstOrDefault(v => v.Value.Contains(VersionStages.Pending) && !v.Value.Contains(VersionStages.Current)).Key;
        if (pending is not null)
        {
            return run is not null
                ? ($"Rotating: version {pending} holds AWSPENDING ({run.Id}).", false)
                : ($"Version {pending} holds AWSPENDING with no rotation of the portal running: a rotation is under way outside the portal, or one stopped before finishSecret (a stray AWSPENDING blocks the next rotation).", true);
        }
        if (secret.RotationEnabled != true)
        {
            return ("Rotation is not configured: it cannot be rotated from here.", false);
        }
        return ($"AWSCURRENT on version {current ?? "none"}.", false);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        return int.MaxValue;
    }

    private static int Order(IReadOnlyList<string> stages) =>
        stages.Contains(VersionStages.Current) ? 0 : stages.Contains(VersionStages.Pending) ? 1 : 2;
}
