using FinTech.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;

namespace FinTech.Portal.Tests;

/// <summary>
/// Starts the portal the way Program does (AddPortal, Build, MapPortal, start) on a test server,
/// for the tests of a start the portal must refuse: the refusal comes back as the start threw it.
/// WebApplicationFactory cannot be trusted here: when the application's own start fails, its
/// Main disposes the host, and the factory's deferred host then reads that host's services to wait
/// for the start (Microsoft.AspNetCore.Mvc.Testing, DeferredHostBuilder.DeferredHost.StartAsync),
/// so on a loaded machine the test sees "Cannot access a disposed object" instead of the refusal.
/// </summary>
public static class PortalStartup
{
    /// <summary>
    /// The refusal's messages (inner exceptions included), or a failed assertion when the portal starts.
    /// <paramref name="late"/> arrives after the services were set up, as a late configuration source does.
    /// </summary>
    public static async Task<string> RefusalAsync(
        IReadOnlyDictionary<string, string?>? settings = null, string environment = "Staging", IReadOnlyDictionary<string, string?>? late = null)
    {
        using var files = new PortalTestFiles();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(files.Settings(settings));
        builder.WebHost.UseTestServer();
        try
        {
            builder.AddPortal();
            if (late is not null)
            {
                builder.Configuration.AddInMemoryCollection(late);
            }
            await using var app = builder.Build();
            app.MapPortal();
            await app.StartAsync();
            await app.StopAsync();
        }
        catch (Exception refusal)
        {
            return Identity.StartupRefusalTests.Flatten(refusal);
        }
        Assert.Fail("The portal started.");
        return "";
    }
}
