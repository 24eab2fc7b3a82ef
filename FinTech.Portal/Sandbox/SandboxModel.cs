using FinTech.Portal.Platform.Catalogue;

namespace FinTech.Portal.Sandbox;

internal readonly record struct TaskCounts(int Desired, int Running, int Pending, int Healthy, int Unhealthy);

internal readonly record struct AlbResponses(double Requests, double Target2xx, double Target4xx, double Target5xx, double Elb5xx);

/// <summary>
/// The physics of the simulated platform: every metric of one minute as a pure function of the
/// seed, the minute and its <see cref="SandboxMinute"/> inputs (load, fault levels, roles).
/// Magnitudes follow a mid-sized payments API: 300–1,800 req/s, 6 Fargate tasks, an Aurora
/// db.r6g.large writer and reader, a Redis primary and replica, an on-demand session table.
/// Missing datapoints (a writer has no replica lag) are <see cref="double.NaN"/>.
/// </summary>
internal sealed class SandboxModel
{
    public const double TroughRequestsPerSecond = 300;
    public const double PeakRequestsPerSecond = 1800;
    public const int DesiredTasks = 6;

    /// <summary>The portal's own Fargate tasks behind the same load balancer.</summary>
    public const int PortalTasks = 2;

    /// <summary>The ALB target of metrics with only a <c>LoadBalancer</c> dimension: every target group together.</summary>
    public const int WholeLoadBalancer = -1;

    /// <summary>The session table's operations, in the order of <c>Operation</c> dimension targets.</summary>
    public static readonly string[] DynamoOperationNames = ["GetItem", "PutItem", "UpdateItem", "DeleteItem"];

    private const double GiB = 1024.0 * 1024 * 1024;
    private const double MiB = 1024.0 * 1024;

    private readonly ulong[][] _streams;


    public SandboxModel(int seed, int auroraInstances, int redisNodes, InstanceClass auroraClass, InstanceClass redisNodeType)
    {
        AuroraInstances = auroraInstances;
        RedisNodes = redisNodes;
        AuroraClass = auroraClass;
        RedisNodeType = redisNodeType;
        _streams = Streams(seed, Math.Max(Math.Max(auroraInstances, redisNodes), DynamoOperationNames.Length));
    }

    public int AuroraInstances { get; }

    public int RedisNodes { get; }

    /// <summary>The Aurora instances' class (the catalogue's): freeable memory follows its size.</summary>
    public InstanceClass AuroraClass { get; }

    /// <summary>The Redis nodes' type (the catalogue's): memory use is the data set over its size.</summary>
    public InstanceClass RedisNodeType { get; }

    private ulong S(Noise source, int entity = 0) => _streams[(int)source][entity];

    /// <summary>One noise stream per (source, entity), hashed once: the per-minute work is only the mixing.</summary>
    private static ulong[][] Streams(int seed, int entities) =>
        Enum.GetValues<Noise>()
            .Select(source => Enumerable.Range(0, entities).Select(e => SandboxNoise.Stream(seed, source.ToString(), e)).ToArray())
            .ToArray();

    private enum Noise
    {
        Alb4xx,
        Alb5xx,
        AlbElb5xx,
        AlbLatencyMedian,
        AlbLatencySigma,
        DdbLatency,
        DdbThrottles,
        EcsCpu,
        EcsCrash,
        EcsMemory,
        EcsUnhealthy,
        LoadJitter,
        LoadWander,
        RdsCommit,
        RdsConnections,
        RdsCpu,
        RdsDeadlocks,
        RdsLag,
        RdsLagFault,
        RdsMemory,
        RedisConnections,
        RedisCpu,
        RedisEvictions,
        RedisHit,
        RedisHitWander,
        RedisLag,
        RedisMemory,
        RedisMemoryNode,
        TxFailed,
        TxProcessed,
        PortalLoad,
        PortalLatency,
        PortalCpu,
        PortalMemory,
        RdsLocalStorage,
    }

    private static double J(ulong stream, long minute) => SandboxNoise.Jitter(stream, minute);

    private static double U(ulong stream, long minute) => SandboxNoise.Uniform(stream, minute);

    // ---- Traffic ---------------------------------------------------------------------------

    /// <summary>
    /// Diurnal API traffic (UTC): night trough ~04:00, a morning peak, an afternoon plateau and the
    /// evening peak of consumer payments; weekends are lower and later. Slow drift plus minute noise.
    /// </summary>
    public double RequestsPerSecond(long minute)
    {
        var day = SandboxNoise.FloorDiv(minute, 1440);
        var hour = (minute - day * 1440) / 60.0;
        // 1970-01-01 was a Thursday.
        var dayOfWeek = (int)(((day + 4) % 7 + 7) % 7);
        var weekend = dayOfWeek is 0 or 6;
        var shape = weekend
            ? Union(0.55 * Peak(hour, 11.5, 2.6), 0.45 * Peak(hour, 15.0, 3.0), 0.7 * Peak(hour, 20.5, 2.0))
            : Union(0.9 * Peak(hour, 10.0, 2.0), 0.7 * Peak(hour, 14.5, 2.5), 1.0 * Peak(hour, 20.0, 1.8));
        var rps = TroughRequestsPerSecond + (PeakRequestsPerSecond - TroughRequestsPerSecond) * shape;
        return rps * (1 + 0.05 * SandboxNoise.Wander(S(Noise.LoadWander), minute, 20) + 0.02 * J(S(Noise.LoadJitter), minute));
    }

    private static double Peak(double hour, double center, double width)
    {
        var distance = Math.Abs(hour - center);
        distance = Math.Min(distance, 24 - distance);
        return Math.Exp(-0.5 * distance * distance / (width * width));
    }

    private static double Union(double a, double b, double c) => 1 - (1 - a) * (1 - b) * (1 - c);

    // ---- ECS service -------------------------------------------------------------------------

    /// <summary>
    /// A crash loop keeps 2–4 tasks restarting (pending) and 1–2 of the rest failing health checks.
    /// A deployment runs its new task set next to the old one (up to twice the desired count) and
    /// has it pending while images are pulled.
    /// </summary>
    public TaskCounts Tasks(SandboxMinute m)
    {
        var crash = m.Faults.TaskCrashLoop;
        var extra = (int)Math.Round(m.Deployment.ExtraTasks);
        var starting = (int)Math.Round(m.Deployment.PendingTasks);
        if (crash <= 0)
        {
            return new TaskCounts(DesiredTasks, DesiredTasks + extra, starting, DesiredTasks + extra, 0);
        }
        var crashed = (int)Math.Round(crash * (2 + 2 * U(S(Noise.EcsCrash), m.Index)));
        var running = DesiredTasks - crashed;
        var unhealthy = crash >= 0.5 ? Math.Min(running - 1, U(S(Noise.EcsUnhealthy), m.Index) < 0.5 ? 1 : 2) : 0;
        return new TaskCounts(DesiredTasks, running + extra, crashed + starting, running + extra - unhealthy, unhealthy);
    }

    /// <summary>Average CPU of the running tasks: the load spread over the healthy ones, plus a fresh task set's warm-up (JIT, cache fills).</summary>
    public double ServiceCpu(SandboxMinute m)
    {
        var perTask = m.RequestsPerSecond / Tasks(m).Healthy;
        var cpu = 4 + 92 * (1 - Math.Exp(-perTask / 400)) + 1.5 * J(S(Noise.EcsCpu), m.Index) + 14 * m.Deployment.ColdShare;
        return Math.Clamp(cpu, 1, 99.5);
    }

    /// <summary>A crash loop is an out-of-memory loop: memory climbs before each restart.</summary>
    public double ServiceMemory(SandboxMinute m)
    {
        var memory = 38 + 12 * ServiceCpu(m) / 100 + 1.5 * SandboxNoise.Wander(S(Noise.EcsMemory), m.Index, 30) + 48 * m.Faults.TaskCrashLoop;
        return Math.Clamp(memory, 1, 99);
    }

    /// <summary>
    /// The portal's two tasks: Blazor circuits and dashboard refreshes cost little CPU and follow the SREs at work (the
    /// load of the day), not the payments traffic; memory holds the circuits and the caches of the panels.
    /// </summary>
    public double PortalCpu(SandboxMinute m) =>
        Math.Clamp(6 + 9 * Math.Min(m.LoadFraction, 1) + 1.2 * J(S(Noise.PortalCpu), m.Index), 1, 99.5);

    public double PortalMemory(SandboxMinute m) =>
        Math.Clamp(31 + 6 * Math.Min(m.LoadFraction, 1) + 1.5 * SandboxNoise.Wander(S(Noise.PortalMemory), m.Index, 40), 1, 99);

    // ---- ALB -------------------------------------------------------------------------------------

    /// <summary>
    /// TargetResponseTime in seconds. The median grows with task CPU (queueing) and the tail widens
    /// with it: p50 35–60 ms and p99 0.2–0.45 s on a normal day.
    /// </summary>
    public LogNormal ApiLatency(SandboxMinute m)
    {
        var u = ServiceCpu(m) / 100;
        var f = m.Faults;
        var median = (0.032 + 0.05 * Math.Pow(u, 1.5))
            * (1 + 0.06 * J(S(Noise.AlbLatencyMedian), m.Index))
            * (1 + 4.5 * f.LatencySpike + 0.6 * f.CacheMissStorm + 0.5 * f.TaskCrashLoop + 0.8 * m.DatabaseOutage + 0.2 * m.CacheOutage
                // A fresh task set answers its first requests from cold caches: the latency blip of a deployment.
                + 0.35 * m.Deployment.ColdShare + 0.5 * m.Deployment.CrashingShare);
        // Requests that write wait for connect timeouts and retries while a failover keeps the writer away: the tail grows most.
        var sigma = 0.72 + 0.25 * u + 0.03 * J(S(Noise.AlbLatencySigma), m.Index)
            + 0.25 * f.LatencySpike + 0.08 * f.CacheMissStorm + 0.1 * f.TaskCrashLoop + 0.35 * m.DatabaseOutage + 0.1 * m.CacheOutage
            + 0.15 * m.Deployment.ColdShare + 0.3 * m.Deployment.CrashingShare;
        return new LogNormal(median, sigma, m.Requests);
    }

    public double Target5xxRate(SandboxMinute m)
    {
        var f = m.Faults;
        return 0.0007 + 0.0011 * m.LoadFraction + 0.0002 * J(S(Noise.Alb5xx), m.Index)
            + 0.07 * f.ErrorBurst + 0.02 * f.TaskCrashLoop + 0.004 * f.LatencySpike
            // Writes that exhaust their retries while the writer or primary is away come back as 503s.
            + 0.03 * m.DatabaseOutage + 0.006 * m.CacheOutage
            // A crashing build fails the payments that read its missing setting (500) before it exits.
            + 0.08 * m.Deployment.CrashingShare;
    }

    /// <summary>502/503 from the load balancer itself: targets that vanish mid-request in a crash loop.</summary>
    public double Elb5xxRate(SandboxMinute m) => 0.00001 * (1 + U(S(Noise.AlbElb5xx), m.Index)) + 0.015 * m.Faults.TaskCrashLoop
        // In-flight requests of a crashing build's tasks end in 502 when the process exits.
        + 0.05 * m.Deployment.CrashingShare;

    public AlbResponses Responses(SandboxMinute m)
    {
        var requests = m.Requests;
        var target5xx = Math.Round(requests * Target5xxRate(m));
        var elb5xx = Math.Round(requests * Elb5xxRate(m));
        var target4xx = Math.Round(requests * (0.019 + 0.004 * SandboxNoise.Wander(S(Noise.Alb4xx), m.Index, 15)));
        return new AlbResponses(requests, requests - target5xx - elb5xx - target4xx, target4xx, target5xx, elb5xx);
    }

    /// <summary>
    /// The portal's own requests (pages, SignalR negotiation and reconnects): a few a second while
    /// SREs work, no server errors, an occasional 4xx.
    /// </summary>
    public AlbResponses PortalResponses(SandboxMinute m)
    {
        var requests = Math.Round(60 * (1.5 + 2.5 * Math.Min(m.LoadFraction, 1)) * (1 + 0.2 * J(S(Noise.PortalLoad), m.Index)));
        var target4xx = Math.Round(requests * 0.004);
        return new AlbResponses(requests, requests - target4xx, target4xx, 0, 0);
    }

    /// <summary>Responses of a target group (0 the API, 1 the portal) or of the whole load balancer.</summary>
    public AlbResponses Responses(SandboxMinute m, int target)
    {
        if (target == 0)
        {
            return Responses(m);
        }
        var portal = PortalResponses(m);
        if (target == 1)
        {
            return portal;
        }
        var api = Responses(m);
        return new AlbResponses(api.Requests + portal.Requests, api.Target2xx + portal.Target2xx, api.Target4xx + portal.Target4xx,
            api.Target5xx + portal.Target5xx, api.Elb5xx);
    }

    /// <summary>The portal's response times: short page and negotiate requests, a long tail of SignalR long polls.</summary>
    public LogNormal PortalLatency(SandboxMinute m) =>
        new(0.018 * (1 + 0.05 * J(S(Noise.PortalLatency), m.Index)), 1.6, PortalResponses(m).Requests);

    /// <summary>Targets of a target group (0 the API's tasks, 1 the portal's, always healthy here).</summary>
    public TaskCounts Targets(SandboxMinute m, int target) =>
        target == 0 ? Tasks(m) : new TaskCounts(PortalTasks, PortalTasks, 0, PortalTasks, 0);

    // ---- Business ------------------------------------------------------------------------------

    /// <summary>About a third of the API calls are payment transactions.</summary>
    public double TransactionsProcessed(SandboxMinute m) =>
        Math.Round(m.Requests * 0.32 * (1 + 0.02 * J(S(Noise.TxProcessed), m.Index)));

    /// <summary>Failed transactions follow the server errors, plus timeouts and cache-miss slowness.</summary>
    public double TransactionsFailed(SandboxMinute m)
    {
        var f = m.Faults;
        var rate = 0.0015 + 0.0005 * J(S(Noise.TxFailed), m.Index) + 0.9 * (Target5xxRate(m) + Elb5xxRate(m))
            + 0.003 * f.CacheMissStorm + 0.002 * f.LatencySpike
            // A payment commits to the ledger: without a writer it fails unless its retry outlasts the outage.
            + 0.25 * m.DatabaseOutage;
        return Math.Round(TransactionsProcessed(m) * rate);
    }

    /// <summary>A payment is an API call plus a few ledger commits, in milliseconds.</summary>
    public LogNormal TransactionLatency(SandboxMinute m)
    {
        var api = ApiLatency(m);
        var median = api.Median * 1000 * 1.7 + 3 * AuroraCommitLatency(m, m.Writer);
        return new LogNormal(median, api.Sigma * 0.9, TransactionsProcessed(m));
    }

    // ---- Aurora PostgreSQL -----------------------------------------------------------------------

    /// <summary>Cache misses land on the database: the reader serves most of them, the writer refreshes sessions.</summary>
    public double AuroraCpu(SandboxMinute m, int instance)
    {
        var f = m.Faults;
        var u = m.LoadFraction;
        var noise = 1.5 * J(S(Noise.RdsCpu, instance), m.Index);
        var cpu = instance == m.Writer
            ? 19 + 24 * u + noise + 38 * f.CacheMissStorm + 6 * f.ErrorBurst
            : 11 + 20 * u + noise + 45 * f.CacheMissStorm + 12 * f.ReplicaLag;
        return Math.Clamp(cpu, 1, 99.5);
    }

    public double AuroraConnections(SandboxMinute m, int instance)
    {
        var f = m.Faults;
        var u = m.LoadFraction;
        var noise = 4 * J(S(Noise.RdsConnections, instance), m.Index);
        var connections = instance == m.Writer
            ? 95 + 115 * u + noise + 60 * f.CacheMissStorm + 35 * f.TaskCrashLoop
            : 55 + 85 * u + noise + 90 * f.CacheMissStorm;
        // During a failover the writer's connections drop and the pools reconnect to the new writer; the old one reboots.
        return Math.Round(connections * (1 - (instance == m.Writer ? 0.5 : 0.7) * m.DatabaseOutage));
    }

    /// <summary>The instance class's memory: shared buffers and the OS take ~56 %, each connection ~9.5 MiB.</summary>
    public double AuroraFreeableMemory(SandboxMinute m, int instance)
    {
        var baseline = AuroraClass.MemoryGiB * GiB * (instance == m.Writer ? 0.40 : 0.444);
        return Math.Round(baseline - AuroraConnections(m, instance) * 9.5 * MiB
            + 0.08 * GiB * SandboxNoise.Wander(S(Noise.RdsMemory, instance), m.Index, 45));
    }

    /// <summary>
    /// FreeLocalStorage in bytes: Aurora's local storage (temporary tables and files, engine logs) is twice the
    /// instance class's memory. Logs take a slowly wandering share; sorts and hashes that spill to disk grow with
    /// load, most on the instance that serves the cache misses in a miss storm (far from the alarm).
    /// </summary>
    public double AuroraFreeLocalStorage(SandboxMinute m, int instance)
    {
        var size = 2 * AuroraClass.MemoryGiB * GiB;
        var used = size * (0.09 + 0.015 * SandboxNoise.Wander(S(Noise.RdsLocalStorage, instance), m.Index, 120))
            + GiB * (0.4 * Math.Min(m.LoadFraction, 1) + 2.5 * m.Faults.CacheMissStorm);
        return Math.Round(size - used);
    }

    /// <summary>AuroraReplicaLag in milliseconds; the writer has none.</summary>
    public double AuroraReplicaLag(SandboxMinute m, int instance)
    {
        if (instance == m.Writer)
        {
            return double.NaN;
        }
        var lag = 10 + 18 * Math.Min(m.LoadFraction, 1) + 2.5 * J(S(Noise.RdsLag, instance), m.Index);
        return lag + m.Faults.ReplicaLag * (4200 + 900 * SandboxNoise.Wander(S(Noise.RdsLagFault, instance), m.Index, 5))
            + 250 * m.DatabaseOutage;
    }

    public double AuroraReplicaLagMaximum(SandboxMinute m)
    {
        var maximum = double.NaN;
        for (var i = 0; i < AuroraInstances; i++)
        {
            var lag = AuroraReplicaLag(m, i);
            if (!double.IsNaN(lag) && (double.IsNaN(maximum) || lag > maximum))
            {
                maximum = lag;
            }
        }
        return maximum;
    }

    /// <summary>CommitLatency in milliseconds; readers commit nothing.</summary>
    public double AuroraCommitLatency(SandboxMinute m, int instance)
    {
        if (instance != m.Writer)
        {
            return double.NaN;
        }
        var f = m.Faults;
        return 1.6 + 1.8 * Math.Min(m.LoadFraction, 1) + 0.25 * J(S(Noise.RdsCommit, instance), m.Index)
            + 2.5 * f.CacheMissStorm + 1.2 * f.ErrorBurst + 12 * m.DatabaseOutage;
    }

    /// <summary>Deadlocks per second: a rare one on a normal day; retried ledger writes collide in an error burst.</summary>
    public double AuroraDeadlocks(SandboxMinute m, int instance)
    {
        if (instance != m.Writer)
        {
            return 0;
        }
        var stream = S(Noise.RdsDeadlocks, instance);
        var rare = U(stream, m.Index) < 0.04 ? 1.0 / 60 : 0;
        return rare + m.Faults.ErrorBurst * (0.25 + 0.1 * J(stream + 7, m.Index));
    }

    /// <summary>The mean of the readers' values, like a <c>Role=READER</c> metric; NaN without readers.</summary>
    public double ReaderMean(SandboxMinute m, Func<SandboxMinute, int, double> metric)
    {
        double sum = 0;
        var count = 0;
        for (var i = 0; i < AuroraInstances; i++)
        {
            if (i != m.Writer)
            {
                sum += metric(m, i);
                count++;
            }
        }
        return count == 0 ? double.NaN : sum / count;
    }

    // ---- ElastiCache Redis -------------------------------------------------------------------

    /// <summary>
    /// The hit rate of the API's lookups: a property of the data set and the workload, not of the
    /// node, so a promoted replica serves the same rate the old primary did.
    /// </summary>
    public double RedisHitRate(SandboxMinute m, int node)
    {
        var rate = 95.2 - 1.2 * m.LoadFraction
            + 1.0 * SandboxNoise.Wander(S(Noise.RedisHitWander), m.Index, 25)
            + 0.4 * J(S(Noise.RedisHit), m.Index)
            - 38 * m.Faults.CacheMissStorm
            - 15 * m.CacheOutage;
        return Math.Clamp(rate, 0, 100);
    }

    /// <summary>
    /// Lookups served by a node in the minute: 2.4 per request, all on the primary, because the API
    /// talks to the replication group's primary endpoint. A replica serves no reads (it replicates).
    /// </summary>
    public double RedisLookups(SandboxMinute m, int node) => node == m.Primary ? Math.Round(m.Requests * 2.4) : 0;

    /// <summary>A replica with no lookups has no hit rate: ElastiCache computes it from hits and misses.</summary>
    public double RedisNodeHitRate(SandboxMinute m, int node) => node == m.Primary ? RedisHitRate(m, node) : double.NaN;

    public double RedisHits(SandboxMinute m, int node) => Math.Round(RedisLookups(m, node) * RedisHitRate(m, node) / 100);

    public double RedisMisses(SandboxMinute m, int node) => RedisLookups(m, node) - RedisHits(m, node);

    public double RedisEngineCpu(SandboxMinute m, int node)
    {
        var noise = 1.2 * J(S(Noise.RedisCpu, node), m.Index);
        var cpu = node == m.Primary
            ? 9 + 22 * m.LoadFraction + noise + 18 * m.Faults.CacheMissStorm
            : 3 + 2.5 * m.LoadFraction + noise / 2 + 1.5 * m.Faults.CacheMissStorm; // applying the replication stream only
        return Math.Clamp(cpu, 0.5, 99.5);
    }

    /// <summary>The replica holds the same data set as the primary: about 8.3 GiB of sessions and hot keys, over the node type's memory.</summary>
    public double RedisMemoryPercent(SandboxMinute m, int node)
    {
        var memory = 100 * 8.3 / RedisNodeType.MemoryGiB + 3 * m.LoadFraction + 2 * SandboxNoise.Wander(S(Noise.RedisMemory), m.Index, 60)
            + 0.3 * J(S(Noise.RedisMemoryNode, node), m.Index) + 32 * m.Faults.CacheMissStorm;
        return Math.Clamp(memory, 1, 99.5);
    }

    public double RedisEvictions(SandboxMinute m, int node)
    {
        if (node != m.Primary)
        {
            return 0;
        }
        // A well-sized cache evicts nothing; a miss storm is memory filling up and evicting hot keys.
        var storm = m.Faults.CacheMissStorm;
        return storm <= 0 ? 0 : Math.Round(storm * RedisLookups(m, node) * 0.04 * (0.9 + 0.2 * U(S(Noise.RedisEvictions), m.Index)));
    }

    /// <summary>ReplicationLag in seconds; the primary has none.</summary>
    public double RedisReplicationLag(SandboxMinute m, int node) =>
        node == m.Primary
            ? double.NaN
            : 0.012 + 0.02 * Math.Min(m.LoadFraction, 1) + 0.004 * J(S(Noise.RedisLag, node), m.Index);

    /// <summary>Each healthy task keeps a pool of connections, bigger towards the primary.</summary>
    public double RedisConnections(SandboxMinute m, int node)
    {
        var healthy = Tasks(m).Healthy;
        var noise = 3 * J(S(Noise.RedisConnections, node), m.Index);
        // The replica has no API clients: the replication link, monitoring and the odd operator session.
        return Math.Round(node == m.Primary ? healthy * 24 + 14 + noise : 4 + Math.Abs(noise) / 3);
    }

    // ---- DynamoDB session table --------------------------------------------------------------

    /// <summary>
    /// Operations per minute. Every request looks its session up in Redis first; only the misses
    /// read the table (GetItem), so reads follow the primary's hit rate: ~6 % of requests on a
    /// normal day (a 94 % session-cache hit rate), several times that in a cache miss storm.
    /// </summary>
    public double DynamoOperations(SandboxMinute m, int operation) => operation switch
    {
        0 => Math.Round(m.Requests * (1 - RedisHitRate(m, m.Primary) / 100)),
        1 => Math.Round(m.Requests * 0.02),
        2 => Math.Round(m.Requests * 0.18),
        _ => Math.Round(m.Requests * 0.015),
    };

    /// <summary>Eventually consistent reads of items under 4 KB: half a unit each.</summary>
    public double DynamoConsumedRead(SandboxMinute m) => DynamoOperations(m, 0) * 0.5;

    public double DynamoConsumedWrite(SandboxMinute m) =>
        DynamoOperations(m, 1) + DynamoOperations(m, 2) + DynamoOperations(m, 3);

    /// <summary>On-demand capacity adapts to steady traffic but not to a sudden sevenfold jump in reads.</summary>
    public double DynamoReadThrottles(SandboxMinute m) =>
        Math.Round(m.Faults.CacheMissStorm * DynamoOperations(m, 0) * 0.05 * (0.8 + 0.4 * U(S(Noise.DdbThrottles), m.Index)));

    /// <summary>Writes stay far below what on-demand capacity absorbs, so only reads throttle.</summary>
    public double DynamoThrottledRequests(SandboxMinute m, int operation) =>
        operation == 0 ? DynamoReadThrottles(m) : 0;

    /// <summary>SuccessfulRequestLatency in milliseconds per operation.</summary>
    public LogNormal DynamoLatency(SandboxMinute m, int operation)
    {
        var (median, sigma) = operation switch
        {
            0 => (2.7, 0.42),
            1 => (4.3, 0.38),
            2 => (4.9, 0.40),
            _ => (4.0, 0.38),
        };
        var cache = operation == 0 ? m.Faults.CacheMissStorm : 0;
        median *= (1 + 0.05 * J(S(Noise.DdbLatency, operation), m.Index)) * (1 + 0.5 * cache);
        return new LogNormal(median, sigma + 0.1 * cache, DynamoOperations(m, operation));
    }
}
