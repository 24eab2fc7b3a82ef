using FinTech.Portal.Audit;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Components;

namespace FinTech.Portal.Dashboards;

/// <summary>
/// A dashboard for the environment in the address: it opens (and, in production, records) the view once, then
/// follows the shared refresh of its key (environment, dashboard, range — for a zoom, the shortest range
/// that holds it) until it is closed or paused.
/// </summary>
public sealed partial class DashboardPage : IDisposable
{
    [Inject] public required DashboardRefreshHub Hub { get; set; }
    [Inject] public required DashboardViewer Viewer { get; set; }
    [Inject] public required PortalCaller Caller { get; set; }
    [Inject] public required NavigationManager Navigation { get; set; }
    [Inject] public required TimeProvider Time { get; set; }
    [Inject] public required DashboardGridMarkup GridMarkup { get; set; }

    [Parameter] public string? DashboardId { get; set; }
    [SupplyParameterFromQuery(Name = "range")] public string? RangeKey { get; set; }
    [SupplyParameterFromQuery(Name = "from")] public string? ZoomFrom { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? ZoomTo { get; set; }
    [CascadingParameter] public required PortalEnvironment Environment { get; set; }

    private DashboardDefinition? _dashboard;
    private TimeRange _range = TimeRange.Default;
    private ZoomWindow? _zoom;
    private DashboardSnapshot? _snapshot;
    private DashboardKey? _key;
    private IDisposable? _subscription;
    private bool _autoRefresh = true;

    private DashboardSnapshot? _waiting;

    /// <summary>Until the first refresh arrives every panel shows as loading.</summary>
    private DashboardSnapshot Snapshot => _snapshot ?? _waiting!;

    /// <summary>The cells of the snapshot shown, in the window shown: shared markup.</summary>
    private IReadOnlyList<string> _cells = [];

    private string? _viewProblem;
    private (string Environment, string Dashboard)? _opened;
    private readonly CancellationTokenSource _disposed = new();

    protected override async Task OnParametersSetAsync()
    {
        await FollowAsync();
        await DrawGridAsync();
    }

    private async Task FollowAsync()
    {
        var id = DashboardId ?? DashboardCatalog.DefaultId;
        _dashboard = DashboardCatalog.Find(Environment, id);
        _range = TimeRange.Find(RangeKey) ?? TimeRange.Default;
        _zoom = ZoomWindow.Parse(ZoomFrom, ZoomTo);
        // Zoomed, the data comes from the shared refresh of the shortest range that holds the
        // window: the finest period for it, and still one refresh for everyone watching.
        var source = _zoom is null ? _range : TimeRange.Covering(_zoom.From, Time.GetUtcNow());
        var key = new DashboardKey(Environment.Key, id, source.Key);
        if (key == _key)
        {
            return;
        }
        _key = key;
        _snapshot = null;
        _waiting = DashboardSnapshot.Waiting(key, source, Time.GetUtcNow());
        _subscription?.Dispose();
        _subscription = null;
        // Prerendering is a one-shot HTML render: only a live circuit opens, records and watches.
        if (_dashboard is null || !RendererInfo.IsInteractive)
        {
            return;
        }
        if (_opened != (Environment.Key, id))
        {
            var user = await Caller.UserAsync();
            try
            {
                _viewProblem = await Viewer.OpenAsync(user, Caller.SourceIp, Environment, id, _disposed.Token);
                _opened = (Environment.Key, id);
            }
            catch (PortalAccessDeniedException denied)
            {
                _viewProblem = denied.Message;
                _dashboard = null;
                return;
            }
        }
        Resubscribe();
    }

    private void Resubscribe()
    {
        _subscription?.Dispose();
        _subscription = null;
        if (_dashboard is not null && _autoRefresh && _key is not null && _opened is not null)
        {
            _subscription = Hub.Subscribe(_key, OnSnapshot);
        }
    }

    // Runs on the hub's loop: re-enter the circuit, and let a failure reach the error boundary
    // (the hub would only log it).
    private void OnSnapshot(DashboardSnapshot snapshot) => _ = InvokeAsync(async () =>
    {
        try
        {
            if (snapshot.Key == _key)
            {
                _snapshot = snapshot;
                await DrawGridAsync();
            }
        }
        catch (Exception error)
        {
            await DispatchExceptionAsync(error);
        }
    });

    /// <summary>
    /// Draws the panels of the current snapshot and window, from the markup shared with every other
    /// viewer; a newer snapshot or window that arrived meanwhile wins.
    /// </summary>
    private async Task DrawGridAsync()
    {
        if (_dashboard is null)
        {
            _cells = [];
            return;
        }
        var (dashboard, snapshot) = (_dashboard, Snapshot);
        var (start, end) = (_zoom?.From ?? snapshot.WindowStart, _zoom?.To ?? snapshot.WindowEnd);
        var cells = await GridMarkup.RenderAsync(dashboard, snapshot, Environment, start, end);
        if (ReferenceEquals(snapshot, Snapshot) && (_zoom?.From ?? snapshot.WindowStart) == start && (_zoom?.To ?? snapshot.WindowEnd) == end)
        {
            _cells = cells;
            StateHasChanged();
        }
    }

    // A range picked from the list replaces a zoom.
    private void SelectRange(string key) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(
        new Dictionary<string, object?> { ["range"] = key, ["from"] = null, ["to"] = null }));

    private string ResetZoom => Navigation.GetUriWithQueryParameters(new Dictionary<string, object?> { ["from"] = null, ["to"] = null });

    private void SetAutoRefresh(bool on)
    {
        _autoRefresh = on;
        Resubscribe();
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        _subscription?.Dispose();
    }
}
