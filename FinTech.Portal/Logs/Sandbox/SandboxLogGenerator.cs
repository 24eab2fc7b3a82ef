using System.Globalization;
using System.Text;
using System.Text.Json;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform;
using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Logs.Sandbox;

/// <summary>
/// The Sandbox platform's logs, generated on demand for any range from the same model and history
/// as its metrics, never stored: the same seed and history give the same lines. Each minute's
/// counts come from the model functions the metrics use (<see cref="SandboxModel.Responses"/>,
/// <see cref="SandboxModel.ApiLatency"/>, <see cref="SandboxModel.Tasks"/>,
/// <see cref="SandboxModel.AuroraDeadlocks"/>), so the logs tell the metrics' story:
/// every target 5xx is a line, successful requests are sampled 1 in <see cref="SuccessSampleRate"/>
/// (<c>sampleRate</c> says so), a request still running after <see cref="SlowRequestMs"/> logs a warning.
/// </summary>
internal sealed class SandboxLogGenerator
{
    public const int SuccessSampleRate = 100;
    public const double SlowRequestMs = 1000;

    private static readonly string[] Routes =
        ["POST /v1/payments", "GET /v1/payments/{id}", "GET /v1/accounts/{id}/balance", "GET /v1/accounts/{id}/transactions", "POST /v1/sessions", "POST /v1/refunds", "PUT /v1/cards/{id}/limits"];

    // About a third of the calls are payments (TransactionsProcessed is 32 % of requests).
    private static readonly double[] RouteWeights = [0.32, 0.18, 0.22, 0.12, 0.06, 0.04, 0.06];

    private static readonly (int Status, double Weight)[] ClientErrors = [(400, 0.3), (401, 0.2), (404, 0.3), (409, 0.1), (422, 0.1)];

    private static readonly double[] ClientErrorWeights = ClientErrors.Select(c => c.Weight).ToArray();

    private static readonly string[] UnhandledMessages = Routes.Select(r => $"Unhandled exception while processing {r}").ToArray();

    private readonly SandboxPlatform _platform;
    private readonly int _seed;
    private readonly string[] _taskIds;
    private readonly string[] _taskStreams;

    public SandboxLogGenerator(SandboxPlatform platform, PortalEnvironment environment)
    {
        _platform = platform;
        _seed = platform.Seed;
        Groups = EnvironmentLogGroups.For(environment);
        Cluster = platform.Resources.EcsCluster;
        Service = platform.Resources.EcsService;
        _taskIds = Enumerable.Range(0, SandboxModel.DesiredTasks).Select(slot => TaskId(slot, 0)).ToArray();
        _taskStreams = _taskIds.Select(Stream).ToArray();
    }

    public EnvironmentLogGroups Groups { get; }

    private string Cluster { get; }

    private string Service { get; }

    /// <summary>
    /// The events of <paramref name="logGroups"/> with timestamps in [<paramref name="startMs"/>,
    /// <paramref name="endMs"/>), oldest first, up to now: the future has not been logged yet.
    /// </summary>
    public IEnumerable<LogEvent> Events(IReadOnlyCollection<string> logGroups, long startMs, long endMs)
    {
        var nowMs = _platform.Now.ToUnixTimeMilliseconds();
        endMs = Math.Min(endMs, nowMs + 1);
        if (endMs <= startMs)
        {
            yield break;
        }
        var firstMinute = SandboxNoise.FloorDiv(startMs, 60_000);
        var lastMinute = SandboxNoise.FloorDiv(endMs - 1, 60_000);
        // One snapshot of the history for the whole range: a knob turned meanwhile does not split it.
        var state = _platform.State;
        var timeline = new SandboxTimeline(_platform.Engine.Model, state, firstMinute, lastMinute + 1);
        var groups = (Api: logGroups.Contains(Groups.Api), Ecs: logGroups.Contains(Groups.EcsEvents), Postgres: logGroups.Contains(Groups.Postgresql));
        // Two stages: the next batch of minutes is generated on another thread while the reader
        // works through this one, so a long range uses both cores.
        Task<List<LogEvent>>? next = null;
        for (var batch = firstMinute; batch <= lastMinute; batch += BatchMinutes)
        {
            var from = batch;
            var current = next is null ? Batch(timeline, state, groups, from, startMs, endMs, lastMinute) : next.GetAwaiter().GetResult();
            var following = from + BatchMinutes;
            next = following <= lastMinute ? Task.Run(() => Batch(timeline, state, groups, following, startMs, endMs, lastMinute)) : null;
            foreach (var logEvent in current)
            {
                yield return logEvent;
            }
        }
    }

    /// <summary>Minutes generated together: big enough to keep the second thread busy, small enough to stop soon.</summary>
    private const int BatchMinutes = 10;

    private List<LogEvent> Batch(SandboxTimeline timeline, SandboxState state, (bool Api, bool Ecs, bool Postgres) groups, long fromMinute, long startMs, long endMs, long lastMinute)
    {
        var model = _platform.Engine.Model;
        var events = new List<LogEvent>();
        var minuteEvents = new List<LogEvent>();
        var order = new List<(long Timestamp, int Index)>();
        for (var minute = fromMinute; minute <= Math.Min(lastMinute, fromMinute + BatchMinutes - 1); minute++)
        {
            minuteEvents.Clear();
            var m = timeline.At(minute);
            if (groups.Api)
            {
                ApiMinute(model, m, minuteEvents);
            }
            if (groups.Ecs)
            {
                EcsMinute(model, m, minuteEvents);
            }
            if (groups.Postgres)
            {
                PostgresMinute(model, state, m, minuteEvents);
            }
            // Stable: lines written in the same millisecond keep the order they were generated in.
            order.Clear();
            for (var i = 0; i < minuteEvents.Count; i++)
            {
                order.Add((minuteEvents[i].Timestamp, i));
            }
            order.Sort();
            foreach (var (timestamp, index) in order)
            {
                if (timestamp >= startMs && timestamp < endMs)
                {
                    var logEvent = minuteEvents[index];
                    // Measured here, on the generating thread, rather than by the reader.
                    _ = logEvent.Size;
                    events.Add(logEvent);
                }
            }
        }
        return events;
    }

    // ---- API service -------------------------------------------------------------------------

    private void ApiMinute(SandboxModel model, SandboxMinute m, List<LogEvent> events)
    {
        var random = new LineRandom(_seed, "api", m.Index);
        var responses = model.Responses(m);
        var latency = model.ApiLatency(m);
        var tasks = model.Tasks(m);
        var minuteStart = m.Index * 60_000;
        var serving = Math.Max(1, tasks.Healthy);

        var notFailed = responses.Target2xx + responses.Target4xx;
        var sampled = random.Round(notFailed / SuccessSampleRate);
        var clientErrorShare = notFailed > 0 ? responses.Target4xx / notFailed : 0;
        for (var i = 0; i < sampled; i++)
        {
            var route = random.Pick(RouteWeights);
            var status = random.Uniform() < clientErrorShare ? ClientErrors[random.Pick(ClientErrorWeights)].Status : SuccessStatus(route);
            var task = random.Below(serving);
            events.Add(new ApiRequestEvent(minuteStart + random.Millisecond(), Groups.Api, _taskStreams[task], random.TraceId(m.Index),
                route, status, Duration(latency, random.Uniform()), _taskIds[task], SuccessSampleRate, null));
        }

        // Every server error is logged: as many lines as the HTTPCode_Target_5XX_Count metric of the minute.
        var causes = ErrorCauses(m);
        var causeWeights = causes.Select(c => c.Weight).ToArray();
        var failed = (int)responses.Target5xx;
        for (var i = 0; i < failed; i++)
        {
            var route = random.Pick(RouteWeights);
            var cause = causes[random.Pick(causeWeights)];
            var at = minuteStart + random.Millisecond();
            var traceId = random.TraceId(m.Index);
            var slot = random.Below(serving);
            var duration = cause.Status == 504 ? 30_000 : Duration(latency, random.Uniform());
            events.Add(new ApiRequestEvent(at, Groups.Api, _taskStreams[slot], traceId, route, cause.Status, duration, _taskIds[slot], 1, cause.Error));
            if (cause.Exception is { } exception)
            {
                events.Add(new StructuredLogEvent(at, Groups.Api, _taskStreams[slot],
                [
                    ("time", Iso(at)),
                    ("level", "error"),
                    ("logger", "Payments.Api.ExceptionHandler"),
                    ("message", UnhandledMessages[route]),
                    ("traceId", traceId),
                    ("route", ApiRequestEvent.Paths[route]),
                    ("exceptionType", exception.Type),
                    ("exception", exception.StackTrace),
                ]));
            }
        }

        // Requests still running after the threshold: their number is the tail of the minute's distribution.
        var slowShare = 1 - NormalCdf(Math.Log(SlowRequestMs / 1000 / latency.Median) / latency.Sigma);
        var slow = Math.Min(random.Round(responses.Requests * slowShare), 50_000);
        for (var i = 0; i < slow; i++)
        {
            var duration = Duration(latency, 1 - slowShare * random.Uniform());
            var at = minuteStart + random.Millisecond();
            var route = random.Pick(RouteWeights);
            var database = Math.Round(duration * (0.05 + 0.1 * random.Uniform()), 1);
            var cache = Math.Round(duration * 0.02 * random.Uniform(), 1);
            var traceId = random.TraceId(m.Index);
            var slot = random.Below(serving);
            events.Add(new StructuredLogEvent(at, Groups.Api, _taskStreams[slot],
            [
                ("time", Iso(at)),
                ("level", "warn"),
                ("logger", "Payments.Api.SlowRequests"),
                ("message", "slow request"),
                ("traceId", traceId),
                ("route", ApiRequestEvent.Paths[route]),
                ("durationMs", Math.Max(duration, SlowRequestMs)),
                ("thresholdMs", SlowRequestMs),
                ("databaseMs", database),
                ("cacheMs", cache),
                ("paymentProcessorMs", Math.Round(Math.Max(0, duration - database - cache), 1)),
                ("task", _taskIds[slot]),
            ]));
        }

        // A crash loop: each task being replaced starts again and says so.
        for (var i = 0; i < CrashLoopRestarts(model, m); i++)
        {
            var at = minuteStart + random.Millisecond();
            var task = TaskId(SandboxModel.DesiredTasks + i, m.Index);
            events.Add(new StructuredLogEvent(at, Groups.Api, Stream(task),
            [
                ("time", Iso(at)),
                ("level", "info"),
                ("logger", "Microsoft.Hosting.Lifetime"),
                ("message", "Application started. Now listening on: http://[::]:8080"),
                ("task", task),
            ]));
        }
    }

    private static int SuccessStatus(int route) => Routes[route].StartsWith("POST", StringComparison.Ordinal) ? 201 : 200;

    private static double Duration(LogNormal latency, double probability) =>
        Math.Round(1000 * latency.Quantile(Math.Clamp(probability, 1e-9, 1 - 1e-9)), 1);

    private sealed record ErrorCause(int Status, string Error, double Weight, ExceptionInfo? Exception = null);

    private sealed record ExceptionInfo(string Type, string StackTrace);

    private static readonly ExceptionInfo Deadlock = new("Npgsql.PostgresException",
        "Npgsql.PostgresException (0x80004005): 40P01: deadlock detected\n" +
        "   at Npgsql.Internal.NpgsqlConnector.ReadMessageLong(Boolean async, DataRowLoadingMode dataRowLoadingMode, Boolean readingNotifications, Boolean isReadingPrependedMessage)\n" +
        "   at Npgsql.NpgsqlDataReader.NextResult(Boolean async, Boolean isConsuming, CancellationToken cancellationToken)\n" +
        "   at Npgsql.NpgsqlCommand.ExecuteNonQuery(Boolean async, CancellationToken cancellationToken)\n" +
        "   at Payments.Ledger.LedgerWriter.PostAsync(Payment payment, CancellationToken ct) in /src/Payments.Ledger/LedgerWriter.cs:line 88\n" +
        "   at Payments.Api.Payments.CreatePaymentHandler.HandleAsync(CreatePayment command, CancellationToken ct) in /src/Payments.Api/Payments/CreatePaymentHandler.cs:line 54\n" +
        "   at Payments.Api.Endpoints.PaymentEndpoints.<>c.<<MapPayments>b__0_0>d.MoveNext() in /src/Payments.Api/Endpoints/PaymentEndpoints.cs:line 21");

    private static readonly ExceptionInfo Terminated = new("Npgsql.PostgresException",
        "Npgsql.PostgresException (0x80004005): 57P01: terminating connection due to administrator command\n" +
        "   at Npgsql.Internal.NpgsqlConnector.ReadMessageLong(Boolean async, DataRowLoadingMode dataRowLoadingMode, Boolean readingNotifications, Boolean isReadingPrependedMessage)\n" +
        "   at Npgsql.NpgsqlDataReader.NextResult(Boolean async, Boolean isConsuming, CancellationToken cancellationToken)\n" +
        "   at Payments.Ledger.LedgerWriter.PostAsync(Payment payment, CancellationToken ct) in /src/Payments.Ledger/LedgerWriter.cs:line 88\n" +
        "   at Payments.Api.Payments.CreatePaymentHandler.HandleAsync(CreatePayment command, CancellationToken ct) in /src/Payments.Api/Payments/CreatePaymentHandler.cs:line 54");

    private static readonly ExceptionInfo NullReference = new("System.NullReferenceException",
        "System.NullReferenceException: Object reference not set to an instance of an object.\n" +
        "   at Payments.Api.Accounts.BalanceQuery.Map(AccountRow row) in /src/Payments.Api/Accounts/BalanceQuery.cs:line 41\n" +
        "   at Payments.Api.Accounts.BalanceQuery.HandleAsync(Guid accountId, CancellationToken ct) in /src/Payments.Api/Accounts/BalanceQuery.cs:line 29\n" +
        "   at Payments.Api.Endpoints.AccountEndpoints.<>c.<<MapAccounts>b__0_1>d.MoveNext() in /src/Payments.Api/Endpoints/AccountEndpoints.cs:line 33");

    /// <summary>
    /// Why this minute's server errors happened, weighted by how strongly each condition acts. The
    /// number of errors comes from the model; this only decides what each line says.
    /// </summary>
    private static List<ErrorCause> ErrorCauses(SandboxMinute m)
    {
        var f = m.Faults;
        var causes = new List<ErrorCause>
        {
            new(500, "unhandled exception", 0.0004, NullReference),
            new(503, "ledger-service unavailable: circuit open", 0.0002),
            new(504, "payment processor timed out after 30000 ms", 0.0003),
        };
        if (f.ErrorBurst > 0)
        {
            causes.Add(new(500, "40P01: deadlock detected", 0.07 * f.ErrorBurst, Deadlock));
        }
        if (f.TaskCrashLoop > 0)
        {
            causes.Add(new(503, "task is shutting down: request aborted", 0.02 * f.TaskCrashLoop));
        }
        if (f.LatencySpike > 0)
        {
            causes.Add(new(504, "payment processor timed out after 30000 ms", 0.004 * f.LatencySpike));
        }
        // Writes that exhaust their retries during a failover's outage (the share of the minute it covers), as in the 5xx metric.
        if (m.DatabaseOutage > 0)
        {
            causes.Add(new(500, "57P01: terminating connection due to administrator command", 0.03 * m.DatabaseOutage, Terminated));
        }
        if (m.CacheOutage > 0)
        {
            causes.Add(new(503, "READONLY You can't write against a read only replica.", 0.006 * m.CacheOutage));
        }
        return causes;
    }

    // ---- ECS task state changes ------------------------------------------------------------

    /// <summary>Tasks the crash loop is replacing this minute (a deployment's pending tasks are new ones, not restarts).</summary>
    private static int CrashLoopRestarts(SandboxModel model, SandboxMinute m) => model.Tasks(m with { Deployment = default }).Pending;

    private void EcsMinute(SandboxModel model, SandboxMinute m, List<LogEvent> events)
    {
        var restarts = CrashLoopRestarts(model, m);
        if (restarts == 0)
        {
            return;
        }
        var random = new LineRandom(_seed, "ecs", m.Index);
        var minuteStart = m.Index * 60_000;
        for (var i = 0; i < restarts; i++)
        {
            var stoppedAt = minuteStart + random.Below(40_000);
            var victim = _taskIds[random.Below(_taskIds.Length)];
            events.Add(EcsEvent(stoppedAt, victim, "STOPPED", "STOPPED", w =>
            {
                w.WriteString("stopCode", "EssentialContainerExited");
                w.WriteString("stoppedReason", "Essential container in task exited");
                w.WriteStartArray("containers");
                w.WriteStartObject();
                w.WriteString("name", "api");
                w.WriteNumber("exitCode", 137);
                w.WriteString("reason", "OutOfMemoryError: Container killed due to memory usage");
                w.WriteString("lastStatus", "STOPPED");
                w.WriteEndObject();
                w.WriteEndArray();
            }));
            var replacement = TaskId(SandboxModel.DesiredTasks + i, m.Index);
            events.Add(EcsEvent(stoppedAt + 5_000 + random.Below(15_000), replacement, "PROVISIONING", "RUNNING", _ => { }));
        }
    }

    private TextLogEvent EcsEvent(long at, string task, string lastStatus, string desiredStatus, Action<Utf8JsonWriter> detail) =>
        Json(at, Groups.EcsEvents, "ecs-task-state-change", w =>
        {
            w.WriteString("version", "0");
            w.WriteString("id", Hex(SandboxNoise.Mix((ulong)at ^ SandboxNoise.Key(task)), 16));
            w.WriteString("detail-type", "ECS Task State Change");
            w.WriteString("source", "aws.ecs");
            w.WriteString("time", Iso(at));
            w.WriteStartObject("detail");
            w.WriteString("clusterArn", $"arn:aws:ecs:eu-west-1:000000000000:cluster/{Cluster}");
            w.WriteString("group", $"service:{Service}");
            w.WriteString("taskArn", $"arn:aws:ecs:eu-west-1:000000000000:task/{Cluster}/{task}");
            w.WriteString("lastStatus", lastStatus);
            w.WriteString("desiredStatus", desiredStatus);
            detail(w);
            w.WriteEndObject();
        });

    // ---- Aurora PostgreSQL -------------------------------------------------------------------

    private void PostgresMinute(SandboxModel model, SandboxState state, SandboxMinute m, List<LogEvent> events)
    {
        var random = new LineRandom(_seed, "postgres", m.Index);
        var minuteStart = m.Index * 60_000;
        var instances = _platform.AuroraInstances;
        var writer = instances[m.Writer];
        var f = m.Faults;
        void Line(long at, string instance, string level, string text, int pid = 0) =>
            events.Add(new TextLogEvent(at, Groups.Postgresql, instance, PostgresLine(at, level, text, pid == 0 ? 1000 + random.Below(60_000) : pid, random)));

        if (m.Index % 5 == 0)
        {
            Line(minuteStart + 12, writer, "LOG", "checkpoint starting: time", 412);
            var buffers = 800 + random.Below(2_400);
            Line(minuteStart + 27_000 + random.Below(3_000), writer, "LOG",
                string.Create(CultureInfo.InvariantCulture, $"checkpoint complete: wrote {buffers} buffers ({buffers / 1310.72:0.0}%); 0 WAL file(s) added, 0 removed, 1 recycled; write={26.8 + random.Uniform():0.000} s, sync=0.004 s, total={27.0 + random.Uniform():0.000} s"), 412);
        }

        // Slow statements (log_min_duration_statement = 1 s): rare, more when misses land on the database.
        var slow = random.Round(0.03 + 4 * f.CacheMissStorm + 2 * f.ErrorBurst + 1.5 * f.LatencySpike);
        for (var i = 0; i < slow; i++)
        {
            Line(minuteStart + random.Millisecond(), writer, "LOG",
                string.Create(CultureInfo.InvariantCulture, $"duration: {1000 + 3000 * random.Uniform() * random.Uniform():0.000} ms  statement: {WriterStatements[random.Below(WriterStatements.Length)]}"));
        }

        // The Deadlocks metric is per second: the minute's deadlocks are that times 60.
        var deadlocks = (int)Math.Round(model.AuroraDeadlocks(m, m.Writer) * 60);
        for (var i = 0; i < deadlocks; i++)
        {
            var at = minuteStart + random.Millisecond();
            var pid = 1000 + random.Below(60_000);
            var other = 1000 + random.Below(60_000);
            var transaction = 80_000_000 + random.Below(9_000_000);
            Line(at, writer, "ERROR", "deadlock detected", pid);
            Line(at, writer, "DETAIL", string.Create(CultureInfo.InvariantCulture,
                $"Process {pid} waits for ShareLock on transaction {transaction}; blocked by process {other}. Process {other} waits for ShareLock on transaction {transaction + 17}; blocked by process {pid}."), pid);
            Line(at, writer, "STATEMENT", "UPDATE accounts SET balance = balance - $1, version = version + 1 WHERE account_id = $2", pid);
        }

        for (var i = 0; i < instances.Count; i++)
        {
            if (i == m.Writer || f.ReplicaLag <= 0)
            {
                continue;
            }
            // A reader far behind cancels queries that need rows the replay is about to remove.
            var lag = model.AuroraReplicaLag(m, i);
            var conflicts = random.Round(f.ReplicaLag * (3 + 5 * random.Uniform()));
            for (var c = 0; c < conflicts; c++)
            {
                var at = minuteStart + random.Millisecond();
                var pid = 1000 + random.Below(60_000);
                Line(at, instances[i], "ERROR", "canceling statement due to conflict with recovery", pid);
                Line(at, instances[i], "DETAIL", "User query might have needed to see row versions that must be removed.", pid);
            }
            var slowReads = random.Round(f.ReplicaLag * 4);
            for (var s = 0; s < slowReads; s++)
            {
                Line(minuteStart + random.Millisecond(), instances[i], "LOG", string.Create(CultureInfo.InvariantCulture,
                    $"duration: {1000 + lag * random.Uniform():0.000} ms  statement: SELECT t.* FROM transactions t WHERE t.account_id = $1 ORDER BY t.created_at DESC LIMIT 50"));
            }
        }

        // A failover, line by line at its real moments (SandboxAuroraFailover); each minute writes the lines that fall in it.
        var minuteEnd = minuteStart + 60_000;
        foreach (var failover in state.AuroraFailovers)
        {
            var start = failover.StartedAt.ToUnixTimeMilliseconds();
            var done = failover.CompletedAt.ToUnixTimeMilliseconds();
            var resumed = failover.WritesResumeAt.ToUnixTimeMilliseconds();
            if (start >= minuteEnd || resumed + 20_000 <= minuteStart)
            {
                continue;
            }
            void At(long at, string instance, string level, string text, int pid = 0)
            {
                if (at >= minuteStart && at < minuteEnd)
                {
                    Line(at, instance, level, text, pid);
                }
            }
            At(start + 150, failover.FromInstance, "LOG", "received fast shutdown request", 412);
            var dropped = Math.Min(60, (int)model.AuroraConnections(m with { DatabaseOutage = 0 }, instances.ToList().IndexOf(failover.FromInstance)));
            for (var i = 0; i < dropped; i++)
            {
                At(start + 1_000 + i, failover.FromInstance, "FATAL", "terminating connection due to administrator command");
            }
            At(start + 1_900, failover.FromInstance, "LOG", "database system is shut down", 412);
            At(done - 1_200, failover.ToInstance, "LOG", "received promote request", 388);
            At(done - 300, failover.ToInstance, "LOG", "database system is ready to accept connections", 388);
            At(done + 12_000, failover.FromInstance, "LOG", "database system is ready to accept read-only connections", 413);
            // The pools reconnect to the new writer over the 20 s after clients follow the endpoint.
            var from = Math.Max(resumed, minuteStart);
            var to = Math.Min(resumed + 20_000, minuteEnd);
            var reconnects = to > from ? (int)(120 * (to - from) / 20_000) : 0;
            for (var i = 0; i < reconnects; i++)
            {
                Line(from + random.Below((int)(to - from)), failover.ToInstance, "LOG", "connection authorized: user=payments database=payments application_name=payments-api SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)");
            }
        }

        // Tasks killed in a crash loop drop their pool; the replacements open a new one.
        var restarts = CrashLoopRestarts(model, m);
        for (var t = 0; t < restarts; t++)
        {
            var killedAt = minuteStart + random.Below(40_000);
            for (var c = 0; c < 10; c++)
            {
                Line(killedAt + c, writer, "LOG", "could not receive data from client: Connection reset by peer");
                Line(killedAt + 6_000 + random.Below(15_000), writer, "LOG", "connection authorized: user=payments database=payments application_name=payments-api SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)");
            }
        }
    }

    private static readonly string[] WriterStatements =
    [
        "INSERT INTO ledger_entries (entry_id, account_id, amount, currency, created_at) VALUES ($1, $2, $3, $4, now())",
        "SELECT a.balance, a.version FROM accounts a WHERE a.account_id = $1 FOR UPDATE",
        "UPDATE payments SET status = $1, updated_at = now() WHERE payment_id = $2",
        "SELECT count(*) FROM sessions_audit WHERE created_at > now() - interval '1 hour'",
    ];

    /// <summary>RDS's default <c>log_line_prefix</c>: <c>%t:%r:%u@%d:[%p]:</c>.</summary>
    private static string PostgresLine(long at, string level, string text, int pid, LineRandom random)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var client = level is "LOG" && text.StartsWith("checkpoint", StringComparison.Ordinal) || text.StartsWith("database system", StringComparison.Ordinal) || text.StartsWith("received", StringComparison.Ordinal)
            ? "::@:"
            : string.Create(CultureInfo.InvariantCulture, $"10.0.{20 + random.Below(3)}.{10 + random.Below(200)}({40000 + random.Below(20000)}):payments@payments:");
        return string.Create(CultureInfo.InvariantCulture, $"{time} UTC:{client}[{pid}]:{level}:  {text}");
    }

    // ---- Shared ------------------------------------------------------------------------------

    internal static string Iso(long at) =>
        DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string Stream(string task) => $"api/api/{task}";

    private string TaskId(int slot, long generation) =>
        Hex(SandboxNoise.Mix(SandboxNoise.Stream(_seed, "task", slot) ^ (ulong)generation * 0x9E3779B97F4A7C15UL), 16)
        + Hex(SandboxNoise.Mix(SandboxNoise.Stream(_seed, "task-2", slot) + (ulong)generation), 16);

    internal static string Hex(ulong value, int digits) => value.ToString("x16", CultureInfo.InvariantCulture)[..digits];

    private static TextLogEvent Json(long at, string group, string stream, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return new TextLogEvent(at, group, stream, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Abramowitz and Stegun 26.2.17: the standard normal CDF to 7.5e-8, enough for a share of requests.</summary>
    internal static double NormalCdf(double x)
    {
        if (double.IsNaN(x))
        {
            return 0.5;
        }
        var t = 1 / (1 + 0.2316419 * Math.Abs(x));
        var density = Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
        var tail = density * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
        return x >= 0 ? 1 - tail : tail;
    }
}

/// <summary>
/// SplitMix64 seeded by (seed, source, minute): each minute's lines are drawn from their own
/// sequence, so a minute reads the same whatever range it is asked in.
/// </summary>
internal struct LineRandom(int seed, string source, long minute)
{
    private ulong _state = SandboxNoise.Mix(SandboxNoise.Stream(seed, "logs:" + source, 0) + (ulong)minute * 0xD1B54A32D192ED03UL);

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return SandboxNoise.Mix(_state);
    }

    /// <summary>Uniform in (0, 1): never 0, so it can go through an inverse CDF.</summary>
    public double Uniform() => ((Next() >> 11) + 0.5) * (1.0 / (1UL << 53));

    public int Below(int bound) => (int)(Next() % (ulong)Math.Max(1, bound));

    public int Millisecond() => Below(60_000);

    /// <summary>Rounds up with the probability of the fraction, so counts keep their expected value.</summary>
    public int Round(double expected) => expected <= 0 ? 0 : (int)Math.Floor(expected) + (Uniform() < expected - Math.Floor(expected) ? 1 : 0);

    public int Pick(double[] weights)
    {
        double total = 0;
        foreach (var weight in weights)
        {
            total += weight;
        }
        var target = Uniform() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }

    /// <summary>An X-Ray trace id: <c>1-{epoch seconds, hex}-{96 random bits}</c>.</summary>
    public string TraceId(long minute)
    {
        var high = Next();
        var low = Next() >> 32;
        var seconds = (ulong)(minute * 60) & 0xFFFFFFFFUL;
        return string.Create(35, (seconds, high, low), static (span, state) =>
        {
            span[0] = '1';
            span[1] = '-';
            WriteHex(span.Slice(2, 8), state.seconds);
            span[10] = '-';
            WriteHex(span.Slice(11, 16), state.high);
            WriteHex(span.Slice(27, 8), state.low);
        });
    }

    private static void WriteHex(Span<char> span, ulong value)
    {
        for (var i = span.Length - 1; i >= 0; i--)
        {
            span[i] = "0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }
}

/// <summary>
/// One request line of the API service. The bulk of the logs, so it keeps its fields typed and
/// writes its JSON only when someone reads the message.
/// </summary>
internal sealed class ApiRequestEvent(long timestamp, string logGroup, string logStream, string traceId, int route, int status,
    double durationMs, string task, int sampleRate, string? error)
    : LogEvent(timestamp, logGroup, logStream)
{
    private const int IsoLength = 24;
    private const string Logger = "Payments.Api.RequestLogging";
    private static readonly string[] Methods = ["POST", "GET", "GET", "GET", "POST", "POST", "PUT"];
    internal static readonly string[] Paths = ["/v1/payments", "/v1/payments/{id}", "/v1/accounts/{id}/balance", "/v1/accounts/{id}/transactions", "/v1/sessions", "/v1/refunds", "/v1/cards/{id}/limits"];
    private static readonly string[] FieldNames = ["time", "level", "logger", "message", "traceId", "method", "route", "status", "durationMs", "task", "sampleRate", "error"];

    private string? _message;

    public override string Message => _message ??= Write(JsonLine.Writer()).ToString();

    private int _size = -1;

    public override int Size => _size >= 0 ? _size : _size = Write(JsonLine.Counter()).Bytes;

    private string Level => status >= 500 ? "error" : status >= 400 ? "warn" : "info";

    private string Text => status >= 500 ? "request failed" : "request completed";

    public override IEnumerable<KeyValuePair<string, object?>> Fields
    {
        get
        {
            foreach (var name in FieldNames)
            {
                if (TryGetField(name, out var value))
                {
                    yield return new(name, value);
                }
            }
        }
    }

    protected override bool TryGetField(string field, out object? value)
    {
        value = field switch
        {
            "status" => (double)status,
            "durationMs" => durationMs,
            "route" => Paths[route],
            "method" => Methods[route],
            "traceId" => traceId,
            "level" => Level,
            "task" => task,
            "sampleRate" => (double)sampleRate,
            "message" => Text,
            "logger" => Logger,
            "time" => SandboxLogGenerator.Iso(Timestamp),
            "error" => error,
            _ => null,
        };
        return value is not null;
    }

    private JsonLine Write(JsonLine line)
    {
        line.Field("time", () => SandboxLogGenerator.Iso(Timestamp), IsoLength);
        line.Field("level", Level);
        line.Field("logger", Logger);
        line.Field("message", Text);
        line.Field("traceId", traceId);
        line.Field("method", Methods[route]);
        line.Field("route", Paths[route]);
        line.Field("status", status);
        line.Field("durationMs", durationMs);
        line.Field("task", task);
        line.Field("sampleRate", sampleRate);
        if (error is not null)
        {
            line.Field("error", error);
        }
        return line;
    }
}
