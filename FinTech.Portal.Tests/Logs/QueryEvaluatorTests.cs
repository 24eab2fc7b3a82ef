using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Tests.Logs;

/// <summary>Queries over eight hand-written events whose answers are worked out by hand in each test.</summary>
public class QueryEvaluatorTests
{
    private const string Group = "/fintech/test/api";

    // 2026-11-24 10:00:00 UTC
    private const long T0 = 1_795_514_400_000;

    private static readonly LogEvent[] Events =
    [
        Json(T0 + 1_000, "a", """{"level":"info","route":"/v1/payments","status":201,"durationMs":40,"task":"t1"}"""),
        Json(T0 + 20_000, "a", """{"level":"info","route":"/v1/payments","status":201,"durationMs":60,"task":"t2"}"""),
        Json(T0 + 59_000, "b", """{"level":"error","route":"/v1/payments","status":500,"durationMs":120,"task":"t1","error":"40P01: deadlock detected"}"""),
        Json(T0 + 61_000, "b", """{"level":"warn","route":"/v1/accounts/{id}/balance","status":404,"durationMs":10,"task":"t2"}"""),
        Json(T0 + 90_000, "a", """{"level":"error","route":"/v1/accounts/{id}/balance","status":503,"durationMs":5,"task":"t3","error":"circuit open"}"""),
        Json(T0 + 150_000, "a", """{"level":"info","route":"/v1/sessions","status":201,"durationMs":20,"task":"t1","user":{"id":"u-7","tier":"gold"}}"""),
        new TextLogEvent(T0 + 170_000, Group, "pg", "2026-11-24 10:02:50 UTC::@:[412]:LOG:  duration: 1532.250 ms  statement: SELECT 1"),
        new TextLogEvent(T0 + 175_000, Group, "pg", "2026-11-24 10:02:55 UTC::@:[413]:ERROR:  deadlock detected"),
    ];

    private static TextLogEvent Json(long at, string stream, string message) => new(at, Group, stream, message);

    private static QueryOutcome Run(string query, int defaultLimit = StartQueryRequest.DefaultLimit) =>
        new QueryEvaluator(QueryParser.Parse(query), defaultLimit).Run(Events, CancellationToken.None);

    private static List<Dictionary<string, string>> Rows(string query) =>
        Run(query).Rows.Select(r => r.ToDictionary(f => f.Field, f => f.Value)).ToList();

    [Fact]
    public void Without_a_sort_the_newest_events_come_first_with_timestamp_and_message()
    {
        var rows = Rows("filter status >= 500");

        Assert.Equal(2, rows.Count);
        Assert.Equal("2026-11-24 10:01:30.000", rows[0]["@timestamp"]);
        Assert.Equal("2026-11-24 10:00:59.000", rows[1]["@timestamp"]);
        Assert.Equal(["@timestamp", "@message"], rows[0].Keys);
    }

    [Fact]
    public void Filter_compares_numbers_as_numbers_and_combines_with_and_or_not()
    {
        Assert.Equal(3, Rows("filter status >= 400").Count);
        Assert.Equal(3, Rows("filter durationMs > 15 and durationMs <= 60").Count);
        Assert.Equal(3, Rows("filter status = 500 or route = '/v1/sessions' or status = 404").Count);
        Assert.Equal(3, Rows("filter not (status = 201) and ispresent(status)").Count);
        Assert.Equal(3, Rows("filter status != 201").Count);
    }

    [Fact]
    public void Like_matches_a_substring_or_a_regex_and_in_matches_any_of_a_list()
    {
        Assert.Equal(2, Rows("filter @message like 'deadlock detected'").Count);
        Assert.Single(Rows(@"filter @message like /ERROR:\s+deadlock/"));
        Assert.Equal(6, Rows("filter @message not like /deadlock/").Count);
        Assert.Equal(3, Rows("filter status in [500, 503, 404]").Count);
        // A comparison with a field the event does not have is false, negated or not.
        Assert.Equal(2, Rows("filter route not in ['/v1/payments', '/v1/sessions']").Count);
        Assert.Equal(2, Rows("filter error not like 'x'").Count);
    }

    [Fact]
    public void Fields_computes_expressions_and_shows_only_present_fields()
    {
        var rows = Rows("filter task = 't1' | fields route, durationMs * 2 as doubled, error | sort @timestamp asc");

        Assert.Equal(3, rows.Count);
        Assert.Equal(new Dictionary<string, string> { ["route"] = "/v1/payments", ["doubled"] = "80" }, rows[0]);
        Assert.Equal("40P01: deadlock detected", rows[1]["error"]);
        Assert.Equal("40", rows[2]["doubled"]);
    }

    [Fact]
    public void Nested_json_fields_are_reached_with_dots()
    {
        var rows = Rows("filter user.tier = 'gold' | fields user.id");

        Assert.Equal("u-7", Assert.Single(rows)["user.id"]);
    }

    [Fact]
    public void Stats_by_bin_and_field_counts_sums_and_averages_per_group()
    {
        // Minute 10:00: 201, 201, 500; minute 10:01: 404, 503; minute 10:02: 201 (and two text lines without status).
        var rows = Rows("filter ispresent(status) | stats count(*) as n, sum(durationMs) as total, avg(durationMs) as mean by bin(1m) as minute, status >= 500 as failed");

        Assert.Equal(5, rows.Count);
        Assert.Equal(new Dictionary<string, string> { ["minute"] = "2026-11-24 10:00:00.000", ["failed"] = "false", ["n"] = "2", ["total"] = "100", ["mean"] = "50" }, rows[0]);
        Assert.Equal(new Dictionary<string, string> { ["minute"] = "2026-11-24 10:00:00.000", ["failed"] = "true", ["n"] = "1", ["total"] = "120", ["mean"] = "120" }, rows[1]);
        Assert.Equal("10", rows[2]["total"]);
        Assert.Equal("5", rows[3]["total"]);
        Assert.Equal("20", rows[4]["mean"]);
    }

    [Fact]
    public void Min_max_percentiles_and_distinct_counts_are_exact()
    {
        // durations: 40, 60, 120, 10, 5, 20 → sorted 5, 10, 20, 40, 60, 120.
        var row = Assert.Single(Rows("stats min(durationMs) as lo, max(durationMs) as hi, pct(durationMs, 50) as p50, pct(durationMs, 90) as p90, count_distinct(task) as tasks, count(error) as errors, count(*) as all"));

        Assert.Equal("5", row["lo"]);
        Assert.Equal("120", row["hi"]);
        Assert.Equal("20", row["p50"]);   // nearest rank: ceil(0.5 × 6) = 3rd
        Assert.Equal("120", row["p90"]);  // ceil(0.9 × 6) = 6th
        Assert.Equal("3", row["tasks"]);
        Assert.Equal("2", row["errors"]);
        Assert.Equal("8", row["all"]);
    }

    [Fact]
    public void Sort_orders_by_the_keys_with_absent_values_last_and_limit_keeps_the_first()
    {
        var rows = Rows("fields durationMs, route | sort durationMs desc | limit 3");

        Assert.Equal(["120", "60", "40"], rows.Select(r => r["durationMs"]));
        var all = Rows("fields durationMs | sort durationMs asc");
        Assert.Equal(8, all.Count);
        Assert.Equal("5", all[0]["durationMs"]);
        Assert.False(all[^1].ContainsKey("durationMs"));
    }

    [Fact]
    public void Stats_results_can_be_filtered_and_sorted()
    {
        var rows = Rows("filter ispresent(route) | stats count(*) as n by route | filter n >= 2 | sort n desc, route");

        Assert.Equal([("/v1/payments", "3"), ("/v1/accounts/{id}/balance", "2")], rows.Select(r => (r["route"], r["n"])));
    }

    [Fact]
    public void Parse_with_a_glob_extracts_numbers_that_stats_can_use()
    {
        var row = Assert.Single(Rows("parse @message 'duration: * ms  statement: *' as ms, statement | filter ispresent(ms) | stats max(ms) as slowest, count(*) as n"));

        Assert.Equal("1532.25", row["slowest"]);
        Assert.Equal("1", row["n"]);
    }

    [Fact]
    public void Parse_with_a_regex_extracts_named_groups()
    {
        var rows = Rows(@"parse @message /\[(?<pid>\d+)\]:(?<severity>[A-Z]+):/ | filter ispresent(severity) | display severity, pid | sort pid");

        Assert.Equal([("LOG", "412"), ("ERROR", "413")], rows.Select(r => (r["severity"], r["pid"])));
    }

    [Fact]
    public void Dedup_keeps_the_first_row_of_each_value()
    {
        var rows = Rows("filter ispresent(task) | sort @timestamp asc | dedup task | display task, status");

        Assert.Equal([("t1", "201"), ("t2", "201"), ("t3", "503")], rows.Select(r => (r["task"], r["status"])));
    }

    [Fact]
    public void Display_shows_only_the_fields_it_names()
    {
        var row = Rows("filter ispresent(route) | fields status, route | display route | limit 1")[0];

        Assert.Equal(["route"], row.Keys);
    }

    [Fact]
    public void Functions_work_on_strings_and_numbers()
    {
        var row = Rows("filter status = 503 | fields toupper(error) as e, strlen(route) as len, concat(task, '-', status) as tag, floor(durationMs / 2) as half, datefloor(@timestamp, 1h) as hour")[0];

        Assert.Equal("CIRCUIT OPEN", row["e"]);
        Assert.Equal("25", row["len"]);
        Assert.Equal("t3-503", row["tag"]);
        Assert.Equal("2", row["half"]);
        Assert.Equal("2026-11-24 10:00:00.000", row["hour"]);
    }

    [Fact]
    public void The_statistics_count_every_event_scanned_those_matched_and_their_bytes()
    {
        var outcome = Run("filter status >= 500 | limit 1");

        Assert.Single(outcome.Rows);
        Assert.Equal(8, outcome.RecordsScanned);
        Assert.Equal(2, outcome.RecordsMatched);
        Assert.Equal(Events.Sum(e => System.Text.Encoding.UTF8.GetByteCount(e.Message)), outcome.BytesScanned);
    }

    [Fact]
    public void Without_a_limit_a_query_returns_the_default_number_of_rows_and_never_more_than_ten_thousand()
    {
        Assert.Equal(3, new QueryEvaluator(QueryParser.Parse("fields @timestamp"), defaultLimit: 3).Run(Events, CancellationToken.None).Rows.Count);

        var many = Enumerable.Range(0, 10_050).Select(i => (LogEvent)new TextLogEvent(T0 + i, Group, "s", $$"""{"i":{{i}}}""")).ToList();
        var outcome = new QueryEvaluator(QueryParser.Parse("stats count(*) by i")).Run(many, CancellationToken.None);
        Assert.Equal(StartQueryRequest.MaxLimit, outcome.Rows.Count);
        Assert.Equal(10_050, outcome.RecordsMatched);
    }

    [Fact]
    public void A_cancelled_query_stops()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var endless = Enumerable.Range(0, 100_000).Select(i => (LogEvent)new TextLogEvent(T0 + i, Group, "s", "x"));

        Assert.ThrowsAny<OperationCanceledException>(() => new QueryEvaluator(QueryParser.Parse("stats count(*)")).Run(endless, cancel.Token));
    }
}
