namespace FinTech.Portal.Sandbox;

/// <summary>The fault knobs of the simulated platform: each one breaks the platform the way a real incident would.</summary>
public enum SandboxFault
{
    LatencySpike,
    ErrorBurst,
    ReplicaLag,
    CacheMissStorm,
    TaskCrashLoop,
}

/// <summary>One period during which a fault was switched on; <see cref="End"/> is null while it still is.</summary>
public sealed record SandboxFaultInterval(SandboxFault Fault, DateTimeOffset Start, DateTimeOffset? End)
{
    public bool IsActive => End is null;
}

/// <summary>A change of the simulated platform (a knob turned, a failover), for pages that show it.</summary>
public sealed record SandboxChange(DateTimeOffset At, string Description);

/// <summary>What a knob does, for people (the Sandbox page) and for the tests (which alarms of the catalogue it fires, by key).</summary>
public sealed record SandboxFaultInfo(SandboxFault Fault, string Title, string Effect, IReadOnlyList<string> AlarmKeys);

public static class SandboxFaults
{
    public static IReadOnlyList<SandboxFaultInfo> All { get; } =
    [
        new(SandboxFault.LatencySpike, "Latency spike",
            "A slow downstream payment processor holds every request longer: ALB p50 and p99 response times climb several-fold and a few requests time out.",
            ["p99-latency"]),
        new(SandboxFault.ErrorBurst, "Error burst",
            "A bad code path fails a share of the requests: target 5XX responses jump to about 7 %, failed transactions follow and retried ledger writes deadlock.",
            ["5xx-rate", "transactions-failure-rate"]),
        new(SandboxFault.ReplicaLag, "Aurora replica lag",
            "The Aurora reader falls seconds behind the writer (long replay on the replica): AuroraReplicaLag rises from tens of milliseconds to several seconds.",
            ["aurora-replica-lag"]),
        new(SandboxFault.CacheMissStorm, "Cache miss storm",
            "Redis memory fills up and evicts hot keys: the hit rate drops to about 57 %, the misses fall through to Aurora and to the DynamoDB session table, which throttles reads.",
            ["redis-hit-rate", "redis-evictions", "redis-memory", "dynamodb-throttles"]),
        new(SandboxFault.TaskCrashLoop, "Task crash loop",
            "ECS tasks run out of memory and restart: running tasks drop to 2–4 of 6, targets fail health checks, the remaining tasks run hot and the ALB returns 502s.",
            ["api-unhealthy-hosts", "api-memory", "5xx-rate", "transactions-failure-rate"]),
    ];

    public static SandboxFaultInfo Describe(SandboxFault fault) => All.Single(f => f.Fault == fault);
}
