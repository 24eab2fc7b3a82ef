using FinTech.Portal.Audit;
using FinTech.Portal.Identity;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using Microsoft.AspNetCore.Components;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// The Sandbox's fault knobs, its alarms and what runs where: the simulated platform of the
/// environment, redrawn when it changes (a knob, a failover) and as simulated time moves its alarms.
/// </summary>
public sealed partial class SandboxPage : IDisposable
{
    [Inject] public required SandboxBackend Backend { get; set; }
    [Inject] public required TimeProvider Time { get; set; }
    [Inject] public required SandboxFaultKnobs Knobs { get; set; }
    [Inject] public required PortalCaller Caller { get; set; }

    // Alarms move with simulated time even when nobody turns a knob.
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(15);
    private const int RecentFaults = 8;

    private SandboxPlatform? _platform;
    private IDisposable? _subscription;
    private ITimer? _timer;
    private IReadOnlyList<MetricAlarm> _alarms = [];
    private FinTech.Portal.Platform.Ecs.Service? _service;
    private FinTech.Portal.Platform.DynamoDb.TableDescription? _table;
    private AuroraClusterState? _database;
    private RedisReplicationGroupState? _cache;

    [CascadingParameter] public PortalEnvironment Environment { get; set; } = default!;

    private string? _error;
    private string? _notice;
    private bool _changing;
    private readonly CancellationTokenSource _disposed = new();

    protected override void OnParametersSet()
    {
        var platform = Backend.TryGetPlatform(Environment, out var found) ? found : null;
        if (platform == _platform)
        {
            return;
        }
        _subscription?.Dispose();
        _platform = platform;
        _subscription = platform?.Subscribe(_ => RefreshFromElsewhere());
        Load();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _timer = Time.CreateTimer(_ => RefreshFromElsewhere(), null, RefreshEvery, RefreshEvery);
        }
    }

    /// <summary>
    /// Every knob change goes through <see cref="SandboxFaultKnobs"/>: the caller's role is checked
    /// (Operator, Sandbox only), then <see cref="SandboxFaultSwitch"/> records it in the audit trail
    /// and the Sandbox journal in one transaction and applies it. No event, no change. One change
    /// at a time per page: the switches are disabled while it is on its way.
    /// </summary>
    private async Task SetFaultAsync(SandboxFault fault, bool on)
    {
        if (_platform is null || _changing)
        {
            return;
        }
        _changing = true;
        _error = null;
        _notice = null;
        try
        {
            var user = await Caller.UserAsync();
            if (!await Knobs.SetFaultAsync(user, Caller.SourceIp, Environment, fault, on, _disposed.Token))
            {
                _notice = $"{SandboxFaults.Describe(fault).Title} was already {(on ? "on" : "off")}: nothing changed and nothing was recorded.";
            }
        }
        catch (Exception e) when (e is AuditUnavailableException or PortalAccessDeniedException)
        {
            _error = e.Message;
        }
        finally
        {
            _changing = false;
        }
        Load();
    }

    /// <summary>
    /// A change made elsewhere or the timer: re-enter the circuit, and let a failure reach the
    /// error boundary instead of vanishing on a thread-pool thread.
    /// </summary>
    private void RefreshFromElsewhere() => _ = InvokeAsync(async () =>
    {
        try
        {
            Refresh();
        }
        catch (Exception error)
        {
            await DispatchExceptionAsync(error);
        }
    });

    private void Refresh()
    {
        Load();
        StateHasChanged();
    }

    private void Load()
    {
        _alarms = _platform?.CloudWatch.Alarms ?? [];
        var names = _platform?.Resources;
        _service = names is null ? null : _platform!.Ecs.DescribeServices(new() { Cluster = names.EcsCluster, Services = [names.EcsService] }).Services.FirstOrDefault();
        _table = names is null ? null : _platform!.DynamoDb.DescribeTable(new() { TableName = names.SessionTable }).Table;
        _database = _platform?.Topology.Database(_platform.State, _platform.Now);
        _cache = _platform?.Topology.Cache(_platform.State, _platform.Now);
    }

    // A member in transition says so (rebooting during a failover); an available one is just its name.
    private static string Member(AuroraInstanceState member) =>
        member.Status == "available" ? member.InstanceIdentifier : $"{member.InstanceIdentifier} ({member.Status})";

    private static string Node(RedisNodeState node) =>
        node.Status == "available" ? node.CacheClusterId : $"{node.CacheClusterId} ({node.Status})";


    public void Dispose()
    {
        _subscription?.Dispose();
        _timer?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
