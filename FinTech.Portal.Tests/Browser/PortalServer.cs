using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FinTech.Portal.Tests.Browser;

/// <summary>
/// The real portal on real Kestrel at a free port on 127.0.0.1, with its files (SQLite
/// database, audit anchors) in a temporary folder of its own. Settings override the embedded
/// defaults the way environment variables would.
/// </summary>
public class PortalServer : WebApplicationFactory<Program>
{
    private readonly PortalTestFiles _files = new();
    private readonly Dictionary<string, string?> _settings;

    public PortalServer(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = _files.Settings(new Dictionary<string, string?> { ["Dashboards:RefreshInterval"] = "00:00:02" });
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>
    /// Settings for a Sandbox clock <paramref name="scale"/> times faster than real time from now
    /// (<c>Clock:Scale</c>), so that what takes the simulated platform minutes takes a test seconds;
    /// sessions, which run on the same clock, last long enough not to end under the test.
    /// </summary>
    public static Dictionary<string, string?> FastClock(int scale) => new()
    {
        ["Clock:Scale"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Clock:Origin"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["Identity:IdleTimeout"] = "1.00:00:00",
        ["Identity:MaxSessionAge"] = "7.00:00:00",
    };

    /// <summary>Where this instance keeps its files; deleted on dispose.</summary>
    public string DataDirectory => _files.Directory;

    /// <summary>Starts the server (once) and returns its address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri RootUri
    {
        get
        {
            StartServer();
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new Uri(address.EndsWith('/') ? address : address + "/");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        // A browser's circuit keeps its WebSocket open; don't wait the default 30 s for it on dispose.
        builder.ConfigureServices(services => services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(1)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _files.Dispose();
    }
}
