using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Net;
using FinTech.Portal.Database;
using FinTech.Portal.Identity;
using FinTech.Portal.Operations;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Operations.Rotations;

/// <summary>
/// The real portal (Kestrel on loopback, SQLite in a folder of its own, Development so Sandbox
/// personas can sign in) on a fake clock, with every log line it writes captured: the test bed
/// for proving that no secret value reaches an output. Shared by the leak test and the
/// <c>operations</c> benchmark (linked there), so both search the same outputs the same way.
/// </summary>
// Any type of the portal's assembly names its entry point; Program would clash with the benchmark's own.
public sealed class SecretLeakPortal : WebApplicationFactory<FinTech.Portal.Components.App>
{
    private readonly PortalTestFiles _files = new();
    private readonly Dictionary<string, string?> _settings;

    public SecretLeakPortal(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = _files.Settings(new Dictionary<string, string?>
        {
            // Every line from Debug up reaches the capture; the console (stdout) keeps to warnings.
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Logging:Console:LogLevel:Default"] = "Warning",
        });
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>Starts at the real time (cookies and sign-in stay valid) and moves only when told.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public CapturedLogs Logs { get; } = new();

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
        builder.ConfigureServices(services => services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(1)));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<ILoggerProvider>(Logs);
        });
    }

    /// <summary>The Sandbox platform of an environment, as the portal's ports see it.</summary>
    public SandboxPlatform Platform(string environment) =>
        Services.GetRequiredService<SandboxBackend>().PlatformFor(Services.GetRequiredService<EnvironmentCatalog>().Get(environment));

    /// <summary>The operations service as <paramref name="persona"/> (what the request form and the run page call).</summary>
    public OperationsService As(SandboxPersona persona)
    {
        var user = PortalUser.Create("Sandbox", persona.UserId, persona.DisplayName, [persona.Role], Time.GetUtcNow());
        return ActivatorUtilities.CreateInstance<OperationsService>(Services, new PortalCaller(() => Task.FromResult(user), "127.0.0.1"));
    }

    /// <summary>
    /// Moves the fake clock to each moment the portal's worker waits for (the kit's <see cref="ClockPump"/>) until every
    /// run has ended, which the run feed reports the moment this task's worker records it: no real-time pauses.
    /// </summary>
    public async Task RunUntilEndedAsync(IReadOnlyCollection<string> runIds, TimeSpan limit)
    {
        var store = Services.GetRequiredService<OperationStore>();
        var feed = Services.GetRequiredService<OperationRunFeed>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task CheckAsync()
        {
            foreach (var id in runIds)
            {
                if (!(await store.GetAsync(id, CancellationToken.None))!.IsTerminal)
                {
                    return;
                }
            }
            ended.TrySetResult();
        }

        using var pump = new ClockPump(Services.GetRequiredService<OperationWorker>(), Time);
        var watches = runIds.Select(id => feed.Watch(id, change => _ = CheckAsync())).ToList();
        try
        {
            await CheckAsync();
            Services.GetRequiredService<OperationWorkerSignal>().Wake();
            // A guard against a hang, not a pause: the wait for the runs to end gives up after two real
            // minutes (faulting with a TimeoutException), so a worker that stops waiting on the clock
            // without ending its runs fails the test below instead of hanging it.
            var endedOrHung = ended.Task.WaitAsync(TimeSpan.FromMinutes(2));
            var end = Time.GetUtcNow() + limit;
            while (!ended.Task.IsCompleted && await pump.StepAsync(endedOrHung, end))
            {
            }
            await CheckAsync();
            if (!ended.Task.IsCompleted)
            {
                throw new TimeoutException($"Runs still open after {limit.TotalMinutes:0} simulated minutes.");
            }
        }
        finally
        {
            watches.ForEach(w => w.Dispose());
        }
    }

    /// <summary>An HttpClient with <paramref name="persona"/>'s session (the persona form, as a person signs in).</summary>
    public async Task<HttpClient> SignedInClientAsync(string persona)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = RootUri };
        var signInPage = await client.GetStringAsync(new Uri("/account/sign-in", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(signInPage, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var signIn = await client.PostAsync(new Uri("/account/persona-sign-in", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["persona"] = persona,
        }));
        if (signIn.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Signing in as {persona} answered {(int)signIn.StatusCode}.");
        }
        return client;
    }

    /// <summary>
    /// Everything the portal put out: the pages (as served, prerendered) of <paramref name="pages"/>, the
    /// evidence exports (JSON and HTML) of every run, the audit exports (CSV and JSON lines), every row
    /// of every table of its database, and every log line.
    /// </summary>
    public async Task<IReadOnlyList<PortalOutput>> OutputsAsync(IEnumerable<string> pages, CancellationToken cancellationToken)
    {
        var outputs = new List<PortalOutput>();
        using var operator_ = await SignedInClientAsync("olivia");
        using var auditor = await SignedInClientAsync("aubrey");
        async Task GetAsync(HttpClient client, string path)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: nothing to search.");
            }
            outputs.Add(new PortalOutput($"GET {path}", await response.Content.ReadAsStringAsync(cancellationToken)));
        }
        foreach (var page in pages)
        {
            await GetAsync(operator_, page);
        }
        var runs = await Services.GetRequiredService<OperationStore>().ListAsync(null, 1000, cancellationToken);
        foreach (var run in runs)
        {
            await GetAsync(operator_, $"/operations/{run.Id}?env={run.Environment}");
            if (await Services.GetRequiredService<OperationStore>().EvidenceAsync(run.Id, cancellationToken) is not null)
            {
                await GetAsync(auditor, $"/operations/{run.Id}/evidence.json");
                await GetAsync(auditor, $"/operations/{run.Id}/evidence.html");
            }
        }
        await GetAsync(auditor, "/audit/export.csv");
        await GetAsync(auditor, "/audit/export.jsonl");
        outputs.AddRange(await DatabaseRowsAsync(Services.GetRequiredService<PortalDatabase>(), cancellationToken));
        outputs.AddRange(Logs.Lines.Select((line, i) => new PortalOutput($"log line {i}", line)));
        return outputs;
    }

    /// <summary>Every row of every table, one output per row (columns joined).</summary>
    public static async Task<IReadOnlyList<PortalOutput>> DatabaseRowsAsync(PortalDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = database.Provider == DatabaseProvider.PostgreSql
                ? "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                : "SELECT name FROM sqlite_master WHERE type = 'table'";
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }
        var rows = new List<PortalOutput>();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            var n = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                var cells = Enumerable.Range(0, reader.FieldCount).Select(i => Cell(reader, i));
                rows.Add(new PortalOutput($"{table} row {n++}", string.Join(" | ", cells)));
            }
        }
        return rows;
    }

    /// <summary>Where each value occurs in the outputs (a value may leak in any encoding the outputs use: as is, HTML- or JSON-escaped).</summary>
    public static IReadOnlyList<(string Source, int Occurrences)> Leaks(IReadOnlyList<PortalOutput> outputs, IReadOnlyCollection<string> values)
    {
        var leaks = new List<(string, int)>();
        foreach (var output in outputs)
        {
            var count = values.Sum(value => Occurrences(output.Text, value) + (WebUtility.HtmlEncode(value) is var html && html != value ? Occurrences(output.Text, html) : 0));
            if (count > 0)
            {
                leaks.Add((output.Source, count));
            }
        }
        return leaks;
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static string Cell(DbDataReader reader, int i) => reader.IsDBNull(i) ? "" : reader.GetValue(i) switch
    {
        byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var value => value.ToString() ?? "",
    };

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _files.Dispose();
    }
}

/// <summary>One thing the portal put out: a served page or export, a database row, a log line.</summary>
public sealed record PortalOutput(string Source, string Text);

/// <summary>
/// Every log line of the portal (message, state values, scopes and exception, as the JSON console
/// writes them), at every level the configuration lets through.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly AsyncLocal<ImmutableStack<object>> _scopes = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private static string Values(object? state) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : state?.ToString() ?? "";

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            var outer = logs._scopes.Value ?? ImmutableStack<object>.Empty;
            logs._scopes.Value = outer.Push(state);
            return new Scope(() => logs._scopes.Value = outer);
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = string.Join(" ", (logs._scopes.Value ?? ImmutableStack<object>.Empty).Select(Values));
            logs._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {Values(state)} [{scopes}] {exception}");
        }
    }

    private sealed class Scope(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
