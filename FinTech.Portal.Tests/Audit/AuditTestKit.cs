using FinTech.Portal.Audit;
using FinTech.Portal.Database;
using FinTech.Portal.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Audit;

/// <summary>The audit services over one database, wired as the portal wires them (without a host).</summary>
public sealed class AuditTestKit : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private readonly string _anchorFile = Path.Combine(Path.GetTempPath(), $"fintech-anchors-{Guid.NewGuid():N}.jsonl");

    public AuditTestKit(PortalDatabase database, string instance = "portal-test-1", FakeTimeProvider? time = null)
    {
        Time = time ?? new WatchedClock(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(7) };
        Database = database;
        Store = new AuditStore(database);
        Trail = new AuditTrail(Store, new PortalInstance(Options.Create(new HostingOptions { InstanceId = instance })), Time, NullLogger<AuditTrail>.Instance);
        Anchors = new FileAuditAnchorSink(_anchorFile);
        Verifier = new AuditVerifier(Store, Anchors);
        Migrations = new MigrationRunner(database, Time, NullLogger<MigrationRunner>.Instance);
        Anchoring = new AuditAnchoring(Store, Trail, Anchors, AnchorStatus, new PortalInstance(Options.Create(new HostingOptions { InstanceId = instance })),
            Time, Options.Create(new AuditOptions()), NullLogger<AuditAnchoring>.Instance);
    }

    public FakeTimeProvider Time { get; }
    public PortalDatabase Database { get; }
    public AuditStore Store { get; }
    public AuditTrail Trail { get; }
    public FileAuditAnchorSink Anchors { get; }
    public AuditAnchorStatus AnchorStatus { get; } = new();
    public AuditVerifier Verifier { get; }
    public MigrationRunner Migrations { get; }
    public AuditAnchoring Anchoring { get; }

    public static AuditActor Alice { get; } = new("user-alice", "Alice Auditor", ["Auditor"], "10.0.0.7");
    public static AuditActor Bob { get; } = new("user-bob", "Bob Operator", ["Operator"], "10.0.0.8");

    public static AuditEntry Entry(int n, AuditActor? actor = null, string eventType = "sandbox.fault-changed", string environment = "sandbox",
        AuditOutcome outcome = AuditOutcome.Succeeded) =>
        new(eventType, actor ?? Bob, outcome, environment, $"knob-{n % 3}",
            new Dictionary<string, string?> { ["value"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture), ["note"] = $"change number {n}" });

    public async Task<List<AuditRecorded>> RecordManyAsync(int count, Func<int, AuditEntry>? entry = null)
    {
        var recorded = new List<AuditRecorded>();
        for (var i = 1; i <= count; i++)
        {
            recorded.Add(await Trail.RecordAsync((entry ?? (n => Entry(n)))(i), CancellationToken.None));
        }
        return recorded;
    }

    public void Dispose()
    {
        if (File.Exists(_anchorFile))
        {
            File.Delete(_anchorFile);
        }
    }
}
