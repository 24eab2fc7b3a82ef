using System.Net;
using FinTech.Portal.Audit;

namespace FinTech.Portal.Tests.Identity;

public class IdentityAuditTests
{
    [Fact]
    public async Task A_persona_sign_in_is_recorded_with_user_roles_and_outcome()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        await PersonaSignIn.AsAsync(client, "olivia");

        var recorded = Assert.Single(await app.IdentityEventsAsync());
        Assert.Equal(AuditEventTypes.SignedIn, recorded.EventType);
        Assert.Equal(AuditOutcome.Succeeded, recorded.Outcome);
        Assert.Equal("sandbox:olivia", recorded.Actor.UserId);
        Assert.Equal("Olivia Operator", recorded.Actor.DisplayName);
        Assert.Equal(["Operator"], recorded.Actor.Roles);
        Assert.Equal("Sandbox", recorded.Parameters["method"]);
    }

    [Fact]
    public async Task A_failed_sign_in_is_recorded()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();

        await PersonaSignIn.AsAsync(client, "mallory");

        var recorded = Assert.Single(await app.IdentityEventsAsync());
        Assert.Equal(AuditEventTypes.SignInFailed, recorded.EventType);
        Assert.Equal(AuditOutcome.Failed, recorded.Outcome);
        Assert.Equal("anonymous", recorded.Actor.UserId);
        Assert.Contains("mallory", recorded.Reason);
    }

    [Fact]
    public async Task A_sign_out_is_recorded()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "ada");

        await PersonaSignIn.SignOutAsync(client, "/account");

        var recorded = (await app.IdentityEventsAsync())[^1];
        Assert.Equal(AuditEventTypes.SignedOut, recorded.EventType);
        Assert.Equal("sandbox:ada", recorded.Actor.UserId);
        Assert.Equal(["Admin"], recorded.Actor.Roles);
    }

    [Fact]
    public async Task An_access_denial_is_recorded_with_the_page_and_the_missing_role()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var response = await client.GetAsync("/audit/export.csv");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = new Uri(PortalAppFactory.BaseAddress, response.Headers.Location!);
        Assert.Equal("/account/access-denied", location.AbsolutePath);
        Assert.Contains("policy=ReadAudit", location.Query);
        var recorded = (await app.IdentityEventsAsync())[^1];
        Assert.Equal(AuditEventTypes.AccessDenied, recorded.EventType);
        Assert.Equal(AuditOutcome.Denied, recorded.Outcome);
        Assert.Equal("/audit/export.csv", recorded.Target);
        Assert.Equal("Reading and exporting the audit trail needs one of the roles Auditor or Admin; you have Operator.", recorded.Reason);
    }

    [Fact]
    public async Task A_script_refused_an_endpoint_gets_403_and_the_reason()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "avery");

        var response = await client.GetAsync("/audit/export.jsonl");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Reading and exporting the audit trail needs one of the roles Auditor or Admin; you have Approver.", await response.Content.ReadAsStringAsync());
        Assert.Equal(AuditEventTypes.AccessDenied, (await app.IdentityEventsAsync())[^1].EventType);
    }

    [Fact]
    public async Task A_sign_in_that_the_audit_trail_cannot_record_does_not_happen()
    {
        await using var app = new PortalAppFactory();
        var client = app.CreatePortalClient();
        await client.GetAsync("/healthz");
        await SetAuditTrailDownAsync(app, down: true);

        var response = await PersonaSignIn.AsAsync(client, "olivia");
        await SetAuditTrailDownAsync(app, down: false);

        Assert.Equal("/account/sign-in?error=audit-unavailable", response.Headers.Location!.OriginalString);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("__Host-portal-auth", StringComparison.Ordinal)));
        var page = await client.GetStringAsync(response.Headers.Location);
        Assert.Contains("the audit trail cannot record the sign-in right now", page);
    }

    /// <summary>The trail's database refuses new events, as a full disk or a lost connection would; or takes them again.</summary>
    private static async Task SetAuditTrailDownAsync(PortalAppFactory app, bool down)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "portal.db")};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = down
            ? "CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
            : "DROP TRIGGER test_audit_down;";
        await command.ExecuteNonQueryAsync();
    }
}
