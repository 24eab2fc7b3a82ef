using Microsoft.AspNetCore.Components;

namespace FinTech.Portal.Dashboards.Panels;

/// <summary>
/// A dashboard panel that is its own error boundary: when its rendering (or its chart's) throws,
/// the renderer hands the exception to the nearest boundary, which is the panel itself, and the
/// panel draws the error in its own box while the others keep updating. One component per panel
/// instead of an <c>ErrorBoundary</c> around each: every component costs each open circuit its
/// own render buffers.
/// </summary>
public abstract class PanelBoundary : ErrorBoundaryBase
{
    [Inject] private ILogger<PanelBoundary> Logger { get; set; } = default!;

    /// <summary>The panel's name for people, in the message that replaces a panel that failed.</summary>
    protected abstract string PanelTitle { get; }

    protected override Task OnErrorAsync(Exception exception)
    {
        Logger.LogError(exception, "The dashboard panel {Panel} could not be drawn", PanelTitle);
        return Task.CompletedTask;
    }
}
