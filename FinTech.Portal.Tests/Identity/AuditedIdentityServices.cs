using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Tests.Identity;

/// <summary>
/// For component tests: the audit trail on a SQLite file of the test's own and the identity
/// services that record through it, wired as the portal wires them.
/// </summary>
public sealed class AuditedIdentityServices : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("portal-bunit-").FullName;

    public AuditedIdentityServices(IServiceCollection services)
    {
        Database = new PortalDatabase(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_folder, "portal.db")}");
        services.AddSingleton(Database);
        services.AddSingleton(Options.Create(new HostingOptions { InstanceId = "bunit" }));
        services.AddSingleton<PortalInstance>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IdentityAudit>();
        services.AddSingleton<PortalAuthorization>();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddHttpContextAccessor();
        services.AddScoped<AuditCaller>();
    }

    public PortalDatabase Database { get; }

    /// <summary>Brings the schema up to date; call before the first render.</summary>
    public async Task MigrateAsync() =>
        await new MigrationRunner(Database, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);

    public async Task<IReadOnlyList<AuditEvent>> EventsAsync(string eventType) =>
        (await new AuditStore(Database).SearchAsync(new AuditFilter(EventType: eventType), before: null, pageSize: 100, CancellationToken.None)).Events;

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Pooled SQLite connections may hold the file a moment longer; the OS cleans temp folders.
        }
    }
}

/// <summary>Signs a bUnit context in as one of the Sandbox personas, claims shaped as the portal shapes them.</summary>
public static class BunitPersonas
{
    public static BunitAuthorizationContext SignInAs(this BunitContext context, SandboxPersona persona) =>
        context.AddAuthorization().SwitchTo(persona);

    /// <summary>Another persona for a context already signed in (services are fixed once a component rendered).</summary>
    public static BunitAuthorizationContext SwitchTo(this BunitAuthorizationContext authorization, SandboxPersona persona)
    {
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetRoles(persona.Role);
        authorization.SetClaims(new Claim(ClaimTypes.NameIdentifier, persona.UserId), new Claim(PortalUser.NameClaim, persona.DisplayName));
        authorization.SetPolicies([.. PortalAccessRules.Policies.Where(policy => PortalAccessRules.RolesFor(policy).Contains(persona.Role))]);
        return authorization;
    }
}
