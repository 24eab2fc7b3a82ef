using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Components;

namespace FinTech.Portal.Operations;

/// <summary>
/// One run as it happens: its state, timeline, approvals and the platform's window chart, pushed by
/// <see cref="OperationRunFeed"/>; approve, reject and abort, one action at a time.
/// </summary>
public sealed partial class OperationRunPage
{
    /// <summary>
    /// What the platform logged from shortly before the run started until it ended (or now): the
    /// API's lines and, for database work, the PostgreSQL log, newest first.
    /// </summary>
    private string? LogsLink(OperationRun run)
    {
        if (run.StartedAt is not { } started || Environments.Find(run.Environment) is not { } environment)
        {
            return null;
        }
        var groups = FinTech.Portal.Logs.EnvironmentLogGroups.For(environment);
        return FinTech.Portal.Logs.LogLinks.Around(environment, [groups.Api, groups.Postgresql],
            started - FinTech.Portal.Logs.LogLinks.Margin, run.FinishedAt,
            "fields @timestamp, @log, status, route, error, @message\n| sort @timestamp desc\n| limit 500");
    }

    private OperationRunDetail? _detail;
    private RunWindowChart? _chart;
    private IDisposable? _watch;
    private bool _notFound;
    private bool _busy;
    private string? _error;
    private readonly CancellationTokenSource _disposed = new();

    [Parameter] public string RunId { get; set; } = "";

    protected override async Task OnParametersSetAsync()
    {
        _watch?.Dispose();
        await LoadAsync();
        // Changes are pushed: this task's transitions at once; the timeline, another task's
        // worker and the running run's chart within a second (one shared check for every viewer).
        _watch = Feed.Watch(RunId, change => _ = InvokeAsync(async () =>
        {
            try
            {
                if (change == RunFeedChange.Chart)
                {
                    await LoadChartAsync();
                }
                else
                {
                    await LoadAsync();
                }
                StateHasChanged();
            }
            catch (Exception e)
            {
                await DispatchExceptionAsync(e);
            }
        }));
    }

    private async Task LoadAsync()
    {
        try
        {
            _detail = await Operations.GetAsync(RunId, _disposed.Token);
            _notFound = _detail is null;
            await LoadChartAsync();
        }
        catch (Exception e) when (OperationRequestPage.IsForPeople(e))
        {
            _error = OperationRequestPage.MessageOf(e);
        }
    }

    /// <summary>The chart of the run as loaded: from the shared cache, at most one upstream query per run per 10 s.</summary>
    private async Task LoadChartAsync()
    {
        if (_detail is not null && _detail.Run.StartedAt is not null)
        {
            _chart = await Charts.GetAsync(_detail.Run, _disposed.Token);
        }
    }

    private Task ApproveAsync() => ActAsync(ct => Operations.ApproveAsync(RunId, ct));

    private Task RejectAsync(string reason) => ActAsync(ct => Operations.RejectAsync(RunId, reason, ct));

    private Task AbortAsync(string reason) => ActAsync(ct => Operations.AbortAsync(RunId, reason, ct));

    private async Task ActAsync(Func<CancellationToken, Task<OperationRun>> action)
    {
        if (_busy)
        {
            return;
        }
        _busy = true;
        _error = null;
        try
        {
            await action(_disposed.Token);
            await LoadAsync();
        }
        catch (Exception e) when (OperationRequestPage.IsForPeople(e))
        {
            _error = OperationRequestPage.MessageOf(e);
        }
        finally
        {
            _busy = false;
        }
    }


    public void Dispose()
    {
        _watch?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
