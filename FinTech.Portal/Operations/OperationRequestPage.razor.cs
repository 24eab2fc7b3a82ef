using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using Microsoft.AspNetCore.Components;

namespace FinTech.Portal.Operations;

/// <summary>
/// The request form: a kind, its target and options, stop conditions and a reason, validated by
/// <see cref="OperationsService"/>; a dry run shows the preflight, and one click requests one run.
/// </summary>
public sealed partial class OperationRequestPage
{
    private readonly OperationRequestForm _form = new();
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>();
    private string? _stopConditions;
    private string? _error;
    private bool _busy;
    private DryRunResult? _dryRun;

    [CascadingParameter] public PortalEnvironment Environment { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "kind")] public string? KindQuery { get; set; }

    /// <summary>Preselects the target when it is one of the kind's (the Secrets page's "Rotate now").</summary>
    [SupplyParameterFromQuery(Name = "target")] public string? TargetQuery { get; set; }

    /// <summary>Options as <c>key=value</c> (a restart's <c>forceNewDeployment=true</c>): part of what is approved.</summary>
    [SupplyParameterFromQuery(Name = "option")] public string[]? OptionQuery { get; set; }

    protected override void OnParametersSet()
    {
        _form.Environment = Environment.Key;
        if (string.IsNullOrEmpty(_form.Kind))
        {
            KindChanged(Kinds.Find(KindQuery)?.Key ?? Kinds.AvailableIn(Environment).FirstOrDefault()?.Key ?? "");
            if (TargetQuery is not null && Targets.Contains(TargetQuery, StringComparer.Ordinal))
            {
                _form.Target = TargetQuery;
            }
            foreach (var option in OptionQuery ?? [])
            {
                if (option.Split('=', 2) is [var key, var value] && key.Length > 0)
                {
                    _form.Options[key] = value;
                }
            }
        }
    }

    private IReadOnlyList<string> Targets => Kinds.Find(_form.Kind)?.Targets(Environment) ?? [];

    private string DefaultStops => Kinds.Find(_form.Kind) is { } kind ? "Defaults: " + string.Join(", ", kind.DefaultStopConditions(Environment)) : "";

    private void KindChanged(string kind)
    {
        _form.Kind = kind;
        _form.Options.Clear();
        _form.Target = Targets.FirstOrDefault() ?? "";
    }

    private bool Has(string field) => _errors.ContainsKey(field);

    private string? ErrorOf(string field) => _errors.GetValueOrDefault(field);

    private bool Validate()
    {
        _form.StopConditions = (_stopConditions ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
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
        catch (Exception e) when (IsForPeople(e))
        {
            _error = MessageOf(e);
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
        catch (Exception e) when (IsForPeople(e))
        {
            _error = MessageOf(e);
            _busy = false;
        }
    }

    internal static bool IsForPeople(Exception e) =>
        e is OperationRefusedException or PortalAccessDeniedException or AuditUnavailableException or IllegalTransitionException
            or PlatformUnavailableException or PlatformServiceException or OperationFailedException or System.Data.Common.DbException;

    internal static string MessageOf(Exception e) => e switch
    {
        System.Data.Common.DbException => "The portal database did not answer; nothing was changed. Try again in a moment.",
        PlatformServiceException service => $"The platform refused: {service.ErrorCode}: {service.Message}",
        _ => e.Message,
    };
}
