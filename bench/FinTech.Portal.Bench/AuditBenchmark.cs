using System.Diagnostics;
using System.Globalization;
using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using FinTech.Portal.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace FinTech.Portal.Bench;

/// <summary>
/// The audit trail on PostgreSQL, against a throwaway server with default (durable) settings:
/// <list type="bullet">
/// <item><c>append_ratio</c>: chained appends per second (AuditTrail.RecordAsync, own transaction)
/// divided by plain INSERTs per second of the same rows into an unchained copy of the table
/// (same columns and indexes, no lock, no head read, no hashing), alternating blocks;</item>
/// <item><c>query_p99_ms</c>: p99 of filtered first pages and deep keyset pages over 1,000,000 events;</item>
/// <item><c>verify_ratio</c>: verification bytes/s divided by <c>sha256sum</c> bytes/s over the same bytes.</item>
/// </list>
/// </summary>
public static class AuditBenchmark
{
    private const int LoadedEvents = 1_000_000;
    private const int AppendBlocks = 4;
    private const int AppendsPerBlock = 500;
    private const int PageSize = 50;

    private static readonly string[] EventTypes =
    [
        "dashboard.viewed", "dashboard.viewed", "dashboard.viewed", "dashboard.viewed", "audit.searched", "sandbox.fault-changed",
        "identity.signed-in", "identity.signed-out", "identity.access-denied", "operations.requested", "operations.approved",
    ];

    private static readonly string[] Environments = ["sandbox", "dev", "staging", "prod"];

    public static async Task<int> RunAsync(string[] args)
    {
        var total = Stopwatch.StartNew();
        Log("starting a throwaway PostgreSQL server (default durability settings)");
        await using var server = await PostgresServer.StartAsync(new Dictionary<string, string>
        {
            ["shared_buffers"] = "512MB",
            ["maintenance_work_mem"] = "512MB",
            ["max_wal_size"] = "4GB",
        });

        var appendRatio = await MeasureAppendsAsync(server);
        var (queryP99, verifyRatio) = await MeasureQueriesAndVerificationAsync(server);

        Log($"total {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine(FormattableString.Invariant($"append_ratio={appendRatio:F2}"));
        Console.WriteLine(FormattableString.Invariant($"query_p99_ms={queryP99:F1}"));
        Console.WriteLine(FormattableString.Invariant($"verify_ratio={verifyRatio:F2}"));
        return 0;
    }

    private static async Task<double> MeasureAppendsAsync(PostgresServer server)
    {
        var database = new PortalDatabase(DatabaseProvider.PostgreSql, await server.CreateDatabaseAsync("append_bench"));
        await using var _ = database;
        var time = TimeProvider.System;
        await new MigrationRunner(database, time, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);
        await ExecuteAsync(database, "CREATE TABLE plain_events (LIKE audit_events INCLUDING ALL)");
        var instance = new PortalInstance(Options.Create(new HostingOptions { InstanceId = "bench-1" }));
        var trail = new AuditTrail(new AuditStore(database), instance, time, NullLogger<AuditTrail>.Instance);

        var entries = Enumerable.Range(0, AppendBlocks * AppendsPerBlock + 100).Select(i => Entry(new Random(i), i)).ToList();
        // The plain rows are the same events, chained beforehand, so both sides insert identical bytes.
        var previous = AuditCanonical.GenesisHash;
        var plainRows = entries.Select((entry, i) =>
        {
            var content = AuditCanonical.Content(entry, time.GetUtcNow(), instance.Id);
            var hash = AuditCanonical.Hash(previous, i + 1, content);
            var row = (Sequence: (long)i + 1, Previous: previous, Hash: hash, Content: content);
            previous = hash;
            return row;
        }).ToList();

        async Task PlainInsertAsync(int i)
        {
            await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO plain_events (sequence, previous_hash, hash, content) VALUES (@sequence, @previous_hash, @hash, @content)";
            var row = plainRows[i];
            insert.AddParameter("@sequence", row.Sequence);
            insert.AddParameter("@previous_hash", row.Previous);
            insert.AddParameter("@hash", row.Hash);
            insert.AddParameter("@content", row.Content);
            await insert.ExecuteNonQueryAsync();
        }

        // Warm-up: pools, prepared statements, caches.
        for (var i = 0; i < 50; i++)
        {
            await PlainInsertAsync(i);
            await trail.RecordAsync(entries[i], CancellationToken.None);
        }
        var plainTime = TimeSpan.Zero;
        var chainTime = TimeSpan.Zero;
        var next = 50;
        for (var block = 0; block < AppendBlocks; block++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < AppendsPerBlock; i++)
            {
                await PlainInsertAsync(next + i);
            }
            plainTime += watch.Elapsed;
            watch.Restart();
            for (var i = 0; i < AppendsPerBlock; i++)
            {
                await trail.RecordAsync(entries[next + i], CancellationToken.None);
            }
            chainTime += watch.Elapsed;
            next += AppendsPerBlock;
        }
        var count = AppendBlocks * AppendsPerBlock;
        var plainRate = count / plainTime.TotalSeconds;
        var chainRate = count / chainTime.TotalSeconds;
        Log($"appends: plain INSERT {plainRate:F0}/s, chained append {chainRate:F0}/s ({count} each, one transaction each)");
        return chainRate / plainRate;
    }

    private static async Task<(double P99, double VerifyRatio)> MeasureQueriesAndVerificationAsync(PostgresServer server)
    {
        var connectionString = await server.CreateDatabaseAsync("query_bench");
        var database = new PortalDatabase(DatabaseProvider.PostgreSql, connectionString);
        await using var _ = database;
        await new MigrationRunner(database, TimeProvider.System, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None);

        var watch = Stopwatch.StartNew();
        // Bulk load as a DBA would: secondary indexes dropped for the COPY and rebuilt after,
        // from the definitions the migration created.
        var indexes = await QueryStringsAsync(database,
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'audit_events' AND indexname <> 'audit_events_pkey'");
        await ExecuteAsync(database, string.Join(";", indexes.Select(d => "DROP INDEX " + d.Split(' ')[2])));
        var start = DateTimeOffset.UtcNow.AddDays(-450);
        var spacing = TimeSpan.FromDays(450) / LoadedEvents;
        var hashInputFile = Path.Combine(Path.GetTempPath(), $"fintech-audit-bench-{Guid.NewGuid():N}.bin");
        long hashedBytes = 0;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var hashInput = new FileStream(hashInputFile, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY audit_events (sequence, previous_hash, hash, content) FROM STDIN (FORMAT BINARY)");
            var previous = AuditCanonical.GenesisHash;
            var random = new Random(42);
            var buffer = new byte[64 * 1024];
            for (var i = 1; i <= LoadedEvents; i++)
            {
                var content = AuditCanonical.Content(Entry(random, i), start + spacing * i, $"portal-{i % 3}");
                var hash = AuditCanonical.Hash(previous, i, content);
                var length = AuditCanonical.WriteHashInput(previous, i, content, buffer);
                hashInput.Write(buffer, 0, length);
                hashedBytes += length;
                await copy.StartRowAsync();
                await copy.WriteAsync((long)i, NpgsqlDbType.Bigint);
                await copy.WriteAsync(previous, NpgsqlDbType.Text);
                await copy.WriteAsync(hash, NpgsqlDbType.Text);
                await copy.WriteAsync(content, NpgsqlDbType.Text);
                previous = hash;
            }
            await copy.CompleteAsync();
        }
        Log($"copied {LoadedEvents:N0} rows in {watch.Elapsed.TotalSeconds:F1} s; rebuilding {indexes.Count} indexes");
        await ExecuteAsync(database, string.Join(";", indexes));
        await ExecuteAsync(database, "VACUUM ANALYZE audit_events");
        await ExecuteAsync(database, "CHECKPOINT");
        Log($"loaded {LoadedEvents:N0} chained events ({hashedBytes / 1e6:F0} MB hashed content) in {watch.Elapsed.TotalSeconds:F1} s");

        var store = new AuditStore(database);
        var p99 = await MeasureQueriesAsync(store, start);

        var anchorFile = Path.Combine(Path.GetTempPath(), $"fintech-audit-bench-anchors-{Guid.NewGuid():N}.jsonl");
        var verifier = new AuditVerifier(store, new FileAuditAnchorSink(anchorFile));
        var verifySeconds = double.MaxValue;
        // Best of three for both sides: the machine is shared, and a slow run says more about the neighbours than about the code.
        for (var run = 0; run < 3; run++)
        {
            watch.Restart();
            var result = await verifier.VerifyAsync(null, null, CancellationToken.None);
            verifySeconds = Math.Min(verifySeconds, watch.Elapsed.TotalSeconds);
            if (!result.Intact || result.BytesHashed != hashedBytes)
            {
                throw new InvalidOperationException($"Verification of the loaded chain failed: {result.Message} ({result.BytesHashed} of {hashedBytes} bytes)");
            }
        }
        var shaSeconds = double.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            shaSeconds = Math.Min(shaSeconds, await Sha256SumSecondsAsync(hashInputFile));
        }
        File.Delete(hashInputFile);
        Log($"verify: {hashedBytes / verifySeconds / 1e6:F0} MB/s ({verifySeconds:F2} s); sha256sum: {hashedBytes / shaSeconds / 1e6:F0} MB/s ({shaSeconds:F2} s)");
        return (p99, shaSeconds / verifySeconds);
    }

    private static async Task<double> MeasureQueriesAsync(AuditStore store, DateTimeOffset start)
    {
        var queries = new (string Name, AuditFilter Filter, long? Before)[]
        {
            ("newest page", AuditFilter.None, null),
            ("event type", new AuditFilter(EventType: "identity.access-denied"), null),
            ("actor", new AuditFilter(Actor: "user-042"), null),
            ("environment + outcome", new AuditFilter(Environment: "prod", Outcome: AuditOutcome.Denied), null),
            ("last 30 days + event type", new AuditFilter(From: DateTimeOffset.UtcNow.AddDays(-30), EventType: "sandbox.fault-changed"), null),
            ("old month + actor", new AuditFilter(From: start.AddDays(100), To: start.AddDays(130), Actor: "user-007"), null),
            ("target + environment", new AuditFilter(Environment: "prod", Target: "payments-api-17"), null),
            ("deep page", AuditFilter.None, 50_000),
            ("deep page, event type", new AuditFilter(EventType: "dashboard.viewed"), 100_000),
            ("deep page, actor", new AuditFilter(Actor: "user-007"), 200_000),
            ("deep page, outcome", new AuditFilter(Outcome: AuditOutcome.Failed), 30_000),
        };
        foreach (var (_, filter, before) in queries)
        {
            await store.SearchAsync(filter, before, PageSize, CancellationToken.None);
        }
        var samples = new List<double>();
        var perQuery = new Dictionary<string, List<double>>();
        for (var round = 0; round < 50; round++)
        {
            foreach (var (name, filter, before) in queries)
            {
                var watch = Stopwatch.StartNew();
                var page = await store.SearchAsync(filter, before, PageSize, CancellationToken.None);
                var ms = watch.Elapsed.TotalMilliseconds;
                if (page.Events.Count == 0)
                {
                    throw new InvalidOperationException($"Query '{name}' found nothing; the benchmark data does not exercise it.");
                }
                samples.Add(ms);
                (perQuery.TryGetValue(name, out var list) ? list : perQuery[name] = []).Add(ms);
            }
        }
        foreach (var (name, list) in perQuery)
        {
            Log($"query {name}: median {Percentile(list, 50):F1} ms, max {list.Max():F1} ms");
        }
        return Percentile(samples, 99);
    }

    private static double Percentile(List<double> samples, double percentile)
    {
        var sorted = samples.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    private static async Task<double> Sha256SumSecondsAsync(string file)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("sha256sum", [file]) { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not start sha256sum.");
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>A plausible portal event: dashboards dominate, with sign-ins, searches, fault changes and denials.</summary>
    private static AuditEntry Entry(Random random, int i)
    {
        var user = random.Next(200);
        var eventType = EventTypes[random.Next(EventTypes.Length)];
        var outcome = eventType == "identity.access-denied" ? AuditOutcome.Denied
            : random.Next(100) < 3 ? AuditOutcome.Failed
            : random.Next(100) < 2 ? AuditOutcome.Denied
            : AuditOutcome.Succeeded;
        var actor = new AuditActor($"user-{user:D3}", $"Portal User {user:D3}", user % 10 == 0 ? ["Auditor"] : ["Operator"], $"10.0.{user % 250}.{random.Next(1, 250)}");
        var parameters = new Dictionary<string, string?>
        {
            ["dashboard"] = eventType == "dashboard.viewed" ? "overview" : null,
            ["range"] = "PT1H",
            ["request"] = i.ToString(CultureInfo.InvariantCulture),
        };
        return new AuditEntry(eventType, actor, outcome, Environments[random.Next(Environments.Length)], $"payments-api-{random.Next(100)}", parameters,
            outcome == AuditOutcome.Succeeded ? null : "Needs the Operator role in production.");
    }

    private static async Task ExecuteAsync(PortalDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> QueryStringsAsync(PortalDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    private static void Log(string line) => Console.WriteLine($"[audit] {line}");
}
