using FinTech.Portal.Logs.Query;
using FinTech.Portal.Platform.CloudWatchLogs;

namespace FinTech.Portal.Tests.Logs;

public class QueryParserTests
{
    [Fact]
    public void Fields_takes_fields_expressions_and_aliases()
    {
        var query = QueryParser.Parse("fields @timestamp, status, durationMs / 1000 as seconds, `odd name`");

        var fields = Assert.IsType<FieldsCommand>(Assert.Single(query.Commands)).Fields;
        Assert.Equal(["@timestamp", "status", "seconds", "odd name"], fields.Select(f => f.Name));
        var division = Assert.IsType<BinaryExpression>(fields[2].Expression);
        Assert.Equal("/", division.Operator);
        Assert.Equal("durationMs / 1000", division.Text);
    }

    [Fact]
    public void Filter_binds_not_tighter_than_and_and_and_tighter_than_or()
    {
        var query = QueryParser.Parse("filter status >= 500 or not level = 'info' and route like \"/v1/pay\"");

        var or = Assert.IsType<BinaryExpression>(Assert.IsType<FilterCommand>(Assert.Single(query.Commands)).Condition);
        Assert.Equal("or", or.Operator);
        Assert.Equal(">=", Assert.IsType<BinaryExpression>(or.Left).Operator);
        var and = Assert.IsType<BinaryExpression>(or.Right);
        Assert.Equal("and", and.Operator);
        Assert.Equal("not", Assert.IsType<UnaryExpression>(and.Left).Operator);
        var like = Assert.IsType<LikeExpression>(and.Right);
        Assert.Equal("/v1/pay", like.Contains);
    }

    [Fact]
    public void Like_takes_a_regex_between_slashes_and_can_be_negated()
    {
        var query = QueryParser.Parse(@"filter @message like /dead\w+ detected/ | filter error not like /time(d )?out/ | filter @logStream =~ /^api\//");

        var filters = query.Commands.Cast<FilterCommand>().Select(f => Assert.IsType<LikeExpression>(f.Condition)).ToList();
        Assert.Matches(filters[0].Pattern!, "deadlock detected");
        Assert.False(filters[0].Negated);
        Assert.True(filters[1].Negated);
        Assert.Matches(filters[2].Pattern!, "api/api/abc");
    }

    [Fact]
    public void In_and_not_in_take_a_list()
    {
        var query = QueryParser.Parse("filter status in [500, 503, 504] and route not in ['/v1/sessions']");

        var and = Assert.IsType<BinaryExpression>(Assert.IsType<FilterCommand>(query.Commands[0]).Condition);
        var @in = Assert.IsType<InExpression>(and.Left);
        Assert.Equal([500.0, 503.0, 504.0], @in.Items.Select(i => (double)((LiteralExpression)i).Value!));
        Assert.False(@in.Negated);
        Assert.True(Assert.IsType<InExpression>(and.Right).Negated);
    }

    [Fact]
    public void Stats_takes_every_aggregation_grouped_by_a_bin_and_fields()
    {
        var query = QueryParser.Parse("stats count(*), count(error) as errors, sum(durationMs), avg(durationMs), min(durationMs), max(durationMs), pct(durationMs, 99.9), count_distinct(task) by bin(5m), status as code");

        var stats = Assert.IsType<StatsCommand>(Assert.Single(query.Commands));
        Assert.Equal(["count(*)", "errors", "sum(durationMs)", "avg(durationMs)", "min(durationMs)", "max(durationMs)", "pct(durationMs, 99.9)", "count_distinct(task)"],
            stats.Aggregations.Select(a => a.Name));
        Assert.Null(stats.Aggregations[0].Argument);
        Assert.Equal(99.9, stats.Aggregations[6].Percentile);
        Assert.Equal(["bin(5m)", "code"], stats.GroupBy.Select(g => g.Name));
        var bin = Assert.IsType<CallExpression>(stats.GroupBy[0].Expression);
        Assert.Equal(300_000, Assert.IsType<DurationExpression>(bin.Arguments[0]).Milliseconds);
    }

    [Theory]
    [InlineData("bin(30s)", 30_000)]
    [InlineData("bin(1m)", 60_000)]
    [InlineData("bin(1h)", 3_600_000)]
    [InlineData("bin(1d)", 86_400_000)]
    [InlineData("bin(250ms)", 250)]
    public void Bin_periods_read_in_their_units(string group, long milliseconds)
    {
        var stats = Assert.IsType<StatsCommand>(QueryParser.Parse($"stats count() by {group}").Commands[0]);

        Assert.Equal(milliseconds, Assert.IsType<DurationExpression>(((CallExpression)stats.GroupBy[0].Expression).Arguments[0]).Milliseconds);
    }

    [Fact]
    public void Sort_limit_dedup_and_display_read_their_arguments()
    {
        var query = QueryParser.Parse("sort durationMs desc, @timestamp | limit 25 | dedup route, status | display route, durationMs");

        var sort = Assert.IsType<SortCommand>(query.Commands[0]);
        Assert.True(sort.Keys[0].Descending);
        Assert.False(sort.Keys[1].Descending);
        Assert.Equal(25, Assert.IsType<LimitCommand>(query.Commands[1]).Count);
        Assert.Equal(2, Assert.IsType<DedupCommand>(query.Commands[2]).Fields.Count);
        Assert.Equal(["route", "durationMs"], Assert.IsType<DisplayCommand>(query.Commands[3]).Fields.Select(f => f.Name));
    }

    [Fact]
    public void Parse_with_a_glob_names_one_field_per_star()
    {
        var parse = Assert.IsType<ParseCommand>(QueryParser.Parse("parse @message \"duration: * ms  statement: *\" as ms, statement").Commands[0]);

        Assert.Equal(["ms", "statement"], parse.Names);
        var match = parse.Pattern.Match("...:LOG:  duration: 1532.250 ms  statement: SELECT 1");
        Assert.Equal("1532.250", match.Groups["g0"].Value);
        Assert.Equal("SELECT 1", match.Groups["g1"].Value);
    }

    [Fact]
    public void Parse_with_a_regex_takes_the_names_of_its_groups()
    {
        var parse = Assert.IsType<ParseCommand>(QueryParser.Parse(@"parse @message /\[(?<pid>\d+)\]:(?<level>[A-Z]+):/").Commands[0]);

        Assert.Equal(["pid", "level"], parse.Names);
    }

    [Fact]
    public void Keywords_and_functions_are_case_insensitive_and_a_query_may_span_lines()
    {
        var query = QueryParser.Parse("FIELDS route\n| FILTER status >= 500 AND ToLower(level) = 'error'\n| STATS COUNT(*) BY route");

        Assert.Equal(3, query.Commands.Count);
        Assert.True(query.HasStats);
    }

    public static TheoryData<string, int, int, string> Errors => new()
    {
        // query, start, end, part of the message
        { "", 0, 0, "empty" },
        { "fields", 6, 6, "found 'the end of the query'" },
        { "filter status >= 500 |", 22, 22, "Expected a command" },
        { "select * from logs", 0, 6, "Unknown command 'select'" },
        { "filter status >=", 16, 16, "Expected a field or a value" },
        { "filter (status = 500", 20, 20, "Expected ')'" },
        { "stats count(*) by bin(5x)", 22, 24, "'5x' is not a number or a period" },
        { "stats median(durationMs)", 6, 12, "Expected an aggregation" },
        { "stats pct(durationMs)", 20, 21, "pct takes a field and a percentile" },
        { "stats pct(durationMs, 120)", 22, 25, "from 0 to 100" },
        { "limit 0", 6, 7, "from 1 to 10,000" },
        { "limit 10001", 6, 11, "from 1 to 10,000" },
        { "filter msg like 'unclosed", 16, 25, "not closed" },
        { "filter @message like /unclosed", 21, 30, "regex is not closed" },
        { "filter @message like /(/", 21, 24, "is not valid" },
        { "filter status in 500", 17, 20, "Expected '['" },
        { "parse @message \"a * b *\" as x", 25, 29, "2 '*' but 1 field" },
        { "parse @message \"no stars\" as x", 15, 25, "needs a *" },
        { "parse @message /(\\d+)/", 15, 22, "named group" },
        { "fields count(*)", 7, 12, "belongs in stats" },
        { "fields nosuch(x)", 7, 13, "Unknown function 'nosuch'" },
        { "fields a # b", 9, 10, "Unexpected character '#'" },
        { "filter a = 1 filter b = 2", 13, 19, "Expected '|'" },
        { "stats count(*) as n, sum(x) as n", 0, 5, "names the column 'n' twice" },
        { "fields status\n| filter and", 23, 26, "keyword 'and'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void An_invalid_query_is_refused_with_the_position_of_the_problem(string text, int start, int end, string message)
    {
        var error = Assert.Throws<MalformedQueryException>(() => QueryParser.Parse(text));

        Assert.Equal(new QueryCompileErrorLocation(start, end), error.Location);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void The_error_message_says_the_line_and_column()
    {
        var error = Assert.Throws<MalformedQueryException>(() => QueryParser.Parse("fields status\n| filter status >> 5"));

        Assert.EndsWith("(line 2, column 18)", error.Message);
        Assert.Equal(31, error.Location.StartCharOffset);
    }
}
