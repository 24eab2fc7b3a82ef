namespace FinTech.Portal.Identity;

/// <summary>A made-up person of the Sandbox sign-in, with one portal role.</summary>
public sealed record SandboxPersona(string Key, string DisplayName, string Role, string Description)
{
    /// <summary>Stable across restarts, so the audit trail and "who requested this" stay readable.</summary>
    public string UserId => $"sandbox:{Key}";
}

/// <summary>
/// The Sandbox's people: two Operators (so that one can request and the other can try to approve),
/// an Approver, an Auditor and an Admin.
/// </summary>
public static class SandboxPersonas
{
    public static readonly SandboxPersona Olivia = new("olivia", "Olivia Operator", PortalRoles.Operator, "SRE: watches dashboards, requests operations, turns Sandbox fault knobs.");
    public static readonly SandboxPersona Omar = new("omar", "Omar Operator", PortalRoles.Operator, "A second SRE, to show that operators cannot approve each other's work without the Approver role.");
    public static readonly SandboxPersona Avery = new("avery", "Avery Approver", PortalRoles.Approver, "Approves or rejects production operations requested by someone else.");
    public static readonly SandboxPersona Aubrey = new("aubrey", "Aubrey Auditor", PortalRoles.Auditor, "Compliance reviewer: reads, exports and verifies the audit trail; changes nothing.");
    public static readonly SandboxPersona Ada = new("ada", "Ada Admin", PortalRoles.Admin, "Portal administrator: dashboards and the audit trail.");

    public static readonly IReadOnlyList<SandboxPersona> All = [Olivia, Omar, Avery, Aubrey, Ada];

    public static SandboxPersona? Find(string? key) =>
        All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
}
