using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Database;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations;

/// <summary>The workflow end to end on a fake clock (SQLite): approvals, expiry, drift, freezes, stop conditions, the safety switch, evidence.</summary>
public sealed class OperationWorkflowTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _database = new();
    private OperationsTestKit _kit = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database);
        await _kit.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private OperationsService Olivia => _kit.As(SandboxPersonas.Olivia);
    private OperationsService Avery => _kit.As(SandboxPersonas.Avery);

    [Fact]
    public async Task A_production_run_waits_for_an_approver_runs_once_and_seals_verifiable_evidence()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        Assert.Equal(OperationState.AwaitingApproval, run.State);
        Assert.Equal(0, await _kit.Worker.RunUntilIdleAsync(None));

        var approved = await Avery.ApproveAsync(run.Id, None);
        Assert.Equal(OperationState.Approved, approved.State);
        Assert.Equal(OperationsTestKit.Start.AddHours(1), approved.ApprovalExpiresAt!.Value, TimeSpan.FromSeconds(1));
        await _kit.Worker.RunUntilIdleAsync(None);

        var done = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Succeeded, done.State);
        Assert.Equal("Meets the objective: restarted in 3 s.", done.OutcomeReason);
        Assert.Equal(1, _kit.Kind.Actions[run.Id]);
        var types = (await _kit.EventsAsync("operation.")).Select(e => e.EventType).ToList();
        Assert.Equal(["operation.requested", "operation.awaiting-approval", "operation.approved", "operation.preflight", "operation.running",
            "operation.action-started", "operation.verifying", "operation.succeeded"], types);
        var verification = await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None);
        Assert.True(verification.Intact, verification.Message);
        var evidence = (await _kit.Store.EvidenceAsync(run.Id, None))!;
        Assert.Contains("\"approverName\":\"Avery Approver\"", evidence.Content, StringComparison.Ordinal);
        Assert.Contains($"\"parametersHash\":\"{run.ParametersHash}\"", evidence.Content, StringComparison.Ordinal);
        Assert.Contains("RestartWidget(widget-1)", evidence.Content, StringComparison.Ordinal);
        Assert.Empty(await HoldersAsync(run));
    }

    [Fact]
    public async Task The_requester_cannot_approve_their_own_run_and_the_denial_is_recorded()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        var asApprover = _kit.As(new SandboxPersona(SandboxPersonas.Olivia.Key, "Olivia Operator", PortalRoles.Approver, "also an approver"));

        var denied = await Assert.ThrowsAsync<PortalAccessDeniedException>(() => asApprover.ApproveAsync(run.Id, None));

        Assert.Equal("You requested this operation, so someone else with the Approver role must approve it.", denied.Message);
        Assert.Equal(OperationState.AwaitingApproval, (await _kit.Store.GetAsync(run.Id, None))!.State);
        var denial = Assert.Single(await _kit.EventsAsync(AuditEventTypes.AccessDenied));
        Assert.Equal($"operation/{run.Id}", denial.Target);
        Assert.Equal(AuditOutcome.Denied, denial.Outcome);
    }

    [Fact]
    public async Task An_operator_without_the_approver_role_cannot_approve()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);

        var denied = await Assert.ThrowsAsync<PortalAccessDeniedException>(() => _kit.As(Omar).ApproveAsync(run.Id, None));

        Assert.Equal("Approving operations needs the Approver role; you have Operator.", denied.Message);
    }

    [Fact]
    public async Task An_approval_not_acted_on_within_the_hour_expires()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);
        _kit.Time.Advance(TimeSpan.FromMinutes(61));

        await _kit.Worker.RunUntilIdleAsync(None);

        var expired = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Expired, expired.State);
        Assert.Equal("The approval expired at 2026-11-24 04:00:00 UTC before the run started; request it again.", expired.OutcomeReason);
        Assert.False(_kit.Kind.Actions.ContainsKey(run.Id));
    }

    [Fact]
    public async Task A_request_nobody_approves_expires_and_frees_its_target()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        _kit.Time.Advance(TimeSpan.FromHours(25));

        await _kit.Worker.ExpireAsync(None);

        Assert.Equal(OperationState.Expired, (await _kit.Store.GetAsync(run.Id, None))!.State);
        Assert.Equal(OperationState.AwaitingApproval, (await Olivia.RequestAsync(OperationsTestKit.Form(), None)).State);
    }

    [Fact]
    public async Task Changed_parameters_void_the_approval()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);
        await _database.ExecuteAsync($"UPDATE operation_runs SET parameters_json = replace(parameters_json, 'widget-1', 'widget-2') WHERE id = '{run.Id}'");

        await _kit.Worker.RunUntilIdleAsync(None);

        var failed = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Equal("The approval is void: the parameters differ from the approved ones.", failed.OutcomeReason);
        Assert.False(_kit.Kind.Actions.ContainsKey(run.Id));
    }

    [Fact]
    public async Task A_target_that_changed_since_the_approval_voids_it()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);
        _kit.Kind.Facts["version"] = "43";

        await _kit.Worker.RunUntilIdleAsync(None);

        var failed = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Equal("The approval is void: the target changed since Avery Approver approved it (version was 42, now 43).", failed.OutcomeReason);
        Assert.False(_kit.Kind.Actions.ContainsKey(run.Id));
    }

    [Fact]
    public async Task A_freeze_refuses_new_runs_and_an_emergency_needs_two_different_approvers()
    {
        _kit.Options.FreezeWindows.Add(new FreezeWindow { Start = OperationsTestKit.Start.AddHours(-1), End = OperationsTestKit.Start.AddDays(2), Reason = "Year-end freeze" });

        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => Olivia.RequestAsync(OperationsTestKit.Form(), None));
        Assert.Equal("Year-end freeze: no changes on Production until 2026-11-26 03:00 UTC. An emergency request needs two approvers.", refused.Message);
        Assert.Equal(AuditOutcome.Failed, Assert.Single(await _kit.EventsAsync("operation.request-refused")).Outcome);

        var emergency = await Olivia.RequestAsync(OperationsTestKit.Form(emergency: true), None);
        Assert.Equal(2, emergency.ApprovalsRequired);
        Assert.Equal(OperationState.AwaitingApproval, (await Avery.ApproveAsync(emergency.Id, None)).State);
        var twice = await Assert.ThrowsAsync<PortalAccessDeniedException>(() => Avery.ApproveAsync(emergency.Id, None));
        Assert.Equal("You have already approved this emergency run; a second, different Approver must approve it too.", twice.Message);

        var second = _kit.As(new SandboxPersona("abel", "Abel Approver", PortalRoles.Approver, "second approver"));
        Assert.Equal(OperationState.Approved, (await second.ApproveAsync(emergency.Id, None)).State);
        await _kit.Worker.RunUntilIdleAsync(None);
        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(emergency.Id, None))!.State);
    }

    [Fact]
    public async Task A_stop_condition_going_to_alarm_aborts_the_run_and_says_why()
    {
        _kit.Kind.DuringAction = _ =>
        {
            _kit.Alarms.StopAlarmState = FinTech.Portal.Platform.CloudWatch.StateValue.Alarm;
            return Task.CompletedTask;
        };
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);

        await _kit.Worker.RunUntilIdleAsync(None);

        var aborted = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Aborted, aborted.State);
        Assert.Equal($"Stop condition {ScriptedAlarms.StopAlarm} went to ALARM: Threshold Crossed: 3 datapoints above 5", aborted.OutcomeReason);
        Assert.True((await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None)).Intact);
    }

    [Fact]
    public async Task A_stop_condition_already_in_alarm_fails_preflight_before_anything_is_done()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        Assert.Contains(run.Preflight, c => c is { Name: "Stop conditions", Passed: true });
        await Avery.ApproveAsync(run.Id, None);
        _kit.Alarms.StopAlarmState = FinTech.Portal.Platform.CloudWatch.StateValue.Alarm;

        await _kit.Worker.RunUntilIdleAsync(None);

        var failed = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Equal($"Preflight failed: Stop conditions: Stop condition {ScriptedAlarms.StopAlarm} is in ALARM: Threshold Crossed: 3 datapoints above 5", failed.OutcomeReason);
        Assert.False(_kit.Kind.Actions.ContainsKey(run.Id));
    }

    [Fact]
    public async Task A_request_without_any_stop_condition_is_refused_with_the_field_explained()
    {
        _kit.Kind.StopConditions = [];
        var form = OperationsTestKit.Form();

        Assert.Equal("Widget restart has no default stop conditions in Production: name at least one CloudWatch alarm that stops the run.",
            Olivia.Validate(form)[nameof(form.StopConditions)]);
        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => Olivia.RequestAsync(form, None));
        Assert.Equal("Widget restart has no default stop conditions in Production: name at least one CloudWatch alarm that stops the run.", refused.Message);
        await Assert.ThrowsAsync<OperationRefusedException>(() => Olivia.DryRunAsync(form, None));
        Assert.Empty(await _kit.Store.ListAsync(null, 10, None));

        form.StopConditions = [ScriptedAlarms.StopAlarm];
        Assert.Equal([ScriptedAlarms.StopAlarm], (await Olivia.RequestAsync(form, None)).Parameters.StopConditions);
    }

    [Fact]
    public async Task A_stored_run_without_stop_conditions_fails_preflight_and_its_action_never_runs()
    {
        // A row that reached the database some other way (an older version, a hand edit): its
        // parameters and their hash agree, and an Approver approved exactly them.
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        var unwatched = run.Parameters with { StopConditions = [] };
        await using (var connection = await _kit.Store.OpenAsync(None))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE operation_runs SET parameters_json = @json, parameters_hash = @hash WHERE id = @id";
            command.AddParameter("@json", unwatched.ToCanonicalJson()).AddParameter("@hash", OperationJson.Sha256(unwatched.ToCanonicalJson())).AddParameter("@id", run.Id);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await Avery.ApproveAsync(run.Id, None);

        await _kit.Worker.RunUntilIdleAsync(None);

        var failed = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Failed, failed.State);
        Assert.Equal("Preflight failed: Stop conditions: No stop condition: a run must be watched by at least one CloudWatch alarm, so nothing could stop this one.", failed.OutcomeReason);
        Assert.False(_kit.Kind.Actions.ContainsKey(run.Id));
        Assert.Empty(await _kit.EventsAsync("operation.action-started"));
    }

    [Fact]
    public async Task The_safety_switch_stops_a_running_run_and_refuses_new_ones_until_an_approver_releases_it()
    {
        _kit.Kind.DuringAction = async execution =>
        {
            if (_kit.Kind.Actions[execution.Run.Id] == 1 && !(await _kit.Store.SafetySwitchAsync("prod", None)).Engaged)
            {
                await _kit.As(Omar).SetSafetySwitchAsync("prod", engaged: true, "Payments errors rising", None);
            }
        };
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);

        await _kit.Worker.RunUntilIdleAsync(None);

        var aborted = (await _kit.Store.GetAsync(run.Id, None))!;
        Assert.Equal(OperationState.Aborted, aborted.State);
        Assert.Equal("The safety switch of prod was engaged by Omar Operator: Payments errors rising", aborted.OutcomeReason);
        var refused = await Assert.ThrowsAsync<OperationRefusedException>(() => Olivia.RequestAsync(OperationsTestKit.Form(target: "widget-2"), None));
        Assert.Equal("The safety switch of Production is engaged (Payments errors rising); no new runs until an Approver releases it.", refused.Message);
        await Assert.ThrowsAsync<PortalAccessDeniedException>(() => _kit.As(Omar).SetSafetySwitchAsync("prod", engaged: false, "done", None));
        await Avery.SetSafetySwitchAsync("prod", engaged: false, "Errors back to normal", None);
        Assert.Equal(OperationState.AwaitingApproval, (await Olivia.RequestAsync(OperationsTestKit.Form(target: "widget-2"), None)).State);
        Assert.Equal(["operation.safety-switch-engaged", "operation.safety-switch-released"],
            (await _kit.EventsAsync("operation.safety-switch")).Select(e => e.EventType));
    }

    [Fact]
    public async Task A_non_production_environment_configured_to_skip_approval_runs_at_once_but_production_never_does()
    {
        _kit.Options.Environments["sandbox"] = new OperationsEnvironmentOptions { SkipApproval = true };
        _kit.Options.Environments["prod"] = new OperationsEnvironmentOptions { SkipApproval = true };

        var sandbox = await Olivia.RequestAsync(OperationsTestKit.Form(environment: "sandbox"), None);
        var prod = await Olivia.RequestAsync(OperationsTestKit.Form(environment: "prod"), None);
        await _kit.Worker.RunUntilIdleAsync(None);

        Assert.Equal(OperationState.Approved, sandbox.State);
        Assert.Equal(OperationState.Succeeded, (await _kit.Store.GetAsync(sandbox.Id, None))!.State);
        Assert.Equal(OperationState.AwaitingApproval, (await _kit.Store.GetAsync(prod.Id, None))!.State);
    }

    [Fact]
    public async Task A_second_run_on_the_same_target_or_a_shared_dependency_is_refused_while_the_first_is_active()
    {
        var first = await Olivia.RequestAsync(OperationsTestKit.Form(), None);

        var sameTarget = await Assert.ThrowsAsync<OperationRefusedException>(() => _kit.As(Omar).RequestAsync(OperationsTestKit.Form(), None));
        var otherKindSameDependency = await Assert.ThrowsAsync<OperationRefusedException>(
            () => _kit.As(Omar).RequestAsync(OperationsTestKit.Form(target: "widget-2", kind: "widget-cache-flush"), None));

        Assert.Equal($"Another active run holds what this one needs. Run {first.Id} (widget-restart, AwaitingApproval) holds prod/queue/shared-queue, prod/widget/widget-1.", sameTarget.Message);
        Assert.Equal($"Another active run holds what this one needs. Run {first.Id} (widget-restart, AwaitingApproval) holds prod/queue/shared-queue.", otherKindSameDependency.Message);
        await Avery.RejectAsync(first.Id, "Not this week", None);
        Assert.Equal(OperationState.AwaitingApproval, (await _kit.As(Omar).RequestAsync(OperationsTestKit.Form(), None)).State);
    }

    [Fact]
    public async Task Illegal_moves_are_refused_on_the_loaded_run()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.RejectAsync(run.Id, "Wrong quarter", None);

        var e = await Assert.ThrowsAsync<IllegalTransitionException>(() => _kit.As(new SandboxPersona("abel", "Abel Approver", PortalRoles.Approver, "")).ApproveAsync(run.Id, None));
        Assert.Equal(OperationState.Rejected, e.From);
        await Assert.ThrowsAsync<IllegalTransitionException>(() => Olivia.AbortAsync(run.Id, "too late", None));
    }

    [Fact]
    public async Task Aborting_a_waiting_run_ends_it_and_an_auditor_cannot_abort()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);

        await Assert.ThrowsAsync<PortalAccessDeniedException>(() => _kit.As(Aubrey).AbortAsync(run.Id, "no", None));
        var aborted = await Olivia.AbortAsync(run.Id, "Wrong widget", None);

        Assert.Equal(OperationState.Aborted, aborted.State);
        Assert.Empty(await HoldersAsync(run));
    }

    [Fact]
    public async Task A_request_with_a_bad_ticket_or_no_reason_is_refused_with_each_field_explained()
    {
        var form = OperationsTestKit.Form();
        form.ChangeTicket = "12345";
        form.Reason = "test";
        form.Target = "widget-9";

        var errors = Olivia.Validate(form);

        Assert.Equal("The change ticket must match ^CHG[0-9]{7}$ (for example CHG0012345).", errors[nameof(form.ChangeTicket)]);
        Assert.Equal("Say why, in at least 10 characters (PCI DSS 6.5.1 asks for the reason and the impact).", errors[nameof(form.Reason)]);
        Assert.Equal("Pick a target of Widget restart in Production: widget-1, widget-2.", errors[nameof(form.Target)]);
        await Assert.ThrowsAsync<OperationRefusedException>(() => Olivia.RequestAsync(form, None));
        Assert.Empty(await _kit.Store.ListAsync(null, 10, None));
    }

    [Fact]
    public async Task A_dry_run_shows_preflight_and_plan_and_changes_nothing()
    {
        var result = await Olivia.DryRunAsync(OperationsTestKit.Form(), None);

        Assert.All(result.Preflight, c => Assert.True(c.Passed, c.Detail));
        Assert.Equal(["Restart widget-1."], result.Plan.Steps);
        Assert.Empty(await _kit.Store.ListAsync(null, 10, None));
        Assert.Equal("operation.dry-run", Assert.Single(await _kit.EventsAsync("operation.")).EventType);
    }

    [Fact]
    public async Task Evidence_changed_after_sealing_fails_verification()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await Avery.ApproveAsync(run.Id, None);
        await _kit.Worker.RunUntilIdleAsync(None);

        await _database.ExecuteAsync($"UPDATE operation_evidence SET content = replace(content, 'Avery Approver', 'Olivia Operator') WHERE run_id = '{run.Id}'");
        var result = await _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(Aubrey), run.Id, None);

        Assert.False(result.Intact);
        Assert.StartsWith("The evidence was changed after sealing", result.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PortalAccessDeniedException>(() => _kit.Evidence.VerifyAsync(OperationsTestKit.CallerFor(SandboxPersonas.Olivia), run.Id, None));
    }

    [Fact]
    public async Task A_transition_whose_audit_event_cannot_be_written_does_not_happen()
    {
        var run = await Olivia.RequestAsync(OperationsTestKit.Form(), None);
        await _database.ExecuteAsync("CREATE TRIGGER audit_block BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END;");

        await Assert.ThrowsAsync<AuditUnavailableException>(() => Avery.ApproveAsync(run.Id, None));

        Assert.Equal(OperationState.AwaitingApproval, (await _kit.Store.GetAsync(run.Id, None))!.State);
        Assert.Empty(await _kit.Store.ApprovalsAsync(run.Id, None));
    }

    private async Task<IReadOnlyList<LockHolder>> HoldersAsync(OperationRun run)
    {
        await using var connection = await _kit.Store.OpenAsync(None);
        return await _kit.Store.HoldersAsync(connection, null, _kit.Kind.LockKeys(_kit.Environments.Get(run.Environment), run.Target), None);
    }
}
