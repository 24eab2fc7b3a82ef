using Bunit;
using Bunit.TestDoubles;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests;

/// <summary>
/// bUnit with what every portal page needs, registered once: MudBlazor, the real audit trail and
/// authorization over a throwaway SQLite database, simulated time, an interactive renderer and
/// strict JavaScript interop answering only MudBlazor's input calls. A test class adds the
/// services of its own feature (the Sandbox backend, the refresh hub, ...) and signs a user in.
/// </summary>
public sealed class PortalComponentContext : IAsyncDisposable
{
    private readonly ITestDatabase _database;

    private PortalComponentContext(ITestDatabase database, FakeTimeProvider? time, Action<IServiceCollection, FinTech.Portal.Database.PortalDatabase>? feature, Func<AuditTestKit, AuditAnchoring>? anchoring)
    {
        _database = database;
        Audit = new AuditTestKit(_database.Database, time: time);
        Bunit = PortalBunit.Create();
        Authorization = Bunit.AddAuthorization();
        var services = Bunit.Services;
        services.AddSingleton<TimeProvider>(Audit.Time);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(Audit.Store);
        services.AddSingleton(Audit.Trail);
        services.AddSingleton<IAuditAnchorSink>(Audit.Anchors);
        services.AddSingleton(Audit.Verifier);
        services.AddSingleton(anchoring?.Invoke(Audit) ?? Audit.Anchoring);
        services.AddSingleton(Audit.AnchorStatus);
        services.AddSingleton(Options.Create(new AuditOptions()));
        services.AddSingleton<AuditedViews>();
        services.AddSingleton<IdentityAudit>();
        services.AddSingleton(Audit.Database);
        services.AddSingleton(Options.Create(new PortalIdentityOptions()));
        services.AddSingleton<PortalSessions>();
        services.AddSingleton<PortalAuthorization>();
        services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        services.AddScoped(PortalCaller.FromScope);
        services.AddScoped<AuditReader>();
        // The dashboard's panels are rendered once per refresh as shared HTML, by its own renderer.
        services.TryAddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton<FinTech.Portal.Dashboards.Panels.DashboardGridMarkup>();
        feature?.Invoke(services, Audit.Database);
        Bunit.JSInterop.SetupMudInputs();
        // Setting the renderer builds the service provider: nothing can be registered after this.
        Bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>
    /// A context with its audit database migrated. <paramref name="feature"/> registers the test's
    /// own services (given the context's database); <paramref name="time"/> drives pages and the trail;
    /// <paramref name="anchoring"/> anchors through another sink than the kit's file (an AWS sink, a failing one);
    /// <paramref name="database"/> is a throwaway SQLite file unless the test brings another (PostgreSQL, whose
    /// waits are truly asynchronous), which the context then disposes.
    /// </summary>
    public static async Task<PortalComponentContext> CreateAsync(
        Action<IServiceCollection, FinTech.Portal.Database.PortalDatabase>? feature = null,
        FakeTimeProvider? time = null,
        Func<AuditTestKit, AuditAnchoring>? anchoring = null,
        ITestDatabase? database = null)
    {
        var context = new PortalComponentContext(database ?? new SqliteTestDatabase(), time, feature, anchoring);
        await context.Audit.Migrations.ApplyAsync(CancellationToken.None);
        return context;
    }

    public BunitContext Bunit { get; }

    public AuditTestKit Audit { get; }

    public FakeTimeProvider Time => Audit.Time;

    public BunitAuthorizationContext Authorization { get; }

    public ITestDatabase Database => _database;

    public Task TamperAsync(string sql) => _database.TamperAsync(sql);

    public async Task<List<AuditEvent>> EventsAsync(string eventType) =>
        [.. (await Audit.Store.SearchAsync(new AuditFilter(EventType: eventType), null, 100, CancellationToken.None)).Events];

    // MudBlazor's services are only asynchronously disposable.
    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        Audit.Dispose();
        await _database.DisposeAsync();
    }
}
