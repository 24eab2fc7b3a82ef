using System.Globalization;
using Microsoft.AspNetCore.Components;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Http;

namespace FinTech.Portal.Audit;

/// <summary>
/// The reviewer's list: filters in the address (shareable, and the same parameters the exports
/// take), newest first, keyset paging. Loads only once interactive, so a prerender does not
/// record a second search.
/// </summary>
public sealed partial class AuditListPage : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private FilterForm _form = new();
    private AuditFilter? _filter;
    private long? _before;
    private AuditPage? _page;
    private string? _error;
    private bool _busy;
    private IReadOnlyList<string> _eventTypes = [];

    [Inject] public required AuditReader Reader { get; set; }
    [Inject] public required PortalCaller Caller { get; set; }
    [Inject] public required NavigationManager Navigation { get; set; }

    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "actor")] public string? Actor { get; set; }
    [SupplyParameterFromQuery(Name = "eventType")] public string? EventType { get; set; }
    [SupplyParameterFromQuery(Name = "environment")] public string? EnvironmentFilter { get; set; }
    [SupplyParameterFromQuery(Name = "target")] public string? Target { get; set; }
    [SupplyParameterFromQuery(Name = "outcome")] public string? Outcome { get; set; }
    [SupplyParameterFromQuery(Name = "text")] public string? Text { get; set; }
    // Text, not a number: a cursor that is not one gets the page's message, not a failed render.
    [SupplyParameterFromQuery(Name = "before")] public string? Before { get; set; }

    /// <summary>The request while the page is prerendered (null once interactive).</summary>
    [CascadingParameter] public HttpContext? HttpContext { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        _form = new FilterForm { From = From, To = To, Actor = Actor, EventType = EventType, Environment = EnvironmentFilter, Target = Target, Outcome = Outcome, Text = Text };
        long? before;
        try
        {
            AuditQuery.Parse(_form.ToQuery());
            before = AuditQuery.ParseBefore(Before);
        }
        catch (FormatException e)
        {
            // An address with a bad filter or cursor answers 400 with the reason, as the exports do.
            _error = e.Message;
            if (HttpContext is { Response.HasStarted: false } http)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
            }
            return;
        }
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        await LoadAsync(_form, before);
    }

    private Task SearchAsync() => GoAsync(_form, null);

    private Task ClearAsync() => GoAsync(new FilterForm(), null);

    private Task NewestAsync() => GoAsync(_form, null);

    private Task OlderAsync() => GoAsync(_form, _page?.NextBefore);

    /// <summary>Shows the results and puts the filter in the address (which re-renders with the same values: no second search).</summary>
    private async Task GoAsync(FilterForm form, long? before)
    {
        if (_busy)
        {
            return;
        }
        await LoadAsync(form, before);
        if (_filter is not null)
        {
            var query = AuditQuery.ToQueryString(_filter);
            if (before is { } keyset)
            {
                query += (query.Length > 0 ? "&" : "") + "before=" + keyset.ToString(CultureInfo.InvariantCulture);
            }
            Navigation.NavigateTo("/audit" + (query.Length > 0 ? "?" + query : ""));
        }
    }

    private async Task LoadAsync(FilterForm form, long? before)
    {
        AuditFilter filter;
        try
        {
            filter = AuditQuery.Parse(form.ToQuery());
        }
        catch (FormatException e)
        {
            _error = e.Message;
            return;
        }
        if (_page is not null && filter == _filter && before == _before)
        {
            return;
        }
        _busy = true;
        _error = null;
        try
        {
            var user = await Caller.UserAsync();
            _page = await Reader.SearchAsync(user, Caller.SourceIp, filter, before, AuditReader.DefaultPageSize, _disposed.Token);
            if (_eventTypes.Count == 0)
            {
                _eventTypes = await Reader.EventTypesAsync(user, Caller.SourceIp, _disposed.Token);
            }
            _filter = filter;
            _before = before;
            _form = form;
        }
        catch (AuditAccessDeniedException e)
        {
            _page = null;
            _error = e.Message;
        }
        catch (AuditUnavailableException e)
        {
            _page = null;
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }


    private string ExportLink(string extension)
    {
        var query = _filter is null ? "" : AuditQuery.ToQueryString(_filter);
        return $"/audit/export.{extension}" + (query.Length > 0 ? "?" + query : "");
    }

    private static Dictionary<string, object> Test(string id) => new() { ["data-testid"] = id };

    // Seconds too: a reviewer narrows an incident to the second.
    private static Dictionary<string, object> TimeInput(string id) => new() { ["data-testid"] = id, ["step"] = "1" };

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>What the reviewer typed; parsed (and refused with a message) only on search.</summary>
    private sealed class FilterForm
    {
        public string? From { get; set; }
        public string? To { get; set; }
        public string? Actor { get; set; }
        public string? EventType { get; set; }
        public string? Environment { get; set; }
        public string? Target { get; set; }
        public string? Outcome { get; set; }
        public string? Text { get; set; }

        public Dictionary<string, string?> ToQuery() => new()
        {
            ["from"] = From, ["to"] = To, ["actor"] = Actor, ["eventType"] = EventType,
            ["environment"] = Environment, ["target"] = Target, ["outcome"] = Outcome, ["text"] = Text,
        };
    }
}

/// <summary>
/// The filter's times in a date-time picker (<c>input type=datetime-local</c>): the picker shows and
/// returns <c>yyyy-MM-ddTHH:mm:ss</c> without a zone, which the filter reads as UTC. A time from the
/// address in any other accepted form is shown in the picker's form; one that is not a time is
/// left as it is, and the search refuses it with its message.
/// </summary>
internal static class AuditTimeInput
{
    public static string? Show(string? filterText) =>
        DateTimeOffset.TryParse(filterText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? Timestamps.DateTimeInputValue(time)
            : filterText;

    public static string? Read(string? pickerValue) => string.IsNullOrWhiteSpace(pickerValue) ? null : pickerValue.Trim();
}
