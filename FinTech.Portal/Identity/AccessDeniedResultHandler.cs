using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace FinTech.Portal.Identity;

/// <summary>
/// When a signed-in user is refused a page or endpoint: records the denial in the audit trail and
/// sends a browser to the access-denied page, which says which role is missing (other clients get
/// 403 and the reason). Anonymous visitors are sent to sign in as usual.
/// </summary>
internal sealed class AccessDeniedResultHandler(IdentityAudit audit, ILogger<AccessDeniedResultHandler> logger)
    : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var decision = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<PortalPolicyFailure>().FirstOrDefault()?.Decision
            ?? AccessDecision.Deny("Authenticated", "This page needs a signed-in user with a portal role.");
        var policyName = PortalAccessRules.Policies.Contains(decision.Policy) ? decision.Policy : null;
        try
        {
            await audit.AccessDeniedAsync(context.User, IdentitySetup.SourceIpOf(context), decision,
                environment: context.Request.Query["env"].FirstOrDefault(), target: context.Request.Path.Value, context.RequestAborted);
        }
        catch (FinTech.Portal.Audit.AuditUnavailableException e)
        {
            // The request is refused either way; the refusal itself must not turn into an error page.
            logger.LogError(e, "An access denial for {Path} could not be recorded in the audit trail.", context.Request.Path.Value);
        }

        // A browser navigating to a page or a download gets the page that explains; scripts and
        // other clients get the status code and the reason.
        if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments("/_blazor")
            && context.Request.Headers.Accept.Any(accept => accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true))
        {
            var query = QueryString.Create(new Dictionary<string, string?>
            {
                ["policy"] = policyName,
                ["returnUrl"] = context.Request.PathBase + context.Request.Path + context.Request.QueryString,
            });
            context.Response.Redirect(IdentitySetup.AccessDeniedPath + query);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsync(decision.Reason ?? "Access denied.", context.RequestAborted);
    }
}
