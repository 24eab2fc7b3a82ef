using FinTech.Portal.Sandbox;

namespace FinTech.Portal.Tests.Sandbox;

/// <summary>The metric math the Sandbox evaluates for the catalogue's alarms, per timestamp, as CloudWatch does.</summary>
public class SandboxMetricMathTests
{
    private static double Evaluate(string expression, params (string Id, double Value)[] values)
    {
        var known = values.ToDictionary(v => v.Id, v => v.Value, StringComparer.Ordinal);
        return SandboxMetricMath.Parse(expression).Evaluate(id => known.GetValueOrDefault(id, double.NaN));
    }

    [Fact]
    public void A_rate_fills_a_count_CloudWatch_did_not_publish_with_zero()
    {
        Assert.Equal(0, Evaluate("100 * FILL(t5xx, 0) / requests", ("requests", 600)));
        Assert.Equal(2, Evaluate("100 * FILL(t5xx, 0) / requests", ("t5xx", 12), ("requests", 600)));
    }

    [Theory]
    [InlineData("MAX([c0, c1])", 91)]
    [InlineData("MIN([c0, c1])", 35)]
    [InlineData("SUM([c0, c1])", 126)]
    [InlineData("AVG([c0, c1])", 63)]
    public void Array_functions_combine_the_nodes_of_a_group_at_each_timestamp(string expression, double expected)
    {
        Assert.Equal(expected, Evaluate(expression, ("c0", 35), ("c1", 91)));
    }

    [Fact]
    public void An_array_function_skips_a_node_without_a_value_and_is_missing_only_when_all_are()
    {
        Assert.Equal(35, Evaluate("MAX([c0, c1])", ("c0", 35)));
        Assert.True(double.IsNaN(Evaluate("MAX([c0, c1])")));
        Assert.Equal(["c0", "c1"], SandboxMetricMath.Parse("SUM([FILL(c0, 0), FILL(c1, 0)])").Ids);
    }

    [Fact]
    public void A_function_the_Sandbox_does_not_know_is_refused_with_what_it_knows()
    {
        var error = Assert.Throws<ArgumentException>(() => SandboxMetricMath.Parse("ANOMALY_DETECTION_BAND(m1, 2)"));

        Assert.Contains("the function ANOMALY_DETECTION_BAND is not one the Sandbox evaluates (it knows FILL, MAX, MIN, SUM, AVG and + - * /)", error.Message, StringComparison.Ordinal);
    }
}
