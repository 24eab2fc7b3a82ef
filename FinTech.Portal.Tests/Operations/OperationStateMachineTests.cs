using FinTech.Portal.Operations;
using static FinTech.Portal.Operations.OperationState;

namespace FinTech.Portal.Tests.Operations;

public class OperationStateMachineTests
{
    // Written out here, not derived from the engine's table: the state machine.
    private static readonly Dictionary<OperationState, OperationState[]> Legal = new()
    {
        [Requested] = [AwaitingApproval, Approved],
        [AwaitingApproval] = [Approved, Rejected, Expired, Aborted],
        [Approved] = [Preflight, Expired, Aborted],
        [Preflight] = [Running, Failed, Aborted],
        [Running] = [Verifying, Failed, Aborted],
        [Verifying] = [Succeeded, Failed, Aborted],
        [Rejected] = [],
        [Expired] = [],
        [Succeeded] = [],
        [Failed] = [],
        [Aborted] = [],
    };

    public static IEnumerable<object[]> AllPairs() =>
        from source in Enum.GetValues<OperationState>()
        from target in Enum.GetValues<OperationState>()
        select new object[] { source, target };

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_pair_of_states_is_legal_exactly_when_the_workflow_says_so(OperationState from, OperationState to)
    {
        Assert.Equal(Legal[from].Contains(to), OperationStateMachine.Allows(from, to));
    }

    [Fact]
    public void Rejected_expired_succeeded_failed_and_aborted_are_the_terminal_states()
    {
        Assert.Equal([Rejected, Expired, Succeeded, Failed, Aborted], Enum.GetValues<OperationState>().Where(OperationStateMachine.IsTerminal));
    }

    [Fact]
    public void An_illegal_transition_says_what_the_state_allows()
    {
        var e = new IllegalTransitionException(Succeeded, Running);
        Assert.Equal("A run in state Succeeded cannot become Running; from Succeeded it can become nothing (it has ended).", e.Message);
        Assert.Equal("A run in state Approved cannot become Succeeded; from Approved it can become Preflight, Expired, Aborted.",
            new IllegalTransitionException(Approved, Succeeded).Message);
    }
}
