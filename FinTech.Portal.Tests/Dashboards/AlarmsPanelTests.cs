using Bunit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Dashboards.Panels;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Tests.Dashboards;

public class AlarmsPanelTests : IAsyncLifetime
{
    private readonly BunitContext _context = PortalBunit.Create();

    private static MetricAlarm Alarm(string name, StateValue state, int minute) => new()
    {
        AlarmName = name,
        AlarmArn = $"arn:aws:cloudwatch:eu-west-1:000000000000:alarm:{name}",
        AlarmDescription = "description",
        StateValue = state,
        StateReason = "Threshold Crossed",
        StateUpdatedTimestamp = DateTimeOffset.UnixEpoch.AddMinutes(minute),
        Namespace = "AWS/RDS",
        MetricName = "CPUUtilization",
        Statistic = "Average",
        Period = 60,
        EvaluationPeriods = 5,
        DatapointsToAlarm = 3,
        Threshold = 80,
        ComparisonOperator = ComparisonOperator.GreaterThanOrEqualToThreshold,
    };

    [Fact]
    public void Firing_alarms_come_first_newest_change_first_and_are_counted_without_an_invented_severity()
    {
        IReadOnlyList<Alarm> alarms =
        [
            Alarm("ok-one", StateValue.Ok, 9),
            Alarm("older-firing", StateValue.Alarm, 1),
            Alarm("no-data", StateValue.InsufficientData, 5),
            Alarm("newer-firing", StateValue.Alarm, 3),
        ];

        var panel = _context.Render<AlarmsPanel>(p => p.Add(x => x.Alarms, new SourceData<IReadOnlyList<Alarm>>(PanelState.Current, alarms, DateTimeOffset.UnixEpoch, null)));

        Assert.Equal(["newer-firing", "older-firing", "no-data"], panel.FindAll("[data-testid=alarm-row]").Select(r => r.GetAttribute("data-alarm")));
        Assert.Equal("ok-one", panel.Find("[data-testid=alarm-ok]").GetAttribute("data-alarm"));
        Assert.Contains("2 in ALARM", panel.Find("[data-testid=alarms-firing]").TextContent);
        Assert.Contains("Threshold Crossed", panel.Find("[data-testid=alarm-row] .alarm-reason").TextContent);
        Assert.DoesNotContain("critical", panel.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("warning", panel.Find("[data-testid=alarm-row]").TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_composite_alarm_is_listed_with_its_kind()
    {
        IReadOnlyList<Alarm> alarms =
        [
            new CompositeAlarm
            {
                AlarmName = "api-degraded", AlarmArn = "arn:aws:cloudwatch:eu-west-1:000000000000:alarm:api-degraded",
                StateValue = StateValue.Alarm, StateReason = "p99 transitioned to ALARM", StateUpdatedTimestamp = DateTimeOffset.UnixEpoch,
                AlarmRule = "ALARM(\"p99\") OR ALARM(\"5xx\")",
            },
        ];

        var panel = _context.Render<AlarmsPanel>(p => p.Add(x => x.Alarms, new SourceData<IReadOnlyList<Alarm>>(PanelState.Current, alarms, DateTimeOffset.UnixEpoch, null)));

        Assert.Contains("(composite)", panel.Find("[data-testid=alarm-row]").TextContent);
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
