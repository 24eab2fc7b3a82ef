using Bunit;
using FinTech.Portal.Operations;
using FinTech.Portal.Operations.Deployments;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using static FinTech.Portal.Identity.SandboxPersonas;

namespace FinTech.Portal.Tests.Operations.Deployments;

/// <summary>The Deployments page over the real engine (SQLite) and the Sandbox's ECS and ECR, rendered with bUnit.</summary>
public sealed class DeploymentsPageTests : IAsyncLifetime
{
    private const string Service = "fintech-sandbox-api";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly SqliteTestDatabase _database = new();
    private readonly BunitContext _context = PortalBunit.Create();
    private OperationsTestKit _kit = null!;
    private Bunit.TestDoubles.BunitAuthorizationContext _authorization = null!;

    private PortalEnvironment Prod => _kit.Environments.Get("prod");

    private SandboxPlatform Sandbox => _kit.SandboxPlatforms["prod"];

    public async Task InitializeAsync()
    {
        _kit = new OperationsTestKit(_database.Database, sandbox: true);
        await _kit.MigrateAsync();
        var services = _context.Services;
        _kit.AddServicesTo(services);
        services.AddSingleton(new DeploymentHistory(_kit.Store));
        services.AddSingleton<DeploymentsOverview>();
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

    [Fact]
    public void The_page_shows_the_running_revision_its_image_digest_and_rollout_state()
    {
        var page = _context.Render<DeploymentsPage>(p => p.AddCascadingValue(Prod));

        page.WaitForAssertion(() => Assert.Equal("fintech-sandbox-api:42", page.Find("[data-testid=current-revision]").TextContent.Trim()));
        Assert.StartsWith("v1.46.0", page.Find("[data-testid=current-image]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal(Digest("v1.46.0"), page.Find("[data-testid=current-digest]").TextContent.Trim());
        Assert.Equal("COMPLETED", page.Find("[data-testid=rollout-state]").TextContent.Trim());
        Assert.Contains("1 CRITICAL, 4 HIGH", page.Find("[data-testid=image-v1\\.47\\.0]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=no-history]"));
        Assert.Empty(page.FindAll("[data-testid=rollback]"));
    }

    [Fact]
    public async Task Picking_an_image_requests_a_deployment_of_its_digest_and_opens_the_run()
    {
        var navigation = _context.Services.GetRequiredService<NavigationManager>();
        var page = _context.Render<DeploymentsPage>(p => p.AddCascadingValue(Prod));

        page.WaitForAssertion(() => page.Find("[data-testid=pick-v1\\.47\\.1]").Click());
        Assert.Equal("Deploy v1.47.1", page.Find("[data-testid=request-title]").TextContent.Trim());
        page.Find("[data-testid=reason]").Change("Release v1.47.1 of the payments API");
        page.Find("[data-testid=ticket]").Change("CHG0050001");
        page.Find("[data-testid=request-form] form").Submit();

        page.WaitForAssertion(() => Assert.StartsWith("http://localhost/operations/op-", navigation.Uri, StringComparison.Ordinal));
        var run = Assert.Single(await _kit.Store.ListAsync(null, 10, None));
        Assert.Equal((EcsDeployment.KindKey, Service, OperationState.AwaitingApproval), (run.Kind, run.Target, run.State));
        Assert.Equal(Digest("v1.47.1"), run.Parameters.Options[EcsDeployment.ImageDigestOption]);
    }

    [Fact]
    public void A_request_without_a_reason_or_ticket_is_marked_and_creates_nothing()
    {
        var page = _context.Render<DeploymentsPage>(p => p.AddCascadingValue(Prod));

        page.WaitForAssertion(() => page.Find("[data-testid=restart]").Click());
        page.Find("[data-testid=request-form] form").Submit();

        page.WaitForAssertion(() => Assert.Equal("Correct the fields marked in red.", page.Find("[data-testid=request-error]").TextContent.Trim()));
        Assert.Contains("The change ticket must match", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_an_unverified_change_the_page_offers_the_rollback_to_the_last_verified_revision_with_the_history()
    {
        var run = await _kit.As(Olivia).RequestAsync(new OperationRequestForm
        {
            Kind = EcsDeployment.KindKey, Environment = "prod", Target = Service, Reason = "Release v1.47.1 of the payments API", ChangeTicket = "CHG0050001",
            Options = new Dictionary<string, string> { [EcsDeployment.ImageTagOption] = "v1.47.1", [EcsDeployment.ImageDigestOption] = Digest("v1.47.1") },
        }, None);
        await _kit.As(Avery).ApproveAsync(run.Id, None);
        await _kit.RunWorkerAsync(TimeSpan.FromMinutes(10));
        var manual = await FinTech.Portal.Tests.Sandbox.SandboxEcsDeploymentTests.RegisterAsync(Sandbox, "v1.45.1");
        await Sandbox.Ecs.UpdateServiceAsync(new UpdateServiceRequest { Cluster = "fintech-sandbox", Service = Service, TaskDefinition = manual.TaskDefinitionArn });
        _kit.Time.Advance(TimeSpan.FromMinutes(5));

        var page = _context.Render<DeploymentsPage>(p => p.AddCascadingValue(Prod));

        page.WaitForAssertion(() => Assert.Equal("Roll back to fintech-sandbox-api:43", page.Find("[data-testid=rollback]").TextContent.Trim()));
        var row = page.Find($"[data-testid=history-{run.Id}]").TextContent;
        Assert.Contains("Deploy v1.47.1", row, StringComparison.Ordinal);
        Assert.Contains("fintech-sandbox-api:42 → fintech-sandbox-api:43", row, StringComparison.Ordinal);
        Assert.Contains("Olivia Operator", row, StringComparison.Ordinal);
        Assert.Contains("Release v1.47.1 of the payments API (CHG0050001)", row, StringComparison.Ordinal);
        Assert.Equal("fintech-sandbox-api:43", page.Find("[data-testid=last-verified]").TextContent.Trim());
        page.Find("[data-testid=rollback]").Click();
        page.Find("[data-testid=reason]").Change("v1.45.1 was deployed by hand; back to the verified release");
        page.Find("[data-testid=ticket]").Change("CHG0050002");
        page.Find("[data-testid=request-form] form").Submit();
        page.WaitForAssertion(() => Assert.Equal(2, _kit.Store.ListAsync(null, 10, None).GetAwaiter().GetResult().Count));
        var rollback = (await _kit.Store.ListAsync(null, 10, None)).Single(r => r.Kind == EcsRollback.KindKey);
        Assert.Equal("arn:aws:ecs:eu-west-1:111122223333:task-definition/fintech-sandbox-api:43", rollback.Parameters.Options[EcsRollback.TaskDefinitionOption]);
        Assert.Equal(OperationState.AwaitingApproval, rollback.State);
    }

    [Fact]
    public void An_auditor_sees_the_service_and_history_but_no_request_controls()
    {
        _authorization.SwitchTo(Aubrey);

        var page = _context.Render<DeploymentsPage>(p => p.AddCascadingValue(Prod));

        page.WaitForAssertion(() => Assert.Equal("fintech-sandbox-api:42", page.Find("[data-testid=current-revision]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=images]"));
        Assert.Empty(page.FindAll("[data-testid=restart]"));
    }

    private string Digest(string tag) => Sandbox.Ecr.Images.Single(i => i.RepositoryName == SandboxEcr.ApiRepository && i.Tags.Contains(tag)).Digest;
}
