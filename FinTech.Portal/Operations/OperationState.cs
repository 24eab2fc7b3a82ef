namespace FinTech.Portal.Operations;

/// <summary>Where a run is in its life. Stored by name, so never rename a member.</summary>
public enum OperationState
{
    Requested,
    AwaitingApproval,
    Approved,
    Rejected,
    Expired,
    Preflight,
    Running,
    Verifying,
    Succeeded,
    Failed,
    Aborted,
}

/// <summary>
/// The legal transitions, as data. Everything that moves a run (people through
/// <see cref="OperationsService"/>, the <see cref="OperationWorker"/>) asks <see cref="Allows"/>
/// inside the transaction that makes the move, on the row it just loaded.
/// </summary>
public static class OperationStateMachine
{
    private static readonly Dictionary<OperationState, OperationState[]> Next = new()
    {
        // A request either waits for an Approver or, where approval is skipped, is approved at once.
        [OperationState.Requested] = [OperationState.AwaitingApproval, OperationState.Approved],
        [OperationState.AwaitingApproval] = [OperationState.Approved, OperationState.Rejected, OperationState.Expired, OperationState.Aborted],
        [OperationState.Approved] = [OperationState.Preflight, OperationState.Expired, OperationState.Aborted],
        [OperationState.Preflight] = [OperationState.Running, OperationState.Failed, OperationState.Aborted],
        [OperationState.Running] = [OperationState.Verifying, OperationState.Failed, OperationState.Aborted],
        [OperationState.Verifying] = [OperationState.Succeeded, OperationState.Failed, OperationState.Aborted],
        [OperationState.Rejected] = [],
        [OperationState.Expired] = [],
        [OperationState.Succeeded] = [],
        [OperationState.Failed] = [],
        [OperationState.Aborted] = [],
    };

    public static IReadOnlyList<OperationState> From(OperationState state) => Next[state];

    public static bool Allows(OperationState from, OperationState to) => Next[from].Contains(to);

    public static bool IsTerminal(OperationState state) => Next[state].Length == 0;

    /// <summary>States the worker drives: it claims runs in these.</summary>
    public static readonly IReadOnlyList<OperationState> Executing =
        [OperationState.Approved, OperationState.Preflight, OperationState.Running, OperationState.Verifying];

    /// <summary>States in which the platform may have been touched: their end is sealed as evidence.</summary>
    public static bool HasEvidence(OperationState previous) =>
        previous is OperationState.Preflight or OperationState.Running or OperationState.Verifying;
}

/// <summary>A move the state machine does not allow; the message says which and what is allowed.</summary>
public sealed class IllegalTransitionException(OperationState from, OperationState to)
    : InvalidOperationException($"A run in state {from} cannot become {to}; from {from} it can become {(OperationStateMachine.From(from) is { Count: > 0 } next ? string.Join(", ", next) : "nothing (it has ended)")}.")
{
    public OperationState From { get; } = from;
    public OperationState To { get; } = to;
}

/// <summary>A request, approval or other action the engine refuses; the message is for people.</summary>
public sealed class OperationRefusedException(string message) : Exception(message);
