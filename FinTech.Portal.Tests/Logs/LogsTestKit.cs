using System.Security.Claims;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs;
using FinTech.Portal.Logs.Sandbox;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;
using FinTech.Portal.Sandbox;
using FinTech.Portal.Tests.Audit;
using FinTech.Portal.Tests.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Logs;

/// <summary>
/// The Logs feature wired as the portal wires it, over a throwaway database with the real audit
/// trail: a Sandbox environment and a Sandbox environment flagged production.
/// </summary>
internal sealed class LogsTestKit : IAsyncDisposable
{
    private readonly ITestDatabase _database;

    private LogsTestKit(ITestDatabase database)
    {
        _database = database;
        Audit = new AuditTestKit(database.Database);
        Services.AddSingleton<TimeProvider>(Audit.Time);
        Services.AddSingleton(Audit.Trail);
        Services.AddSingleton(Audit.Store);
        Services.AddSingleton(Audit.Database);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddSingleton<IdentityAudit>();
        Services.AddSingleton(Options.Create(new PortalIdentityOptions()));
        Services.AddSingleton<PortalSessions>();
        Services.AddSingleton<PortalAuthorization>();
        AddLogs(Services);
        Provider = Services.BuildServiceProvider();
        Catalog = Provider.GetRequiredService<EnvironmentCatalog>();
    }

    public ServiceCollection Services { get; } = new();

    public ServiceProvider Provider { get; }

    public AuditTestKit Audit { get; }

    public EnvironmentCatalog Catalog { get; }

    public PortalEnvironment Sandbox => Catalog.Get("sandbox");

    public PortalEnvironment Production => Catalog.Get("prod");

    public LogsQueryService Queries => Provider.GetRequiredService<LogsQueryService>();

    public SavedQueries Saved => Provider.GetRequiredService<SavedQueries>();

    public SandboxPlatform Platform(PortalEnvironment environment) => Provider.GetRequiredService<SandboxBackend>().PlatformFor(environment);

    public ICloudWatchLogs Logs(PortalEnvironment environment) => Provider.GetRequiredService<PlatformRegistry>().Connect(environment).Get<ICloudWatchLogs>();

    public static async Task<LogsTestKit> CreateAsync(ITestDatabase? database = null)
    {
        var kit = new LogsTestKit(database ?? new SqliteTestDatabase());
        await kit.Audit.Migrations.ApplyAsync(CancellationToken.None);
        return kit;
    }

    /// <summary>
    /// The Logs feature as the portal registers it, with its two environments ("sandbox", and "prod"
    /// flagged production, both simulated): into the kit's container, or a page test's
    /// <see cref="PortalComponentContext"/>, which brings the audit trail, identity and time.
    /// </summary>
    public static void AddLogs(IServiceCollection services)
    {
        var options = new PlatformOptions();
        options.Environments["sandbox"] = new EnvironmentOptions { DisplayName = "Sandbox", Backend = PlatformBackend.Sandbox };
        options.Environments["prod"] = new EnvironmentOptions { DisplayName = "Production", Backend = PlatformBackend.Sandbox, IsProduction = true };
        options.ApplyDefaults();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton<EnvironmentCatalog>();
        services.AddSingleton<PlatformRegistry>();
        services.AddSingleton<SandboxBackend>();
        services.AddSandboxPort<ICloudWatchLogs>((platform, environment) => new SandboxCloudWatchLogs(platform, environment));
        services.AddSingleton<SavedQueries>();
        services.AddSingleton<LogsQueryService>();
    }

    public static ClaimsPrincipal User(SandboxPersona persona) =>
        PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], DateTimeOffset.UnixEpoch);

    public async Task<List<AuditEvent>> EventsAsync(string eventType) =>
        [.. (await Audit.Store.SearchAsync(new AuditFilter(EventType: eventType), null, 100, CancellationToken.None)).Events];

    public async Task<GetQueryResultsResponse> WaitAsync(PortalEnvironment environment, string queryId)
    {
        while (true)
        {
            var results = await Queries.ResultsAsync(environment, queryId, CancellationToken.None);
            if (results.Status is not (QueryStatus.Running or QueryStatus.Scheduled))
            {
                return results;
            }
            await Task.Yield();
        }
    }

    public Task ExecuteAsync(string sql) => _database.ExecuteAsync(sql);

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        Audit.Dispose();
        await _database.DisposeAsync();
    }
}
