using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Operations;

/// <summary>
/// Preflight: the engine's checks (safety switch, stop-condition alarms, conflicting runs) and the
/// kind's (target available, lag, quota, predicted new writer). Run before approval, in a dry
/// run, and again right before execution.
/// </summary>
public sealed class OperationPreflight(OperationStore store, PlatformRegistry platforms, TimeProvider time)
{
    public OperationContext ContextFor(PortalEnvironment environment, OperationParameters parameters) =>
        new(environment, platforms.Connect(environment), parameters, time);

    public async Task<IReadOnlyList<PreflightCheck>> CheckAsync(IOperationKind kind, OperationContext context, string? runId, CancellationToken cancellationToken)
    {
        var checks = new List<PreflightCheck>();
        var safety = await store.SafetySwitchAsync(context.Environment.Key, cancellationToken);
        checks.Add(safety.Engaged
            ? new PreflightCheck("Safety switch", false, $"The safety switch of {context.Environment.DisplayName} is engaged ({safety.Reason}, by {safety.ChangedBy}).")
            : new PreflightCheck("Safety switch", true, "Not engaged."));
        checks.Add(await StopConditionsAsync(context, cancellationToken));
        await using (var connection = await store.OpenAsync(cancellationToken))
        {
            var holders = (await store.HoldersAsync(connection, null, kind.LockKeys(context.Environment, context.Target), cancellationToken))
                .Where(h => h.RunId != runId).ToList();
            checks.Add(holders.Count == 0
                ? new PreflightCheck("No conflicting run", true, "No other active run holds the target or what it depends on.")
                : new PreflightCheck("No conflicting run", false, ConflictMessage(holders)));
        }
        try
        {
            checks.AddRange(await kind.PreflightAsync(context, cancellationToken));
        }
        catch (PlatformUnavailableException e)
        {
            checks.Add(new PreflightCheck("Platform answers", false, e.Message));
        }
        return checks;
    }

    public static string ConflictMessage(IReadOnlyList<LockHolder> holders) =>
        string.Join(" ", holders.GroupBy(h => h.RunId).Select(g =>
            $"Run {g.Key} ({g.First().Kind}, {g.First().State}) holds {string.Join(", ", g.Select(h => h.ResourceKey))}."));

    /// <summary>
    /// A stop condition already in ALARM (or missing) fails the check: the run would stop at once.
    /// So does an empty list: nothing could stop the run, and the request form refuses it too, so
    /// only a run stored some other way meets this, and it ends here, before the action.
    /// </summary>
    public async Task<PreflightCheck> StopConditionsAsync(OperationContext context, CancellationToken cancellationToken)
    {
        if (context.Parameters.StopConditions.Count == 0)
        {
            return new PreflightCheck("Stop conditions", false, "No stop condition: a run must be watched by at least one CloudWatch alarm, so nothing could stop this one.");
        }
        try
        {
            var alarms = await OperationMetrics.AlarmsAsync(context.Platform, context.Parameters.StopConditions, cancellationToken);
            var problems = StopConditionProblems(context.Parameters.StopConditions, alarms);
            return problems.Count == 0
                ? new PreflightCheck("Stop conditions", true, $"{context.Parameters.StopConditions.Count} alarm(s) watched, none in ALARM.")
                : new PreflightCheck("Stop conditions", false, string.Join(" ", problems));
        }
        catch (PlatformUnavailableException e)
        {
            return new PreflightCheck("Stop conditions", false, $"The alarms could not be read, so the run could not be stopped by them: {e.Message}");
        }
    }

    public static IReadOnlyList<string> StopConditionProblems(IReadOnlyList<string> stopConditions, IReadOnlyList<Alarm> alarms)
    {
        var problems = new List<string>();
        foreach (var name in stopConditions)
        {
            var alarm = alarms.FirstOrDefault(a => a.AlarmName == name);
            if (alarm is null)
            {
                problems.Add($"Stop condition {name} is not an alarm of this environment.");
            }
            else if (alarm.StateValue == StateValue.Alarm)
            {
                problems.Add($"Stop condition {name} is in ALARM: {alarm.StateReason}");
            }
        }
        return problems;
    }
}
