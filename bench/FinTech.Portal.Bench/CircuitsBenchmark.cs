using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace FinTech.Portal.Bench;

/// <summary>
/// What an open Overview costs the server. The Release portal runs as its own process (Development,
/// Sandbox sign-in, its diagnostics endpoint on); a real Chromium signs in as an Operator and holds
/// N Overview circuits open. It reports the managed heap per circuit after a full collection (N
/// circuits against 1), the server CPU per circuit per refresh while they all watch, and the time
/// from navigation to the first drawn chart.
/// </summary>
internal static class CircuitsBenchmark
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string FirstChart = "[data-testid=panel-latency][data-state=Current] polyline";

    public static async Task<int> RunAsync(string[] args)
    {
        var circuits = (int)ReadOption(args, "--circuits", 41);
        var refreshSeconds = ReadOption(args, "--interval", 2);
        var refreshesToWatch = (int)ReadOption(args, "--refreshes", 10);
        if (circuits < 2)
        {
            Console.Error.WriteLine("--circuits must be at least 2 (the heap is N circuits against 1).");
            return 2;
        }
        if (!File.Exists(ChromiumPath))
        {
            Console.Error.WriteLine($"circuits needs Debian's Chromium at {ChromiumPath} (./test.sh installs it).");
            return 2;
        }

        using var portal = await PortalProcess.StartAsync(refreshSeconds);
        Console.WriteLine($"circuits: {circuits} Overview circuits in Chromium, portal pid {portal.Pid} at {portal.Address}, refresh every {refreshSeconds:0.#} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Background pages must keep taking render batches as a person's tabs would.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.Address.ToString() });
        context.SetDefaultTimeout(60_000);

        var first = await context.NewPageAsync();
        await first.GotoAsync("/account/sign-in");
        await first.GetByTestId("persona-olivia").ClickAsync();
        await first.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await first.Locator(FirstChart).First.WaitForAsync();
        // Let the first circuit settle (JIT, first refreshes) before the baseline.
        await Task.Delay(TimeSpan.FromSeconds(refreshSeconds * 2));
        var baseline = await portal.ReadAsync(collect: true);
        var dumpFolder = Array.IndexOf(args, "--gcdump") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        await DumpHeapAsync(portal, dumpFolder, "baseline.gcdump");

        var firstChartMs = new List<double>();
        var pages = new List<IPage> { first };
        for (var i = 1; i < circuits; i++)
        {
            var page = await context.NewPageAsync();
            var clock = Stopwatch.StartNew();
            await page.GotoAsync("/dashboards/overview");
            await page.Locator(FirstChart).First.WaitForAsync();
            firstChartMs.Add(clock.Elapsed.TotalMilliseconds);
            pages.Add(page);
        }
        await Task.Delay(TimeSpan.FromSeconds(refreshSeconds * 2));
        var held = await portal.ReadAsync(collect: true);
        await DumpHeapAsync(portal, dumpFolder, "held.gcdump");

        var before = await portal.ReadAsync(collect: false);
        while ((await portal.ReadAsync(collect: false)).DashboardRefreshes < before.DashboardRefreshes + refreshesToWatch)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
        var after = await portal.ReadAsync(collect: false);
        // Every page still shows a chart: the circuits were alive throughout.
        foreach (var page in pages)
        {
            await page.Locator(FirstChart).First.WaitForAsync();
        }

        var heapPerCircuitKb = (held.HeapBytes!.Value - baseline.HeapBytes!.Value) / 1024.0 / (circuits - 1);
        var refreshes = after.DashboardRefreshes - before.DashboardRefreshes;
        var cpuPerCircuitRefresh = (after.CpuMilliseconds - before.CpuMilliseconds) / (circuits * (double)refreshes);
        firstChartMs.Sort();
        var p50 = firstChartMs[firstChartMs.Count / 2];

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"heap_baseline_mb={baseline.HeapBytes / 1048576.0:0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"heap_with_circuits_mb={held.HeapBytes / 1048576.0:0.0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"refreshes_watched={refreshes}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"heap_per_circuit_kb={heapPerCircuitKb:0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cpu_ms_per_circuit_refresh={cpuPerCircuitRefresh:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_chart_ms_p50={p50:0}"));
        return 0;
    }

    /// <summary>
    /// Where the memory goes, by type: dotnet-gcdump (a .NET SDK diagnostics tool) on the PATH. The
    /// baseline and held dumps side by side (<c>dotnet-gcdump report</c> on each) show what one
    /// circuit retains.
    /// </summary>
    private static async Task DumpHeapAsync(PortalProcess portal, string? folder, string name)
    {
        if (folder is null)
        {
            return;
        }
        Directory.CreateDirectory(folder);
        using var dump = Process.Start("dotnet-gcdump", ["collect", "-p", portal.Pid.ToString(CultureInfo.InvariantCulture), "-o", Path.Combine(folder, name)]);
        await dump.WaitForExitAsync();
    }

    private static double ReadOption(string[] args, string name, double fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record ProcessReading(long? HeapBytes, double CpuMilliseconds, long DashboardRefreshes);

    /// <summary>The Release portal as its own process, with its files in a temporary folder; stopped on dispose.</summary>
    private sealed class PortalProcess : IDisposable
    {
        private readonly Process _process;
        private readonly string _folder;
        private readonly HttpClient _client;

        private PortalProcess(Process process, string folder, Uri address)
        {
            _process = process;
            _folder = folder;
            Address = address;
            _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
        }

        public Uri Address { get; }

        public int Pid => _process.Id;

        public static async Task<PortalProcess> StartAsync(double refreshSeconds)
        {
            var root = RepositoryRoot();
            var portalDll = Path.Combine(AppContext.BaseDirectory, "FinTech.Portal.dll");
            var folder = Directory.CreateTempSubdirectory("portal-circuits-").FullName;
            var address = new Uri($"http://127.0.0.1:{FreePort()}/");
            var start = new ProcessStartInfo("dotnet", [portalDll])
            {
                WorkingDirectory = Path.Combine(root, "FinTech.Portal"),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment =
                {
                    ["ASPNETCORE_ENVIRONMENT"] = "Development",
                    ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/'),
                    ["Database__ConnectionString"] = $"Data Source={Path.Combine(folder, "portal.db")}",
                    ["Audit__AnchorFile"] = Path.Combine(folder, "audit-anchors.jsonl"),
                    ["Hosting__DiagnosticsEndpoint"] = "true",
                    ["Dashboards__RefreshInterval"] = TimeSpan.FromSeconds(refreshSeconds).ToString("c", CultureInfo.InvariantCulture),
                    ["Logging__LogLevel__Default"] = "Warning",
                },
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("The portal did not start.");
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { errors.Enqueue(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var portal = new PortalProcess(process, folder, address);
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The portal exited with {process.ExitCode}: {string.Join('\n', errors)}");
                }
                try
                {
                    if ((await portal._client.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                    {
                        return portal;
                    }
                }
                catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                }
                await Task.Delay(200);
            }
        }

        public async Task<ProcessReading> ReadAsync(bool collect) =>
            (await _client.GetFromJsonAsync<ProcessReading>(new Uri($"_diagnostics/process?collect={(collect ? "true" : "false")}", UriKind.Relative)))!;

        public void Dispose()
        {
            _client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        private static string RepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "FinTech.Portal.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException("Run the benchmark from the repository (FinTech.Portal.sln not found above the build output).");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
