using Bunit;
using FinTech.Portal.Audit;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Rotations;
using FinTech.Portal.Platform;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Rotations;

/// <summary>The Secrets page over the Sandbox's Secrets Manager and ECS and the real engine (SQLite), rendered with bUnit.</summary>
public sealed class SecretsPageTests : IAsyncLifetime
{
    private const string RedisToken = "fintech/sandbox/redis/auth-token";

    private readonly SqliteTestDatabase _database = new();
    private readonly BunitContext _context = PortalBunit.Create();
    private OperationsTestKit _kit = null!;
    private Bunit.TestDoubles.BunitAuthorizationContext _authorization = null!;
    private static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database, sandbox: true);
        await _kit.MigrateAsync();
        var services = _context.Services;
        _kit.AddServicesTo(services);
        services.AddSingleton<SecretConsumers>();
        services.AddScoped<SecretsOverview>();
        _authorization = _context.SignInAs(Olivia);
        _context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _context.JSInterop.SetupMudInputs();
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        _kit.Dispose();
        await _database.DisposeAsync();
    }

    private PortalEnvironment Prod => _kit.Environments.Get("prod");

    private IRenderedComponent<SecretsPage> Render()
    {
        var page = _context.Render<SecretsPage>(p => p.AddCascadingValue(Prod));
        page.WaitForAssertion(() => Assert.Equal(6, page.FindAll("[data-testid=secret]").Count));
        return page;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<SecretsPage> page, string secret) =>
        page.FindAll("[data-testid=secret]").Single(r => r.GetAttribute("data-secret") == secret);

    [Fact]
    public async Task The_page_lists_every_secret_with_its_metadata_stages_and_readers_and_no_value()
    {
        var redis = await _kit.SandboxPlatforms["prod"].SecretsManager.DescribeSecretAsync(new() { SecretId = RedisToken });

        var page = Render();

        var row = Row(page, RedisToken);
        Assert.Equal(redis.ARN, row.QuerySelector("[data-testid=secret-arn]")!.TextContent);
        Assert.Equal("fintech-sandbox-redis-auth-rotation, rate(30 days)", row.QuerySelector("[data-testid=secret-rotation]")!.TextContent.Trim());
        Assert.Equal(FinTech.Portal.Hosting.Timestamps.Show(redis.LastRotatedDate!.Value), row.QuerySelector("[data-testid=secret-last-rotated]")!.TextContent);
        Assert.Contains($"{redis.VersionWith("AWSCURRENT")} AWSCURRENT", row.QuerySelector("[data-testid=secret-versions]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains($"{redis.VersionWith("AWSPREVIOUS")} AWSPREVIOUS", row.QuerySelector("[data-testid=secret-versions]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal($"AWSCURRENT on version {redis.VersionWith("AWSCURRENT")}.", row.QuerySelector("[data-testid=secret-state]")!.TextContent.Trim());
        Assert.Equal("fintech-sandbox-api", row.QuerySelector("[data-testid=consumer]")!.GetAttribute("data-service"));
        Assert.Contains("as REDIS__AUTHTOKEN", row.QuerySelector("[data-testid=consumer]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/operations/request?env=prod&kind=secret-rotation&target={Uri.EscapeDataString(RedisToken)}", row.QuerySelector("[data-testid=rotate-now]")!.GetAttribute("href"));
        // The stray AWSPENDING of the API keys is called out; secrets without rotation offer no button.
        Assert.StartsWith("Version ", Row(page, "fintech/sandbox/api/external-api-keys").QuerySelector("[data-testid=secret-state]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Contains("a stray AWSPENDING blocks the next rotation", Row(page, "fintech/sandbox/api/external-api-keys").TextContent, StringComparison.Ordinal);
        Assert.Null(Row(page, "fintech/sandbox/portal/database-connection-string").QuerySelector("[data-testid=rotate-now]"));
        Assert.Equal("Not configured", Row(page, "fintech/sandbox/portal/database-connection-string").QuerySelector("[data-testid=secret-rotation]")!.TextContent.Trim());
        Assert.All(_kit.SandboxPlatforms["prod"].SecretsManager.KnownSecretValues(), value => Assert.DoesNotContain(value, page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rotation_in_progress_links_to_its_run_and_afterwards_the_reader_still_on_the_old_version_is_named()
    {
        var run = await _kit.As(Olivia).RequestAsync(Form(RedisToken), None);

        var during = Render();
        Assert.Equal($"/operations/{run.Id}?env=prod", Row(during, RedisToken).QuerySelector("[data-testid=active-rotation]")!.GetAttribute("href"));
        Assert.Null(Row(during, RedisToken).QuerySelector("[data-testid=rotate-now]"));

        await _kit.As(Avery).ApproveAsync(run.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(5));
        var after = Render();

        var row = Row(after, RedisToken);
        Assert.Equal($"AWSCURRENT on version {SecretRotation.TokenFor(run.Id)}.", row.QuerySelector("[data-testid=secret-state]")!.TextContent.Trim());
        Assert.Equal("tasks started before the last rotation, still on the previous version", row.QuerySelector("[data-testid=consumer-state]")!.TextContent);
        Assert.Equal("/operations/request?env=prod&kind=ecs-deployment&target=fintech-sandbox-api&option=forceNewDeployment%3Dtrue", row.QuerySelector("[data-testid=restart-consumer]")!.GetAttribute("href"));
        Assert.NotNull(row.QuerySelector("[data-testid=rotate-now]"));
    }

    [Fact]
    public async Task Rotate_now_opens_the_request_form_on_that_secret_and_requests_a_rotation_of_it()
    {
        var navigation = _context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"/operations/request?env=prod&kind=secret-rotation&target={Uri.EscapeDataString(RedisToken)}");
        var page = _context.Render<OperationRequestPage>(p => p.AddCascadingValue(Prod));

        page.Find("[data-testid=reason]").Change("Quarterly credential rotation (PCI DSS 8.3.9)");
        page.Find("[data-testid=ticket]").Change("CHG0040002");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.StartsWith("http://localhost/operations/op-", navigation.Uri, StringComparison.Ordinal));
        var run = Assert.Single(await _kit.Store.ListAsync(null, 10, None));
        Assert.Equal((SecretRotation.KindKey, RedisToken, OperationState.AwaitingApproval), (run.Kind, run.Target, run.State));
    }

    [Fact]
    public async Task Restart_opens_the_request_form_for_a_forced_new_deployment_of_the_service()
    {
        var navigation = _context.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/operations/request?env=prod&kind=ecs-deployment&target=fintech-sandbox-api&option=forceNewDeployment%3Dtrue");
        var page = _context.Render<OperationRequestPage>(p => p.AddCascadingValue(Prod));

        Assert.Equal("forceNewDeployment: true", page.Find("[data-testid=option-forceNewDeployment]").TextContent);
        page.Find("[data-testid=reason]").Change("Restart the API so its tasks read the rotated Redis token");
        page.Find("[data-testid=ticket]").Change("CHG0040002");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.StartsWith("http://localhost/operations/op-", navigation.Uri, StringComparison.Ordinal));
        var run = Assert.Single(await _kit.Store.ListAsync(null, 10, None));
        Assert.Equal(("ecs-deployment", "fintech-sandbox-api", "true"), (run.Kind, run.Target, run.Parameters.Options["forceNewDeployment"]));
    }

    [Fact]
    public void An_auditor_sees_the_secrets_but_no_control_that_starts_a_run()
    {
        _authorization.SwitchTo(Aubrey);

        var page = Render();

        Assert.Empty(page.FindAll("[data-testid=rotate-now]"));
        Assert.Empty(page.FindAll("[data-testid=restart-consumer]"));
    }

    private static OperationRequestForm Form(string target) => new()
    {
        Kind = SecretRotation.KindKey,
        Environment = "prod",
        Target = target,
        Reason = "Quarterly credential rotation (PCI DSS 8.3.9)",
        ChangeTicket = "CHG0040002",
    };
}
