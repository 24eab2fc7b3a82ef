using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.ElastiCache;
using FinTech.Portal.Platform.Rds;
using EcsService = FinTech.Portal.Platform.Ecs.Service;

namespace FinTech.Portal.Dashboards;

/// <summary>What viewers of one dashboard share: an environment, a dashboard and a time range.</summary>
public sealed record DashboardKey(string Environment, string Dashboard, string Range);

/// <summary>One refresh of a dashboard, pushed to every viewer.</summary>
public sealed record DashboardSnapshot(
    DashboardKey Key,
    DateTimeOffset RefreshedAt,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyDictionary<string, PanelData> Panels,
    SourceData<IReadOnlyList<Alarm>> Alarms,
    DashboardTopology Topology)
{
    public PanelData Panel(string id) => Panels.TryGetValue(id, out var data) ? data : PanelData.Loading;

    /// <summary>What a viewer sees before the first refresh arrives: the window, every panel loading.</summary>
    public static DashboardSnapshot Waiting(DashboardKey key, TimeRange range, DateTimeOffset now)
    {
        var (start, end) = range.WindowEndingAt(now);
        return new DashboardSnapshot(key, default, start, end, new Dictionary<string, PanelData>(),
            SourceData<IReadOnlyList<Alarm>>.Loading, DashboardTopology.Loading);
    }
}

public enum PanelState
{
    /// <summary>No answer yet.</summary>
    Loading,

    /// <summary>The last refresh answered.</summary>
    Current,

    /// <summary>The last refresh failed; the data shown is from an earlier one.</summary>
    Stale,

    /// <summary>The source failed and there is no earlier data to show.</summary>
    Failed,
}

/// <summary>A chart-ready line: points already in the panel's unit.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<MetricPoint> Points)
{
    public double? Latest => Points.Count == 0 ? null : Points[^1].Value;
}

/// <summary>
/// A panel's data and its health. <see cref="Problem"/> says in plain words what went wrong
/// (for Stale and Failed, and for Current panels with partial data).
/// </summary>
public sealed record PanelData(PanelState State, IReadOnlyList<ChartSeries> Series, DateTimeOffset? DataAsOf, string? Problem)
{
    public static readonly PanelData Loading = new(PanelState.Loading, [], null, null);
}

/// <summary>The same health model for the non-metric sources (alarms, topology).</summary>
public sealed record SourceData<T>(PanelState State, T? Value, DateTimeOffset? DataAsOf, string? Problem) where T : class
{
    public static readonly SourceData<T> Loading = new(PanelState.Loading, null, null, null);
}

/// <summary>The session table: <c>DescribeTable</c> and its point-in-time recovery (<c>DescribeContinuousBackups</c>).</summary>
public sealed record SessionTable(TableDescription Table, PointInTimeRecoveryDescription? PointInTimeRecovery);

/// <summary>
/// The parts of the platform a dashboard shows, each with its own health: an ECS error leaves the
/// database, cache and session pictures as they are. A part the dashboard does not show stays Loading.
/// </summary>
public sealed record DashboardTopology(
    SourceData<EcsService> Service,
    SourceData<DBCluster> Database,
    SourceData<ReplicationGroup> Cache,
    SourceData<SessionTable> Sessions)
{
    public static readonly DashboardTopology Loading = new(
        SourceData<EcsService>.Loading, SourceData<DBCluster>.Loading, SourceData<ReplicationGroup>.Loading, SourceData<SessionTable>.Loading);
}
