using FinTech.Portal.Platform;

namespace FinTech.Portal.Tests.Platform;

public class StatisticTests
{
    [Theory]
    [InlineData("p99", 99.0)]
    [InlineData("p99.9", 99.9)]
    [InlineData("p50", 50.0)]
    public void Percentile_statistics_parse_as_CloudWatch_spells_them(string text, double percentile)
    {
        var statistic = Statistic.Parse(text);

        Assert.True(statistic.IsPercentile);
        Assert.Equal(percentile, statistic.Percentile);
        Assert.Equal(text, statistic.Name);
    }

    [Theory]
    [InlineData("Average")]
    [InlineData("Sum")]
    [InlineData("Maximum")]
    public void Standard_statistics_are_not_percentiles(string text)
    {
        var statistic = Statistic.Parse(text);

        Assert.False(statistic.IsPercentile);
        Assert.Equal(text, statistic.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("p100")]
    [InlineData("p0")]
    [InlineData("avg")]
    [InlineData("pabc")]
    public void Anything_else_is_refused_with_the_accepted_forms(string text)
    {
        var error = Assert.Throws<FormatException>(() => Statistic.Parse(text));

        Assert.Contains("pNN", error.Message);
    }
}
