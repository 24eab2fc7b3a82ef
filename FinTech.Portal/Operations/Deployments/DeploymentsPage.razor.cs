using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace FinTech.Portal.Operations.Deployments;

public partial class DeploymentsPage
{
    private enum Mode { Deploy, Rollback, Restart }

    private DeploymentsSnapshot? _snapshot;
    private Mode? _mode;
    private DeployableImage? _image;
    private OperationRequestForm _form = new();
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>();
    private string? _error;
    private bool _busy;
    private DryRunResult? _dryRun;

    [CascadingParameter] public PortalEnvironment Environment { get; set; } = default!;

    /// <summary><c>?restart=true</c> opens the restart request (a rotation's follow-up links here).</summary>
    [SupplyParameterFromQuery(Name = "restart")] public bool Restart { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        try
        {
            _snapshot = await Overview.LoadAsync(Environment, CancellationToken.None);
        }
        catch (System.Data.Common.DbException)
        {
            _snapshot = new DeploymentsSnapshot(Environment.Resources.EcsService, "", "", null, null, "unknown", null, 0, 0, 0, [], [], [], null, [],
                "The deployment history could not be read from the portal database; try again in a moment.");
        }
        if (Restart && _mode is null && _snapshot.PlatformError is null)
        {
            Choose(Mode.Restart, null);
        }
    }

    private string Title => _mode switch
    {
        Mode.Deploy => $"Deploy {_image!.Tag}",
        Mode.Rollback => $"Roll back to {Revision(_snapshot!.RollbackTarget!)}",
        _ => "Restart the tasks (forced new deployment)",
    };

    private string Subtitle => _mode switch
    {
        Mode.Deploy => $"Requested and approved for digest {_image!.Digest} ({_image.FindingsText}), not for the tag.",
        Mode.Rollback => $"Back to the newest revision a run verified other than the one serving, from {Revision(_snapshot!.TaskDefinition)}.",
        _ => $"New tasks of {Revision(_snapshot!.TaskDefinition)} start and read their secrets again, then the old ones stop.",
    };

    private void Choose(Mode mode, DeployableImage? image)
    {
        _mode = mode;
        _image = image;
        _dryRun = null;
        _error = null;
        _errors = new Dictionary<string, string>();
        var options = mode switch
        {
            Mode.Deploy => new Dictionary<string, string> { [EcsDeployment.ImageTagOption] = image!.Tag, [EcsDeployment.ImageDigestOption] = image.Digest },
            Mode.Rollback => new Dictionary<string, string> { [EcsRollback.TaskDefinitionOption] = _snapshot!.RollbackTarget! },
            _ => new Dictionary<string, string> { [EcsDeployment.ForceNewDeploymentOption] = "true" },
        };
        _form = new OperationRequestForm
        {
            Kind = mode == Mode.Rollback ? EcsRollback.KindKey : EcsDeployment.KindKey,
            Environment = Environment.Key,
            Target = _snapshot!.ServiceName,
            Reason = _form.Reason,
            ChangeTicket = _form.ChangeTicket,
            Options = options,
        };
    }

    private bool Validate()
    {
        _errors = Operations.Validate(_form);
        _error = _errors.Count > 0 ? "Correct the fields marked in red." : null;
        return _errors.Count == 0;
    }

    private async Task DryRunAsync()
    {
        if (_busy || !Validate())
        {
            return;
        }
        _busy = true;
        try
        {
            _dryRun = await Operations.DryRunAsync(_form, CancellationToken.None);
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

    private async Task RequestAsync()
    {
        // One request per click: a second click while the first is on its way does nothing.
        if (_busy || !Validate())
        {
            return;
        }
        _busy = true;
        try
        {
            var run = await Operations.RequestAsync(_form, CancellationToken.None);
            Navigation.NavigateTo($"/operations/{run.Id}?env={Uri.EscapeDataString(Environment.Key)}");
        }
        catch (Exception e) when (OperationRequestPage.IsForPeople(e))
        {
            _error = OperationRequestPage.MessageOf(e);
            _busy = false;
        }
    }

    private static string What(DeploymentRecord record) => record.Kind switch
    {
        EcsRollback.KindKey => "Rollback",
        _ when record.ImageTag is { } tag => $"Deploy {tag}",
        _ => "Restart",
    };

    private static string Revision(string taskDefinition) => taskDefinition.Length == 0 ? "unknown" : EcsServiceRollout.Revision(taskDefinition);

    private static string ImageName(string image) => EcsDeployment.ImageName(image);

    private static string Short(string digest) => EcsDeployment.Short(digest);

    private static Color RolloutColor(string state) => state switch
    {
        Platform.Ecs.RolloutState.Completed => Color.Success,
        Platform.Ecs.RolloutState.Failed => Color.Error,
        Platform.Ecs.RolloutState.InProgress => Color.Info,
        _ => Color.Default,
    };
}
