using System.Globalization;
using FinTech.Portal.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Audit;

public static class AuditSetup
{
    /// <summary>
    /// The audit trail: recording API, anchoring, verification, the reviewer's services and the
    /// portal's own start/stop events. Who may read it is the identity feature's
    /// <see cref="PortalPolicies.ReadAudit"/> policy.
    /// </summary>
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddSingleton<AuditTrail>();
        // The File sink; the Aws feature replaces it when Audit:AnchorSink is CloudWatchLogs or S3.
        builder.Services.AddSingleton<IAuditAnchorSink, FileAuditAnchorSink>();
        builder.Services.AddSingleton<AuditAnchorStatus>();
        builder.Services.AddSingleton<AuditVerifier>();
        builder.Services.AddSingleton<AuditAnchoring>();
        builder.Services.AddSingleton<AuditedViews>();
        builder.Services.AddScoped<AuditReader>();
        // Registered before the anchoring loop so that portal.started is the first event of a run.
        builder.Services.AddHostedService<AuditLifecycle>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditAnchoring>());

        builder.Services.AddAuthorization();
        builder.Services.AddHttpContextAccessor();
        return builder;
    }

    /// <summary>The CSV and JSON Lines exports of a filter (same query parameters as the list page).</summary>
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup("/audit").RequireAuthorization(PortalPolicies.ReadAudit);
        audit.MapGet("/export.csv", (HttpContext http, AuditReader reader, TimeProvider time, CancellationToken ct) =>
            ExportAsync(http, reader, time, AuditExportFormat.Csv, "text/csv", "csv", ct));
        audit.MapGet("/export.jsonl", (HttpContext http, AuditReader reader, TimeProvider time, CancellationToken ct) =>
            ExportAsync(http, reader, time, AuditExportFormat.JsonLines, "application/jsonl", "jsonl", ct));
        return endpoints;
    }

    private static async Task ExportAsync(HttpContext http, AuditReader reader, TimeProvider time, AuditExportFormat format, string contentType, string extension, CancellationToken ct)
    {
        // An export is the trail itself: no browser or proxy may keep a copy, nor of a refusal.
        http.Response.Headers.CacheControl = "no-store";
        AuditFilter filter;
        try
        {
            filter = AuditQuery.Parse(http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString()));
        }
        catch (FormatException e)
        {
            // The message names the parameter and the expected form; it never repeats the input.
            await PlainTextAsync(http, StatusCodes.Status400BadRequest, e.Message, ct);
            return;
        }
        var caller = PortalCaller.ForRequest(http);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{stamp}.{extension}\"";
        // Streamed straight to the client (an export can hold millions of events). The export is
        // recorded before the first byte is written, so a refusal or a trail that cannot be
        // written still gets a proper status code.
        try
        {
            await reader.ExportAsync(await caller.UserAsync(), caller.SourceIp, filter, format, http.Response.Body, ct);
        }
        catch (Exception e) when (e is AuditAccessDeniedException or AuditUnavailableException && !http.Response.HasStarted)
        {
            http.Response.Headers.ContentDisposition = default;
            await PlainTextAsync(http, e is AuditAccessDeniedException ? StatusCodes.Status403Forbidden : StatusCodes.Status503ServiceUnavailable, e.Message, ct);
        }
    }

    private static Task PlainTextAsync(HttpContext http, int statusCode, string message, CancellationToken ct)
    {
        http.Response.StatusCode = statusCode;
        http.Response.ContentType = "text/plain; charset=utf-8";
        return http.Response.WriteAsync(message, ct);
    }
}

/// <summary>The list page's query string and the export endpoints' parameters, one spelling for both.</summary>
public static class AuditQuery
{
    public static AuditFilter Parse(IReadOnlyDictionary<string, string?> query)
    {
        string? Get(string name) => query.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        DateTimeOffset? Time(string name)
        {
            var text = Get(name);
            if (text is null)
            {
                return null;
            }
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
                ? value
                : throw new FormatException($"'{name}' must be a UTC time such as 2026-11-24T03:00:00Z.");
        }
        AuditOutcome? outcome = null;
        if (Get("outcome") is { } outcomeText)
        {
            outcome = Enum.TryParse<AuditOutcome>(outcomeText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new FormatException("'outcome' must be Succeeded, Failed or Denied.");
        }
        return new AuditFilter(Time("from"), Time("to"), Get("actor"), Get("eventType"), Get("environment"), Get("target"), outcome, Get("text"));
    }

    /// <summary>
    /// The list's paging cursor: the event number to continue below. Anything else (letters,
    /// <c>1e5</c>, a NUL, a number beyond 64 bits) is refused with the expected form; the message
    /// never repeats the input.
    /// </summary>
    public static long? ParseBefore(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before > 0
            ? before
            : throw new FormatException("'before' must be an event number, a whole number from 1 up (the list's Older button sets it).");
    }

    /// <summary>The filter as a query string (without '?'), for links to the exports and shareable list addresses.</summary>
    public static string ToQueryString(AuditFilter filter) =>
        string.Join('&', filter.ToParameters().Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value ?? "")}"));
}
