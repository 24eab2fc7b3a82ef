using System.Net;
using System.Text;
using System.Text.Json;

namespace FinTech.Portal.Operations;

/// <summary>The sealed evidence as a printable HTML report: every field of the JSON, nothing added but layout.</summary>
public static class EvidenceReport
{
    public static string Html(SealedEvidence evidence)
    {
        using var document = JsonDocument.Parse(evidence.Content);
        var root = document.RootElement;
        var html = new StringBuilder();
        string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        string S(JsonElement element, string name) => element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "";
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evidence ").Append(E(evidence.RunId)).Append("</title>")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}")
            .Append("td,th{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}code{word-break:break-all}@media print{a{display:none}}</style></head><body>");
        html.Append("<h1>Failover test evidence</h1>");
        html.Append("<p>Run <b>").Append(E(evidence.RunId)).Append("</b>, ").Append(E(S(root, "kind"))).Append(" of <b>").Append(E(S(root, "target")))
            .Append("</b> on ").Append(E(S(root, "environment"))).Append(".</p>");
        var outcome = root.GetProperty("outcome");
        html.Append("<h2>Outcome: ").Append(E(S(outcome, "state"))).Append("</h2><p>").Append(E(S(outcome, "reason"))).Append("</p>");
        html.Append("<table><tr><th>Requester</th><td>").Append(E(S(root.GetProperty("requester"), "displayName"))).Append(" (").Append(E(S(root.GetProperty("requester"), "userId"))).Append(")</td></tr>")
            .Append("<tr><th>Requested at (UTC)</th><td>").Append(E(S(root, "requestedAt"))).Append("</td></tr>")
            .Append("<tr><th>Reason</th><td>").Append(E(S(root, "reason"))).Append("</td></tr>")
            .Append("<tr><th>Change ticket</th><td>").Append(E(S(root, "changeTicket"))).Append("</td></tr>")
            .Append("<tr><th>Parameters SHA-256</th><td><code>").Append(E(S(root, "parametersHash"))).Append("</code></td></tr>")
            .Append("<tr><th>Started / finished (UTC)</th><td>").Append(E(S(outcome, "startedAt"))).Append(" / ").Append(E(S(outcome, "finishedAt"))).Append("</td></tr></table>");
        html.Append("<h2>Approvals</h2><table><tr><th>Approver</th><th>At (UTC)</th><th>Parameters hash</th><th>Target state hash</th></tr>");
        foreach (var approval in root.GetProperty("approvals").EnumerateArray())
        {
            html.Append("<tr><td>").Append(E(S(approval, "approverName"))).Append("</td><td>").Append(E(S(approval, "approvedAt")))
                .Append("</td><td><code>").Append(E(S(approval, "parametersHash"))).Append("</code></td><td><code>").Append(E(S(approval, "targetStateHash"))).Append("</code></td></tr>");
        }
        html.Append("</table><h2>Measurements</h2>");
        if (root.GetProperty("measurements") is { ValueKind: JsonValueKind.Object } measurements)
        {
            html.Append("<p><b>").Append(E(S(measurements, "verdict"))).Append("</b></p><table>");
            foreach (var figure in measurements.GetProperty("figures").EnumerateObject())
            {
                html.Append("<tr><th>").Append(E(figure.Name)).Append("</th><td>").Append(E(figure.Value.ToString())).Append("</td></tr>");
            }
            html.Append("</table>");
        }
        else
        {
            html.Append("<p>None: the run ended before it acted.</p>");
        }
        html.Append("<h2>Preflight</h2><table><tr><th>Check</th><th>Result</th><th>Why</th></tr>");
        foreach (var check in root.GetProperty("preflight").EnumerateArray())
        {
            html.Append("<tr><td>").Append(E(S(check, "name"))).Append("</td><td>").Append(S(check, "passed") == "True" || S(check, "passed") == "true" ? "pass" : "fail")
                .Append("</td><td>").Append(E(S(check, "detail"))).Append("</td></tr>");
        }
        html.Append("</table><h2>Timeline of calls and events</h2><table><tr><th>At (UTC)</th><th>What</th><th></th></tr>");
        foreach (var entry in root.GetProperty("timeline").EnumerateArray())
        {
            html.Append("<tr><td>").Append(E(S(entry, "at"))).Append("</td><td>").Append(E(S(entry, "category"))).Append("</td><td>").Append(E(S(entry, "text"))).Append("</td></tr>");
        }
        html.Append("</table><h2>Seal</h2><p>SHA-256 of the evidence JSON: <code>").Append(E(evidence.Sha256)).Append("</code>, sealed by audit event #")
            .Append(evidence.AuditSequence).Append(" at ").Append(E(Audit.AuditCanonical.FormatTimestamp(evidence.SealedAt)))
            .Append(" UTC. Verify it in the portal (Evidence → Verify) or offline against the audit export.</p></body></html>");
        return html.ToString();
    }
}
