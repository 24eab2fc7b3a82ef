using AngleSharp.Html.Dom;
using Bunit;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Database;
using FinTech.Portal.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>
/// A double click on a fault knob, on the page. On PostgreSQL, whose waits are truly asynchronous
/// (SQLite's are not, so a circuit could not take a second click mid-change): the Sandbox journal's
/// write lock is held by "another portal task" so that the first click is provably still on its way
/// when the second one arrives.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SandboxKnobDoubleClickTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly PortalEnvironment SandboxEnvironment =
        new("sandbox", "Sandbox", PlatformBackend.Sandbox, IsProduction: false, PlatformResources.Sandbox(), 11, Aws: null);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(SandboxTestPlatform.TuesdayMorning);
    private SandboxBackend _backend = null!;
    private PortalComponentContext _portal = null!;

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
        }, _time, database: await postgres.CreateDatabaseAsync());
        _portal.Authorization.SwitchTo(SandboxPersonas.Olivia);
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_second_click_while_the_first_is_on_its_way_changes_and_records_nothing_and_the_switch_ends_on()
    {
        var page = _portal.Bunit.Render<SandboxPage>(parameters => parameters.AddCascadingValue(SandboxEnvironment));
        var knob = page.Find("[data-testid=fault-ErrorBurst] input[type=checkbox]");
        await using var otherTask = await _portal.Database.Database.OpenConnectionAsync(CancellationToken.None);
        await ExecuteAsync(otherTask, $"SELECT pg_advisory_lock({SandboxJournal.LockKey})");

        // First click: on its way, waiting for the journal's lock; every switch waits with it.
        knob.Change(true);
        page.WaitForAssertion(() => Assert.All(page.FindAll("input[type=checkbox]"), input => Assert.True(input.HasAttribute("disabled"))), Patience);
        // Second click of the double click, sent with the switch as the browser still showed it
        // (the disabled render may not have reached it yet): it toggles the box back off.
        knob.Change(false);

        await ExecuteAsync(otherTask, $"SELECT pg_advisory_unlock({SandboxJournal.LockKey})");
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=fault-ErrorBurst] input[type=checkbox]").HasAttribute("disabled")), Patience);

        Assert.Equal([SandboxFault.ErrorBurst], _backend.PlatformFor(SandboxEnvironment).ActiveFaults);
        var change = Assert.Single(await _portal.EventsAsync(AuditEventTypes.SandboxFaultChanged));
        Assert.Equal(("sandbox-fault/ErrorBurst", "true"), (change.Target, change.Parameters["on"]));
        Assert.Equal(await _portal.Bunit.Services.GetRequiredService<PortalCaller>().ActorAsync(), change.Actor);
        Assert.True(((IHtmlInputElement)page.Find("[data-testid=fault-ErrorBurst] input[type=checkbox]")).IsChecked);
        Assert.Empty(page.FindAll("[data-testid=fault-error]"));
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
