using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Rotations;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Rotations;

/// <summary>The real portal, rotations through the engine, then every output searched for the Sandbox's secret values.</summary>
public sealed class SecretLeakTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SecretLeakPortal _portal = new();

    [Fact]
    public async Task No_secret_value_reaches_a_page_a_log_line_the_database_the_audit_trail_evidence_or_an_export()
    {
        _ = _portal.RootUri;
        var platform = _portal.Platform("sandbox");
        var resources = platform.Resources;
        var valuesBefore = platform.SecretsManager.KnownSecretValues().Count;
        // Rotations that succeed (the edge header and the Redis token at once), one of the database
        // credentials, one refused at preflight while the database fails over, and one on a stray AWSPENDING.
        var edge = await RequestAndApproveAsync("fintech/sandbox/edge/origin-verify");
        var redis = await RequestAndApproveAsync(resources.RedisAuthTokenSecret!);
        await _portal.RunUntilEndedAsync([edge.Id, redis.Id], TimeSpan.FromMinutes(10));
        var database = await RequestAndApproveAsync(resources.AuroraCredentialsSecret!);
        await _portal.RunUntilEndedAsync([database.Id], TimeSpan.FromMinutes(10));
        var duringFailover = await RequestAndApproveAsync(resources.AuroraCredentialsSecret!);
        platform.FailoverAuroraCluster();
        await _portal.RunUntilEndedAsync([duringFailover.Id], TimeSpan.FromMinutes(10));
        var stray = await RequestAndApproveAsync("fintech/sandbox/api/external-api-keys");
        await _portal.RunUntilEndedAsync([stray.Id], TimeSpan.FromMinutes(10));
        var store = _portal.Services.GetService(typeof(OperationStore)) as OperationStore;
        var states = new List<OperationState>();
        foreach (var run in new[] { edge, redis, database, duringFailover, stray })
        {
            states.Add((await store!.GetAsync(run.Id, None))!.State);
        }
        Assert.Equal([OperationState.Succeeded, OperationState.Succeeded, OperationState.Succeeded, OperationState.Failed, OperationState.Failed], states);

        var values = platform.SecretsManager.KnownSecretValues();
        var outputs = await _portal.OutputsAsync(["/secrets?env=sandbox", "/operations?env=sandbox", "/operations/evidence?env=sandbox", "/sandbox?env=sandbox"], None);

        // The search covers what was produced: the new version ids are in each kind of output, the values in none.
        Assert.Equal(valuesBefore + 3, values.Count);
        var version = SecretRotation.TokenFor(redis.Id);
        Assert.Contains(outputs, o => o.Source == "GET /secrets?env=sandbox" && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source == $"GET /operations/{redis.Id}/evidence.json" && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source == $"GET /operations/{redis.Id}/evidence.html" && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source == "GET /audit/export.csv" && o.Text.Contains("secret-rotation", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source == "GET /audit/export.jsonl" && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source.StartsWith("sandbox_journal row", StringComparison.Ordinal) && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source.StartsWith("operation_timeline row", StringComparison.Ordinal) && o.Text.Contains(version, StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.Source.StartsWith("log line", StringComparison.Ordinal));
        Assert.Empty(SecretLeakPortal.Leaks(outputs, values));
        // The scan itself finds a value where there is one.
        Assert.Equal([("planted", 1)], SecretLeakPortal.Leaks([new PortalOutput("planted", $"<td>{values[^1]}</td>")], values));
    }

    private async Task<OperationRun> RequestAndApproveAsync(string secret)
    {
        var run = await _portal.As(Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = SecretRotation.KindKey,
            Environment = "sandbox",
            Target = secret,
            Reason = "Quarterly credential rotation (PCI DSS 8.3.9)",
            ChangeTicket = "CHG0040003",
        }, None);
        return await _portal.As(Avery).ApproveAsync(run.Id, None);
    }

    public void Dispose() => _portal.Dispose();
}
