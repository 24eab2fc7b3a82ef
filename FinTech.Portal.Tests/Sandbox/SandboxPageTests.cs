using Bunit;
using Microsoft.AspNetCore.Components;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.Catalogue;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.Tests.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Sandbox;

public sealed class SandboxPageTests : IAsyncLifetime
{
    private static readonly PortalEnvironment SandboxEnvironment =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, PlatformResources.Sandbox(), 11, Aws: null);

    private readonly FakeTimeProvider _time = new(SandboxTestPlatform.TuesdayMorning);
    private SandboxBackend _backend = null!;
    // Knob changes are recorded in the audit trail before they are made: the context's real (SQLite) trail.
    private PortalComponentContext _portal = null!;
    private BunitContext _context = null!;
    private Bunit.TestDoubles.BunitAuthorizationContext _authorization = null!;
    private AuditTestKit _audit = null!;

    public async Task InitializeAsync()
    {
        _portal = await PortalComponentContext.CreateAsync((services, database) =>
        {
            _backend = new SandboxBackend(_time, new SandboxJournal(database));
            services.AddSingleton(_backend);
            services.AddSingleton(new SandboxJournal(database));
            services.AddSingleton<SandboxFaultSwitch>();
            services.AddSingleton<SandboxFaultKnobs>();
            services.AddSingleton(new EnvironmentCatalog(Microsoft.Extensions.Options.Options.Create(new PlatformOptions { Environments = { ["sandbox"] = new EnvironmentOptions() } })));
        }, _time);
        _context = _portal.Bunit;
        _audit = _portal.Audit;
        _authorization = _portal.Authorization.SwitchTo(SandboxPersonas.Olivia);
        // The switches are re-enabled after each change, and MudSwitch then connects its key interceptor again: answer it.
        _context.JSInterop.SetupVoid("mudKeyInterceptor.connect", _ => true).SetVoidResult();
        _context.JSInterop.SetupVoid("mudKeyInterceptor.disconnect", _ => true).SetVoidResult();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private IRenderedComponent<SandboxPage> Render(PortalEnvironment environment) =>
        _context.Render<SandboxPage>(parameters => parameters.AddCascadingValue(environment));

    [Fact]
    public void The_page_shows_one_switch_per_fault_the_alarms_and_the_writer_and_primary()
    {
        var page = Render(SandboxEnvironment);

        Assert.All(Enum.GetValues<SandboxFault>(), fault => Assert.NotNull(page.Find($"[data-testid=fault-{fault}] input[type=checkbox]")));
        Assert.Equal(PlatformCatalogue.AllAlarms.Count(), page.FindAll("[data-testid^=alarm-fintech-]").Count);
        Assert.Equal("fintech-sandbox-aurora-1", page.Find("[data-testid=aurora-writer]").TextContent);
        Assert.Equal("fintech-sandbox-redis-001", page.Find("[data-testid=redis-primary]").TextContent);
    }

    [Fact]
    public void Turning_a_switch_turns_the_fault_on_and_the_alarm_shows_once_simulated_time_passes()
    {
        var page = Render(SandboxEnvironment);

        page.Find("[data-testid=fault-LatencySpike] input[type=checkbox]").Change(true);
        // The knob turns after its audit event is committed, asynchronously: wait for it before
        // moving time, or the fault would start five minutes late.
        page.WaitForAssertion(() => Assert.Equal([SandboxFault.LatencySpike], _backend.PlatformFor(SandboxEnvironment).ActiveFaults));
        _time.Advance(TimeSpan.FromMinutes(5));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("ALARM", page.Find("[data-testid=alarm-fintech-sandbox-p99-latency]").TextContent);
            Assert.Contains("Latency spike 2026-11-24T10:00:00.000Z still on", Squeeze(page.Find("[data-testid=fault-history] tbody").TextContent));
        });
    }

    [Fact]
    public void A_change_made_elsewhere_shows_on_the_page()
    {
        var page = Render(SandboxEnvironment);

        var failover = _backend.PlatformFor(SandboxEnvironment).FailoverAuroraCluster();

        page.WaitForAssertion(() => Assert.Equal("failing-over", page.Find("[data-testid=aurora-status]").TextContent));
        Assert.Equal("fintech-sandbox-aurora-1", page.Find("[data-testid=aurora-writer]").TextContent);
        _time.Advance(failover.Duration);
        page.WaitForAssertion(() => Assert.Equal("fintech-sandbox-aurora-2", page.Find("[data-testid=aurora-writer]").TextContent));
        Assert.Equal("available", page.Find("[data-testid=aurora-status]").TextContent);
    }

    [Fact]
    public void Prerendered_switches_are_disabled_because_no_circuit_would_hear_them()
    {
        _context.Renderer.SetRendererInfo(new RendererInfo("Static", isInteractive: false));

        var page = Render(SandboxEnvironment);

        var switches = page.FindAll("input[type=checkbox]");
        Assert.Equal(5, switches.Count);
        Assert.All(switches, input => Assert.True(input.HasAttribute("disabled")));
    }

    [Fact]
    public void An_Aws_environment_is_told_it_has_no_fault_knobs()
    {
        var production = SandboxEnvironment with { Key = "prod", DisplayName = "Production", Backend = PlatformBackend.Aws };

        var page = Render(production);

        Assert.Contains("Production runs on the Aws backend", page.Find("[data-testid=not-sandbox]").TextContent);
        Assert.Empty(page.FindAll("input[type=checkbox]"));
    }

    /// <summary>Collapses the whitespace of rendered markup so tests can compare sentences.</summary>
    private static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task Turning_a_switch_is_recorded_in_the_audit_trail_as_a_fault_change()
    {
        var page = Render(SandboxEnvironment);

        page.Find("[data-testid=fault-LatencySpike] input[type=checkbox]").Change(true);

        page.WaitForAssertion(() => Assert.Equal([SandboxFault.LatencySpike], _backend.PlatformFor(SandboxEnvironment).ActiveFaults));
        var change = Assert.Single((await _audit.Store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.SandboxFaultChanged), null, 10, CancellationToken.None)).Events);
        Assert.Equal(("sandbox", "sandbox-fault/LatencySpike", "true"), (change.Environment, change.Target, change.Parameters["on"]));
        Assert.Equal("sandbox:olivia", change.Actor.UserId);
    }

    [Fact]
    public async Task A_knob_turned_by_several_clicks_at_once_is_changed_and_recorded_once()
    {
        var knobs = _context.Services.GetRequiredService<SandboxFaultKnobs>();
        var olivia = SandboxPersonas.Olivia;
        var user = PortalUser.Create("Sandbox", olivia.UserId, olivia.DisplayName, [olivia.Role], _time.GetUtcNow());
        using var start = new Barrier(8);

        var clicks = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await knobs.SetFaultAsync(user, "127.0.0.1", SandboxEnvironment, SandboxFault.ErrorBurst, on: true, CancellationToken.None);
        })).ToList();
        var changed = await Task.WhenAll(clicks);

        Assert.Single(changed, c => c);
        var events = (await _audit.Store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.SandboxFaultChanged), null, 10, CancellationToken.None)).Events;
        Assert.Single(events);
        Assert.Single(_backend.PlatformFor(SandboxEnvironment).FaultHistory);
    }

    [Fact]
    public async Task A_knob_another_portal_task_already_switched_on_is_not_recorded_again_and_the_page_says_so()
    {
        var page = Render(SandboxEnvironment);
        // Another portal task on the same database, with its own simulated platform, switched it on a minute ago.
        var otherTask = new SandboxBackend(_time);
        await new SandboxFaultSwitch(_audit.Trail, new SandboxJournal(_audit.Database))
            .SetFaultAsync(otherTask.PlatformFor(SandboxEnvironment), SandboxEnvironment, SandboxFault.ErrorBurst, on: true, AuditTestKit.Bob, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));

        page.Find("[data-testid=fault-ErrorBurst] input[type=checkbox]").Change(true);

        page.WaitForAssertion(() => Assert.Equal(
            "Error burst was already on: nothing changed and nothing was recorded.", page.Find("[data-testid=fault-notice]").TextContent.Trim()));
        Assert.Single((await _audit.Store.SearchAsync(new AuditFilter(EventType: AuditEventTypes.SandboxFaultChanged), null, 10, CancellationToken.None)).Events);
        Assert.Equal([new SandboxFaultInterval(SandboxFault.ErrorBurst, SandboxTestPlatform.TuesdayMorning, null)], _backend.PlatformFor(SandboxEnvironment).FaultHistory);
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)page.Find("[data-testid=fault-ErrorBurst] input[type=checkbox]")).IsChecked);
    }

    [Fact]
    public void Someone_without_the_Operator_role_is_refused_by_the_service_and_the_knob_stays_off()
    {
        _authorization.SwitchTo(SandboxPersonas.Avery);
        var page = Render(SandboxEnvironment);

        page.Find("[data-testid=fault-LatencySpike] input[type=checkbox]").Change(true);

        page.WaitForAssertion(() => Assert.Equal(
            "Changing Sandbox fault knobs needs the Operator role; you have Approver.", page.Find("[data-testid=fault-error]").TextContent.Trim()));
        Assert.Empty(_backend.PlatformFor(SandboxEnvironment).ActiveFaults);
    }

    [Fact]
    public async Task When_the_audit_trail_cannot_be_written_the_knob_stays_put_and_the_page_says_why()
    {
        await _portal.TamperAsync("DROP TABLE audit_events");
        var page = Render(SandboxEnvironment);

        page.Find("[data-testid=fault-LatencySpike] input[type=checkbox]").Change(true);

        page.WaitForAssertion(() => Assert.Contains("was not carried out", page.Find("[data-testid=fault-error]").TextContent));
        Assert.Empty(_backend.PlatformFor(SandboxEnvironment).ActiveFaults);
    }
}
