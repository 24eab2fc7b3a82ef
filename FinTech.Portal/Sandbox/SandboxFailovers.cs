namespace FinTech.Portal.Sandbox;

/// <summary>
/// One Aurora failover (RDS <c>FailoverDBCluster</c>) as the Sandbox plays it: the cluster is
/// <c>failing-over</c> from <see cref="StartedAt"/> to <see cref="CompletedAt"/> (20–60 s, drawn
/// from the seed and the failover's <see cref="Number"/>), when <see cref="ToInstance"/> becomes the
/// writer. Writes fail from a second after the start, while the old writer drops its connections,
/// until the cluster endpoint's DNS (5 s TTL) points clients at the new writer.
/// </summary>
public sealed record SandboxAuroraFailover(int Number, DateTimeOffset StartedAt, TimeSpan Duration, string FromInstance, string ToInstance)
{
    public const int MinimumSeconds = 20;
    public const int MaximumSeconds = 60;

    /// <summary>The old writer stops taking writes this long after the failover starts.</summary>
    public static readonly TimeSpan WritesFailAfter = TimeSpan.FromSeconds(1);

    /// <summary>The TTL of the cluster endpoint's CNAME: clients write to the demoted writer until it expires.</summary>
    public static readonly TimeSpan DnsTtl = TimeSpan.FromSeconds(5);

    public DateTimeOffset CompletedAt => StartedAt + Duration;

    public DateTimeOffset WritesFailFrom => StartedAt + WritesFailAfter;

    public DateTimeOffset WritesResumeAt => CompletedAt + DnsTtl;

    public bool IsRunningAt(DateTimeOffset time) => time >= StartedAt && time < CompletedAt;

    /// <summary>The n-th failover of a platform (from 0) takes a whole number of seconds in [20, 60], from the seed.</summary>
    internal static TimeSpan DurationOf(int seed, int number) =>
        TimeSpan.FromSeconds(MinimumSeconds + Draw(seed, "AuroraFailover", number, MaximumSeconds - MinimumSeconds + 1));

    internal static int Draw(int seed, string source, int number, int choices) =>
        (int)Math.Floor(choices * SandboxNoise.Uniform(SandboxNoise.Stream(seed, source, 0), number));
}

/// <summary>
/// One ElastiCache <c>TestFailover</c> as the Sandbox plays it: the replication group is
/// <c>modifying</c> from <see cref="StartedAt"/> to <see cref="FinishedAt"/>. The replica is
/// promoted at <see cref="PromotedAt"/> (12–30 s); the old primary then restarts as a replica
/// (<see cref="RecoveringAt"/>, 4–10 s later) and resyncs (<see cref="FinishedAt"/>, 90–240 s later),
/// all drawn from the seed and the test's <see cref="Number"/>. Writes fail from a second after the
/// start until clients follow the primary endpoint to the new primary, 3 s after the promotion.
/// </summary>
public sealed record SandboxRedisTestFailover(
    int Number,
    DateTimeOffset StartedAt,
    string NodeGroupId,
    string FromNode,
    string ToNode,
    TimeSpan PromotionTakes,
    TimeSpan RecoveryStartsAfter,
    TimeSpan RecoveryTakes)
{
    /// <summary>ElastiCache allows test failovers of at most this many node groups ...</summary>
    public const int QuotaNodeGroups = 15;

    /// <summary>... in any rolling window of this length.</summary>
    public static readonly TimeSpan QuotaWindow = TimeSpan.FromHours(24);

    public static readonly TimeSpan WritesFailAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long clients keep writing to the demoted primary (READONLY) before the primary endpoint moves.</summary>
    public static readonly TimeSpan EndpointMoves = TimeSpan.FromSeconds(3);

    public DateTimeOffset PromotedAt => StartedAt + PromotionTakes;

    public DateTimeOffset RecoveringAt => PromotedAt + RecoveryStartsAfter;

    public DateTimeOffset FinishedAt => RecoveringAt + RecoveryTakes;

    public DateTimeOffset WritesFailFrom => StartedAt + WritesFailAfter;

    public DateTimeOffset WritesResumeAt => PromotedAt + EndpointMoves;

    public bool IsRunningAt(DateTimeOffset time) => time >= StartedAt && time < FinishedAt;

    internal static SandboxRedisTestFailover Plan(int seed, int number, DateTimeOffset startedAt, string nodeGroupId, string from, string to) =>
        new(number, startedAt, nodeGroupId, from, to,
            TimeSpan.FromSeconds(12 + SandboxAuroraFailover.Draw(seed, "RedisPromotion", number, 19)),
            TimeSpan.FromSeconds(4 + SandboxAuroraFailover.Draw(seed, "RedisRecoveryStart", number, 7)),
            TimeSpan.FromSeconds(90 + SandboxAuroraFailover.Draw(seed, "RedisRecovery", number, 151)));
}
