using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Tests.Database;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Audit;

/// <summary>
/// bUnit with the real audit services over a throwaway SQLite database (the store is the real
/// thing, and fast), a signed-in user, and the interactive renderer the pages wait for.
/// </summary>
public sealed class AuditPagesContext : IAsyncDisposable
{
    private readonly SqliteTestDatabase _database = new();

    private AuditPagesContext(Func<AuditTestKit, AuditAnchoring>? anchoring)
    {
        Kit = new AuditTestKit(_database.Database);
        Bunit = PortalBunit.Create();
        Authorization = Bunit.AddAuthorization();
        Bunit.Services.AddSingleton(Kit.Store);
        Bunit.Services.AddSingleton(Kit.Trail);
        Bunit.Services.AddSingleton<IAuditAnchorSink>(Kit.Anchors);
        Bunit.Services.AddSingleton(Kit.Verifier);
        Bunit.Services.AddSingleton(anchoring?.Invoke(Kit) ?? Kit.Anchoring);
        Bunit.Services.AddSingleton(Kit.AnchorStatus);
        Bunit.Services.AddSingleton<TimeProvider>(Kit.Time);
        Bunit.Services.AddSingleton(Options.Create(new AuditOptions()));
        Bunit.Services.AddSingleton<IHttpContextAccessor, HttpContextAccessor>();
        Bunit.Services.AddScoped<AuditCaller>();
        Bunit.Services.AddScoped<AuditReader>();
        Bunit.JSInterop.SetupMudInputs();
        Bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public BunitContext Bunit { get; }

    public AuditTestKit Kit { get; }

    public BunitAuthorizationContext Authorization { get; }

    /// <param name="anchoring">Anchors through another sink than the kit's file (an AWS sink, a failing one).</param>
    public static async Task<AuditPagesContext> CreateAsync(Func<AuditTestKit, AuditAnchoring>? anchoring = null)
    {
        var context = new AuditPagesContext(anchoring);
        await context.Kit.Migrations.ApplyAsync(CancellationToken.None);
        return context;
    }

    public void SignInAsAuditor()
    {
        Authorization.SetAuthorized("Alice Auditor");
        Authorization.SetRoles(PortalRoles.Auditor);
        Authorization.SetPolicies(PortalPolicies.ReadAudit);
        // Last: bUnit rebuilds the principal on each Set call and keeps only the latest claims.
        Authorization.SetClaims(new Claim("oid", "user-alice"), new Claim("name", "Alice Auditor"));
    }

    public void SignInAsOperator()
    {
        Authorization.SetAuthorized("Bob Operator");
        Authorization.SetRoles(PortalRoles.Operator);
        Authorization.SetPolicies();
        Authorization.SetClaims(new Claim("oid", "user-bob"), new Claim("name", "Bob Operator"));
    }

    public Task TamperAsync(string sql) => _database.TamperAsync(sql);

    public async Task<List<AuditEvent>> EventsAsync(string eventType) =>
        [.. (await Kit.Store.SearchAsync(new AuditFilter(EventType: eventType), null, 100, CancellationToken.None)).Events];

    public async ValueTask DisposeAsync()
    {
        await Bunit.DisposeAsync();
        Kit.Dispose();
        await _database.DisposeAsync();
    }
}
