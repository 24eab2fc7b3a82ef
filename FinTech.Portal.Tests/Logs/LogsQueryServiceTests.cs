using FinTech.Portal.Audit;
using FinTech.Portal.Dashboards;
using FinTech.Portal.Identity;
using FinTech.Portal.Logs;
using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Tests.Logs;

public sealed class LogsQueryServiceTests : IAsyncLifetime
{
    private const string ErrorsQuery = "filter status >= 500 | fields @timestamp, status, route";
    private LogsTestKit _kit = null!;

    public async Task InitializeAsync() => _kit = await LogsTestKit.CreateAsync();

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private LogsQueryRequest Request(PortalEnvironment environment, string query = ErrorsQuery)
    {
        var now = _kit.Audit.Time.GetUtcNow();
        return new LogsQueryRequest(environment, [EnvironmentLogGroups.For(environment).Api], now.AddMinutes(-15), now, query);
    }

    [Fact]
    public async Task A_query_of_production_logs_is_recorded_with_its_text_log_groups_and_time_range_before_it_runs()
    {
        var request = Request(_kit.Production);

        var run = await _kit.Queries.StartAsync(LogsTestKit.User(SandboxPersonas.Olivia), "10.0.0.9", request, CancellationToken.None);

        var recorded = Assert.Single(await _kit.EventsAsync(LogsAuditEvents.Queried));
        Assert.Equal("prod", recorded.Environment);
        Assert.Equal(SandboxPersonas.Olivia.UserId, recorded.Actor.UserId);
        Assert.Equal("10.0.0.9", recorded.Actor.SourceIp);
        Assert.Equal(ErrorsQuery, recorded.Parameters["query"]);
        Assert.Equal("/fintech/prod/api", recorded.Parameters["logGroups"]);
        Assert.Equal(request.Start, DateTimeOffset.Parse(recorded.Parameters["start"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(request.End, DateTimeOffset.Parse(recorded.Parameters["end"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(QueryStatus.Complete, (await _kit.WaitAsync(_kit.Production, run.QueryId)).Status);
    }

    [Fact]
    public async Task A_query_of_a_non_production_environment_is_not_recorded()
    {
        await _kit.Queries.StartAsync(LogsTestKit.User(SandboxPersonas.Aubrey), null, Request(_kit.Sandbox), CancellationToken.None);

        Assert.Empty(await _kit.EventsAsync(LogsAuditEvents.Queried));
    }

    [Fact]
    public async Task A_production_query_that_cannot_be_recorded_does_not_run()
    {
        await _kit.ExecuteAsync("DROP TABLE audit_events");

        await Assert.ThrowsAsync<AuditUnavailableException>(() =>
            _kit.Queries.StartAsync(LogsTestKit.User(SandboxPersonas.Olivia), null, Request(_kit.Production), CancellationToken.None));

        // Nothing was started: the recent list (written after the query starts) is empty.
        Assert.Empty(await _kit.Saved.RecentAsync(LogsTestKit.User(SandboxPersonas.Olivia), CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_query_is_refused_with_its_position_and_not_recorded()
    {
        var error = await Assert.ThrowsAsync<MalformedQueryException>(() =>
            _kit.Queries.StartAsync(LogsTestKit.User(SandboxPersonas.Olivia), null, Request(_kit.Production, "filter status >="), CancellationToken.None));

        Assert.Equal(16, error.Location.StartCharOffset);
        Assert.Empty(await _kit.EventsAsync(LogsAuditEvents.Queried));
    }

    [Fact]
    public async Task Someone_without_a_portal_role_cannot_query_logs()
    {
        var nobody = PortalUser.Create("Sandbox", "nobody", "Nobody", [], DateTimeOffset.UnixEpoch);

        await Assert.ThrowsAsync<PortalAccessDeniedException>(() =>
            _kit.Queries.StartAsync(nobody, null, Request(_kit.Sandbox), CancellationToken.None));
    }

    [Fact]
    public async Task A_query_without_stats_gets_a_histogram_of_its_matches_beside_it()
    {
        var run = await _kit.Queries.StartAsync(LogsTestKit.User(SandboxPersonas.Olivia), null, Request(_kit.Sandbox), CancellationToken.None);

        Assert.Equal(60, run.HistogramPeriodSeconds);
        var rows = await _kit.WaitAsync(_kit.Sandbox, run.QueryId);
        var histogram = await _kit.WaitAsync(_kit.Sandbox, run.HistogramQueryId!);
        Assert.Equal(rows.Statistics.RecordsMatched, histogram.Results.Sum(r => double.Parse(r.Single(f => f.Field == "matches").Value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("filter status >= 500 | fields @timestamp, status | sort @timestamp desc | limit 20", "filter status >= 500 | fields @timestamp, status\n| stats count(*) as matches by bin(5m)")]
    [InlineData("fields @message", "fields @message\n| stats count(*) as matches by bin(5m)")]
    [InlineData("sort @timestamp desc", "stats count(*) as matches by bin(5m)")]
    public void The_histogram_query_keeps_the_per_event_commands_and_counts_by_bin(string query, string histogram)
    {
        Assert.Equal(histogram, LogsQueryService.HistogramQuery(QueryParser.Parse(query), 300));
        Assert.Null(LogsQueryService.HistogramQuery(QueryParser.Parse("stats count(*) by status"), 300));
    }

    [Theory]
    [InlineData(15, 60)]
    [InlineData(60, 60)]
    [InlineData(180, 300)]
    [InlineData(24 * 60, 1800)]
    [InlineData(7 * 24 * 60, 3 * 3600)]
    public void The_histogram_has_about_sixty_bars_of_a_round_width(int minutes, int seconds) =>
        Assert.Equal(seconds, LogsQueryService.HistogramPeriod(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public async Task Recent_queries_are_remembered_per_person_newest_first_without_repeats()
    {
        var olivia = LogsTestKit.User(SandboxPersonas.Olivia);
        foreach (var query in new[] { "fields a", "fields b", "fields a" })
        {
            await _kit.Queries.StartAsync(olivia, null, Request(_kit.Sandbox, query), CancellationToken.None);
        }

        var recent = await _kit.Saved.RecentAsync(olivia, CancellationToken.None);

        Assert.Equal(["fields a", "fields b"], recent.Select(r => r.QueryText));
        Assert.Empty(await _kit.Saved.RecentAsync(LogsTestKit.User(SandboxPersonas.Omar), CancellationToken.None));
    }

    [Fact]
    public void The_errors_panel_links_to_the_5xx_lines_around_its_point()
    {
        var panel = DashboardCatalog.Find(_kit.Sandbox, "overview")!.Panels.Single(p => p.Id == "errors");
        var point = new DateTimeOffset(2026, 11, 24, 10, 7, 0, TimeSpan.Zero);

        var link = LogLinks.ForPanelPoint(_kit.Sandbox, panel, point, 60);

        Assert.Equal("/logs?env=sandbox&group=%2Ffintech%2Fsandbox%2Fapi&start=2026-11-24T10%3A02%3A00Z&end=2026-11-24T10%3A08%3A00Z&q="
            + Uri.EscapeDataString("fields @timestamp, status, route, error, traceId, @logStream\n| filter status >= 500\n| sort @timestamp desc\n| limit 500") + "&run=1", link);
    }

    [Fact]
    public void The_address_the_chart_script_completes_is_the_link_of_the_point_it_is_completed_for()
    {
        var panel = DashboardCatalog.Find(_kit.Sandbox, "overview")!.Panels.Single(p => p.Id == "errors");
        var point = new DateTimeOffset(2026, 11, 24, 10, 7, 0, TimeSpan.Zero);

        // What charts.js does: the point less the margin for {start}, the end of its period for {end}, escaped.
        var completed = LogLinks.ForPanelPoints(_kit.Sandbox, panel)!
            .Replace(LogLinks.StartToken, Uri.EscapeDataString("2026-11-24T10:02:00Z"), StringComparison.Ordinal)
            .Replace(LogLinks.EndToken, Uri.EscapeDataString("2026-11-24T10:08:00Z"), StringComparison.Ordinal);

        Assert.Equal(LogLinks.ForPanelPoint(_kit.Sandbox, panel, point, 60), completed);
        Assert.Equal(TimeSpan.FromMinutes(5), LogLinks.Margin);
    }

    [Theory]
    [InlineData("latency", "/fintech/sandbox/api", "filter durationMs >= 1000")]
    [InlineData("tasks", "/fintech/sandbox/ecs-events", "detail.lastStatus")]
    public void Panels_link_to_the_log_group_that_explains_them(string panelId, string group, string queryPart)
    {
        var panel = DashboardCatalog.Find(_kit.Sandbox, "overview")!.Panels.Single(p => p.Id == panelId);

        var link = LogLinks.ForPanelPoint(_kit.Sandbox, panel, DateTimeOffset.UnixEpoch, 60)!;

        Assert.Contains("group=" + Uri.EscapeDataString(group), link);
        Assert.Contains(Uri.EscapeDataString(queryPart), link);
    }

    [Fact]
    public void Database_panels_link_to_the_postgresql_log_and_cache_panels_to_nothing()
    {
        Assert.All(DashboardCatalog.Find(_kit.Sandbox, "database")!.Panels, panel =>
            Assert.Contains("group=" + Uri.EscapeDataString("/aws/rds/cluster/fintech-sandbox-aurora/postgresql"), LogLinks.ForPanelPoint(_kit.Sandbox, panel, DateTimeOffset.UnixEpoch, 60)));
        Assert.All(DashboardCatalog.Find(_kit.Sandbox, "cache")!.Panels, panel =>
            Assert.Null(LogLinks.ForPanelPoint(_kit.Sandbox, panel, DateTimeOffset.UnixEpoch, 60)));
    }

    [Fact]
    public void An_alarm_links_to_its_logs_from_ten_minutes_before_it_fired_until_now()
    {
        var alarm = new FinTech.Portal.Platform.CloudWatch.MetricAlarm
        {
            AlarmName = "fintech-sandbox-api-5xx",
            AlarmArn = "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:fintech-sandbox-api-5xx",
            StateValue = FinTech.Portal.Platform.CloudWatch.StateValue.Alarm,
            StateReason = "Threshold Crossed",
            StateUpdatedTimestamp = new DateTimeOffset(2026, 11, 24, 10, 30, 0, TimeSpan.Zero),
            Namespace = "AWS/ApplicationELB",
            MetricName = "HTTPCode_Target_5XX_Count",
            Statistic = "Sum",
            EvaluationPeriods = 3,
            Threshold = 1,
            ComparisonOperator = FinTech.Portal.Platform.CloudWatch.ComparisonOperator.GreaterThanThreshold,
        };

        var link = LogLinks.ForAlarm(_kit.Sandbox, alarm)!;

        Assert.Contains("start=2026-11-24T10%3A20%3A00Z", link);
        Assert.DoesNotContain("end=", link);
        Assert.Contains(Uri.EscapeDataString("filter status >= 500"), link);
    }
}
