using FinTech.Portal.Tests.Identity;

namespace FinTech.Portal.Tests.Audit;

public class AuditHostileInputTests
{
    private static readonly string[] _filterParameters = ["from", "to", "actor", "eventType", "environment", "target", "outcome", "text", "before", "env"];

    [Fact]
    public async Task Hostile_values_in_every_parameter_of_the_audit_pages_and_exports_never_get_a_server_error_and_the_trail_still_verifies()
    {
        await using var app = new PortalAppFactory();
        var fuzz = new HostileInput(app);
        var auditor = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(auditor, "aubrey");
        var operatorClient = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(operatorClient, "olivia");

        for (var i = 0; i < HostileInput.Values.Length; i++)
        {
            var value = HostileInput.Values[i];
            foreach (var name in _filterParameters)
            {
                await fuzz.SendAsync(auditor, HttpMethod.Get, $"/audit?{name}={value}");
                // The two exports parse the same filter: each value goes to one of them, every parameter to both.
                await fuzz.SendAsync(auditor, HttpMethod.Get, $"/audit/export.{(i % 2 == 0 ? "csv" : "jsonl")}?{name}={value}");
            }
            // Someone without the Auditor role: the denial records the environment they named.
            await fuzz.SendAsync(operatorClient, HttpMethod.Get, $"/audit?env={value}");
            await fuzz.SendAsync(operatorClient, HttpMethod.Get, $"/audit/export.csv?env={value}");
            // A NUL in the path itself is refused by the server before the portal sees it (Kestrel's 400).
            if (!value.Contains("%00", StringComparison.Ordinal))
            {
                await fuzz.SendAsync(auditor, HttpMethod.Get, $"/audit/{value}");
            }
        }

        await fuzz.AssertNoServerErrorAndTheTrailVerifiesAsync(auditor);
    }
}
