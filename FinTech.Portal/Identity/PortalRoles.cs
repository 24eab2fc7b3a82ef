namespace FinTech.Portal.Identity;

/// <summary>
/// The portal's roles. Entra ID app roles (<c>Portal.Operator</c>, ...) map onto these; the
/// Sandbox personas carry them directly.
/// </summary>
public static class PortalRoles
{
    public const string Operator = "Operator";
    public const string Approver = "Approver";
    public const string Auditor = "Auditor";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Operator, Approver, Auditor, Admin];
}

/// <summary>Authorization policy names, used by pages (<c>[Authorize(Policy = ...)]</c>) and services alike.</summary>
public static class PortalPolicies
{
    /// <summary>Any portal role.</summary>
    public const string ViewDashboards = "ViewDashboards";

    /// <summary>Operator.</summary>
    public const string RequestOperations = "RequestOperations";

    /// <summary>Approver, never for an operation the same person requested.</summary>
    public const string ApproveOperations = "ApproveOperations";

    /// <summary>Auditor or Admin.</summary>
    public const string ReadAudit = "ReadAudit";

    /// <summary>Operator, and only on Sandbox environments.</summary>
    public const string ChangeSandboxFaults = "ChangeSandboxFaults";

    /// <summary>Admin: see who is signed in and end a person's sessions.</summary>
    public const string ManageSessions = "ManageSessions";
}
