using System.Diagnostics;
using System.Globalization;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Bench;

/// <summary>
/// ARCHITECTURE decision 2 measured: upstream queries per minute while 500 viewers watch the
/// Overview, divided by the same with one viewer. Real time, real Sandbox, real hub; only the
/// upstream is wrapped to count calls. Viewers behave like Blazor circuits: each hands the
/// snapshot to its own work item, as <c>InvokeAsync</c> does.
/// </summary>
internal static class FanoutBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = ReadOption(args, "--seconds", 62.5);
        var interval = TimeSpan.FromSeconds(ReadOption(args, "--interval", 5));
        Console.WriteLine($"fanout: Overview dashboard, Sandbox platform, refresh every {interval.TotalSeconds:0.#} s, {seconds:0.#} s per scenario");

        var single = await MeasureAsync(viewers: 1, seconds, interval);
        var many = await MeasureAsync(viewers: 500, seconds, interval);

        var ratio = many.UpstreamPerMinute / single.UpstreamPerMinute;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upstream_per_minute_1={single.UpstreamPerMinute:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upstream_per_minute_500={many.UpstreamPerMinute:0.00}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"upstream_ratio={ratio:0.000}"));
        return 0;
    }

    private sealed record Result(int Viewers, double UpstreamPerMinute);

    private static async Task<Result> MeasureAsync(int viewers, double seconds, TimeSpan interval)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddPlatform();
        builder.AddSandbox();
        using var services = builder.Services.BuildServiceProvider();

        var ports = services.GetRequiredService<IEnumerable<PlatformPortRegistration>>().ToList();
        var counter = new CountingMetricSource(ports.Single(p => p.Port == typeof(ICloudWatch)));
        var catalog = services.GetRequiredService<EnvironmentCatalog>();
        await using var hub = new DashboardRefreshHub(
            new PlatformRegistry(catalog, [.. ports.Where(p => p.Port != typeof(ICloudWatch)), counter.Registration]),
            catalog,
            TimeProvider.System,
            Options.Create(new DashboardOptions { RefreshInterval = interval }),
            new FinTech.Portal.Hosting.PortalMetrics(new System.Diagnostics.Metrics.Meter(FinTech.Portal.Hosting.PortalMetrics.MeterName)),
            NullLogger<DashboardRefreshHub>.Instance);

        var key = new DashboardKey(catalog.Default.Key, "overview", "1h");
        var delivered = new long[viewers];
        var lags = new List<double>();
        var lagGate = new Lock();
        var clock = Stopwatch.StartNew();

        var subscriptions = new List<IDisposable>();
        await Parallel.ForEachAsync(Enumerable.Range(0, viewers), async (i, _) =>
        {
            await Task.Yield();
            var subscription = hub.Subscribe(key, snapshot => ThreadPool.QueueUserWorkItem(_ =>
            {
                Interlocked.Increment(ref delivered[i]);
                var lag = (DateTimeOffset.UtcNow - snapshot.RefreshedAt).TotalMilliseconds;
                lock (lagGate)
                {
                    lags.Add(lag);
                }
            }));
            lock (subscriptions)
            {
                subscriptions.Add(subscription);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var calls = counter.MetricCalls;
        var elapsed = clock.Elapsed;
        subscriptions.ForEach(s => s.Dispose());

        var perMinute = calls / elapsed.TotalMinutes;
        double p99Lag;
        lock (lagGate)
        {
            lags.Sort();
            p99Lag = lags.Count == 0 ? double.NaN : lags[(int)Math.Min(lags.Count - 1, Math.Ceiling(lags.Count * 0.99) - 1)];
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"viewers={viewers,4}  upstream GetMetricData calls={calls,3} in {elapsed.TotalSeconds:0.0} s  per_minute={perMinute:0.00}  snapshots/viewer min={delivered.Min()} max={delivered.Max()}  delivery_lag_p99_ms={p99Lag:0.0}"));
        return new Result(viewers, perMinute);
    }

    private static double ReadOption(string[] args, string name, double fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Counts the GetMetricData calls that reach the platform.</summary>
    private sealed class CountingMetricSource(PlatformPortRegistration inner) : ICloudWatch
    {
        private int _metricCalls;
        private ICloudWatch? _cloudWatch;

        public int MetricCalls => Volatile.Read(ref _metricCalls);

        public PlatformPortRegistration Registration => PlatformPortRegistration.For<ICloudWatch>(inner.Backend, environment =>
        {
            _cloudWatch = (ICloudWatch)inner.Create(environment);
            return this;
        });

        public Task<GetMetricDataResponse> GetMetricDataAsync(GetMetricDataRequest request, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _metricCalls);
            return _cloudWatch!.GetMetricDataAsync(request, cancellationToken);
        }

        public Task<DescribeAlarmsResponse> DescribeAlarmsAsync(DescribeAlarmsRequest request, CancellationToken cancellationToken = default) =>
            _cloudWatch!.DescribeAlarmsAsync(request, cancellationToken);
    }
}
