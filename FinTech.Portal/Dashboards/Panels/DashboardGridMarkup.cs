using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace FinTech.Portal.Dashboards.Panels;

/// <summary>
/// The cells of a dashboard refresh (topology, alarms, each panel) as HTML, rendered once per
/// snapshot and time window and shared by every circuit that shows it. Every open dashboard is a circuit: as components, its
/// panels, charts, alarms and topology cost each circuit their own render trees, state and
/// buffers (most of its memory); as one shared string they cost it a single markup frame. The
/// panels have no server-side interaction (the chart's crosshair, zoom and logs links are
/// charts.js's, its table a native disclosure), so nothing is lost by rendering them once. A cell
/// is its own markup frame: one whose HTML is the same as at the last refresh (the window moves a
/// whole period at a time) is neither sent to the browser again nor redrawn there.
/// </summary>
public sealed class DashboardGridMarkup(IServiceScopeFactory scopes, ILogger<DashboardGridMarkup> logger)
{
    // Every viewer of a dashboard is pushed the same snapshot instance: the first one to draw a
    // window of it renders, the others await the same task. A snapshot nobody holds any more takes
    // its markup with it.
    private readonly ConditionalWeakTable<DashboardSnapshot, ConcurrentDictionary<(DateTimeOffset Start, DateTimeOffset End), Lazy<Task<IReadOnlyList<string>>>>> _shared = [];

    private readonly ConcurrentDictionary<(DashboardKey Key, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, DateTimeOffset Start, DateTimeOffset End), Lazy<Task<IReadOnlyList<string>>>> _waiting = new();

    public Task<IReadOnlyList<string>> RenderAsync(DashboardDefinition dashboard, DashboardSnapshot snapshot, PortalEnvironment environment, DateTimeOffset start, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // Before the first refresh each viewer has a waiting snapshot of its own, all alike: their
        // "Loading…" cells are rendered once per dashboard, range and window too.
        if (snapshot.RefreshedAt == default)
        {
            if (_waiting.Count > 1024)
            {
                _waiting.Clear();
            }
            return _waiting.GetOrAdd((snapshot.Key, snapshot.WindowStart, snapshot.WindowEnd, start, end),
                _ => new Lazy<Task<IReadOnlyList<string>>>(() => RenderOnceAsync(dashboard, snapshot, environment, start, end))).Value;
        }
        var windows = _shared.GetValue(snapshot, _ => new());
        return windows.GetOrAdd((start, end), _ => new Lazy<Task<IReadOnlyList<string>>>(() => RenderOnceAsync(dashboard, snapshot, environment, start, end))).Value;
    }

    private async Task<IReadOnlyList<string>> RenderOnceAsync(DashboardDefinition dashboard, DashboardSnapshot snapshot, PortalEnvironment environment, DateTimeOffset start, DateTimeOffset end)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await using var renderer = new HtmlRenderer(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<ILoggerFactory>());
            return await renderer.Dispatcher.InvokeAsync(async () =>
            {
                var cells = new List<string>();
                foreach (var (kind, panel) in CellsOf(dashboard))
                {
                    var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
                    {
                        [nameof(DashboardCell.Dashboard)] = dashboard,
                        [nameof(DashboardCell.Snapshot)] = snapshot,
                        [nameof(DashboardCell.Environment)] = environment,
                        [nameof(DashboardCell.Start)] = start,
                        [nameof(DashboardCell.End)] = end,
                        [nameof(DashboardCell.Cell)] = kind,
                        [nameof(DashboardCell.Panel)] = panel,
                    });
                    var output = await renderer.RenderComponentAsync<DashboardCell>(parameters);
                    cells.Add(output.ToHtmlString());
                }
                return (IReadOnlyList<string>)cells;
            });
        }
        catch (Exception error)
        {
            // Each panel catches its own failures (PanelBoundary); this is the grid itself failing.
            logger.LogError(error, "The dashboard {Dashboard} of {Environment} could not be drawn", snapshot.Key.Dashboard, snapshot.Key.Environment);
            return ["<div class=\"note note-error\" role=\"alert\" data-testid=\"grid-failed\">The dashboard's panels could not be drawn. The next refresh tries again.</div>"];
        }
    }

    private static IEnumerable<(DashboardCellKind Kind, PanelDefinition? Panel)> CellsOf(DashboardDefinition dashboard)
    {
        if (dashboard.TopologyParts.Count > 0)
        {
            yield return (DashboardCellKind.Topology, null);
        }
        yield return (DashboardCellKind.Alarms, null);
        foreach (var panel in dashboard.Panels)
        {
            yield return (DashboardCellKind.Panel, panel);
        }
    }
}

/// <summary>What a cell of a dashboard's grid shows.</summary>
public enum DashboardCellKind
{
    Topology,
    Alarms,
    Panel,
}
