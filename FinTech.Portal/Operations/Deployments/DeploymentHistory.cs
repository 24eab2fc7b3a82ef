using System.Text.Json;

namespace FinTech.Portal.Operations.Deployments;

/// <summary>One deployment or rollback run of a service, as the Deployments page lists it.</summary>
public sealed record DeploymentRecord(
    string RunId, string Kind, OperationState State, string RequesterName, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    string Reason, string ChangeTicket, string? ImageTag, string? ImageDigest, string? FromTaskDefinition, string? ToTaskDefinition,
    string? RolledBackTo, string? OutcomeReason);

/// <summary>
/// What the portal knows about a service's deployments from its own runs: the history with who,
/// when and why, and the <b>verified</b> revisions — those a deployment or rollback run brought to
/// a steady state and baked without a stop condition firing (the run succeeded). A rollback goes to
/// the last verified revision, which is not necessarily the previous one.
/// </summary>
public sealed class DeploymentHistory(OperationStore store)
{
    /// <summary>The runs looked at: enough for months of deployments of one environment.</summary>
    private const int RunsRead = 1000;

    /// <summary>Checkpoint key of the revision a run deployed (set once its UpdateService was accepted).</summary>
    public const string DeployedTaskDefinition = "deployedTaskDefinition";

    public async Task<IReadOnlyList<DeploymentRecord>> ListAsync(string environment, string service, CancellationToken cancellationToken)
    {
        var runs = await store.ListAsync(environment, RunsRead, cancellationToken);
        return runs.Where(r => r.Target == service && r.Kind is EcsDeployment.KindKey or EcsRollback.KindKey)
            .Select(r =>
            {
                var checkpoint = Checkpoint(r);
                var options = r.Parameters.Options;
                return new DeploymentRecord(r.Id, r.Kind, r.State, r.RequesterName, r.CreatedAt, r.FinishedAt, r.Reason, r.ChangeTicket,
                    options.GetValueOrDefault(EcsDeployment.ImageTagOption), options.GetValueOrDefault(EcsDeployment.ImageDigestOption),
                    checkpoint.GetValueOrDefault(EcsServiceRollout.PreviousTaskDefinition),
                    checkpoint.GetValueOrDefault(DeployedTaskDefinition) ?? options.GetValueOrDefault(EcsRollback.TaskDefinitionOption),
                    checkpoint.GetValueOrDefault(EcsServiceRollout.RollbackTarget), r.OutcomeReason);
            })
            .ToList();
    }

    /// <summary>The revision of the newest succeeded deployment or rollback run of <paramref name="service"/>, if any.</summary>
    public async Task<string?> LastVerifiedAsync(string environment, string service, CancellationToken cancellationToken) =>
        (await ListAsync(environment, service, cancellationToken))
            .Where(d => d.State == OperationState.Succeeded && d.ToTaskDefinition is not null)
            .OrderByDescending(d => d.FinishedAt)
            .Select(d => d.ToTaskDefinition)
            .FirstOrDefault();

    /// <summary>Every revision a succeeded run verified.</summary>
    public async Task<IReadOnlySet<string>> VerifiedAsync(string environment, string service, CancellationToken cancellationToken) =>
        (await ListAsync(environment, service, cancellationToken))
            .Where(d => d.State == OperationState.Succeeded && d.ToTaskDefinition is not null)
            .Select(d => d.ToTaskDefinition!)
            .ToHashSet(StringComparer.Ordinal);

    private static Dictionary<string, string> Checkpoint(OperationRun run) =>
        run.CheckpointJson is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(run.CheckpointJson) ?? [];
}
