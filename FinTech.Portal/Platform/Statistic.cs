using System.Globalization;

namespace FinTech.Portal.Platform;

/// <summary>
/// A CloudWatch statistic: one of the five standard statistics or a percentile such as
/// <c>p99</c> or <c>p99.9</c>. Parsed from and printed as CloudWatch spells it.
/// </summary>
public readonly record struct Statistic
{
    private Statistic(string name, double? percentile)
    {
        Name = name;
        Percentile = percentile;
    }

    /// <summary>CloudWatch's spelling: <c>Average</c>, <c>Sum</c>, <c>p99</c>, ...</summary>
    public string Name { get; }

    /// <summary>The percentile (0–100) of a <c>pNN</c> statistic; null for the standard ones.</summary>
    public double? Percentile { get; }

    public bool IsPercentile => Percentile is not null;

    public static readonly Statistic Average = new("Average", null);
    public static readonly Statistic Sum = new("Sum", null);
    public static readonly Statistic Minimum = new("Minimum", null);
    public static readonly Statistic Maximum = new("Maximum", null);
    public static readonly Statistic SampleCount = new("SampleCount", null);
    public static readonly Statistic P50 = Parse("p50");
    public static readonly Statistic P90 = Parse("p90");
    public static readonly Statistic P99 = Parse("p99");

    public static Statistic Parse(string text)
    {
        if (TryParse(text, out var statistic))
        {
            return statistic;
        }
        throw new FormatException(
            $"'{text}' is not a CloudWatch statistic. Use Average, Sum, Minimum, Maximum, SampleCount or pNN (e.g. p99, p99.9).");
    }

    public static bool TryParse(string? text, out Statistic statistic)
    {
        statistic = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        switch (text)
        {
            case "Average": statistic = Average; return true;
            case "Sum": statistic = Sum; return true;
            case "Minimum": statistic = Minimum; return true;
            case "Maximum": statistic = Maximum; return true;
            case "SampleCount": statistic = SampleCount; return true;
        }
        if ((text[0] == 'p' || text[0] == 'P')
            && double.TryParse(text.AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p)
            && p > 0 && p < 100)
        {
            statistic = new Statistic("p" + p.ToString(CultureInfo.InvariantCulture), p);
            return true;
        }
        return false;
    }

    public override string ToString() => Name;
}
