using Bunit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Dashboards;

public class AlarmsPanelTests : IAsyncLifetime
{
    private readonly BunitContext _context = PortalBunit.Create();

    private static Alarm Alarm(string name, AlarmState state, AlarmSeverity severity) =>
        new(name, "description", state, "Threshold Crossed", DateTimeOffset.UnixEpoch, "AWS/RDS", "CPUUtilization",
            Statistic.Average, "GreaterThanThreshold", 80, severity);

    [Fact]
    public void Firing_alarms_come_first_critical_before_warning_and_are_counted()
    {
        IReadOnlyList<Alarm> alarms =
        [
            Alarm("ok-one", AlarmState.Ok, AlarmSeverity.Critical),
            Alarm("warning-firing", AlarmState.Alarm, AlarmSeverity.Warning),
            Alarm("critical-firing", AlarmState.Alarm, AlarmSeverity.Critical),
        ];

        var panel = _context.Render<AlarmsPanel>(p => p.Add(x => x.Alarms, new SourceData<IReadOnlyList<Alarm>>(PanelState.Current, alarms, DateTimeOffset.UnixEpoch, null)));

        Assert.Equal(["critical-firing", "warning-firing"], panel.FindAll("[data-testid=alarm-row]").Select(r => r.GetAttribute("data-alarm")));
        Assert.Equal("ok-one", panel.Find("[data-testid=alarm-ok]").GetAttribute("data-alarm"));
        Assert.Contains("2 in ALARM", panel.Find("[data-testid=alarms-firing]").TextContent);
        Assert.Contains("Threshold Crossed", panel.Find("[data-testid=alarm-row] .alarm-reason").TextContent);
    }

    [Fact]
    public void Alarms_that_could_not_be_read_say_why()
    {
        var panel = _context.Render<AlarmsPanel>(p => p.Add(x => x.Alarms,
            new SourceData<IReadOnlyList<Alarm>>(PanelState.Failed, null, null, "The alarms could not be read: AccessDenied")));

        Assert.Contains("AccessDenied", panel.Find("[data-testid=panel-problem]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=alarm-row]"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are async-disposable only.
    public async Task DisposeAsync() => await _context.DisposeAsync();
}
