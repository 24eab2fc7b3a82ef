using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;

namespace FinTech.Portal.Sandbox;

/// <summary>A metric and statistic whose definition and entity the catalogue found.</summary>
internal readonly record struct ResolvedMetric(SandboxMetricDefinition Definition, int Target, Statistic Statistic);

/// <summary>
/// Answers metric reads from the model: computes the one-minute samples of a period and
/// aggregates them the way CloudWatch's statistics do. Nothing is stored; a week at one minute is
/// 10,080 samples computed on the fly.
/// </summary>
internal sealed class SandboxMetricEngine(SandboxModel model, SandboxMetricCatalog catalog)
{
    public SandboxModel Model => model;

    public SandboxMetricCatalog Catalog => catalog;

    public bool TryResolve(Metric metric, Statistic statistic, out ResolvedMetric resolved)
    {
        if (catalog.TryResolve(metric, out var definition, out var target))
        {
            resolved = new ResolvedMetric(definition, target, statistic);
            return true;
        }
        resolved = default;
        return false;
    }

    /// <summary>
    /// The datapoints of one metric, ascending, for the periods of <paramref name="periodMinutes"/>
    /// starting at <paramref name="firstMinute"/> (aligned) and ending before <paramref name="endMinute"/>;
    /// a period without samples has no datapoint.
    /// </summary>
    public List<MetricPoint> Points(ResolvedMetric metric, int periodMinutes, long firstMinute, long endMinute, SandboxState state)
    {
        var points = new List<MetricPoint>((int)Math.Max(0, (endMinute - firstMinute) / periodMinutes + 1));
        if (endMinute <= firstMinute)
        {
            return points;
        }
        var timeline = new SandboxTimeline(model, state, firstMinute, endMinute);
        var buffer = new double[periodMinutes];
        for (var periodStart = firstMinute; periodStart < endMinute; periodStart += periodMinutes)
        {
            var periodEnd = Math.Min(periodStart + periodMinutes, endMinute);
            if (TryAggregate(metric, timeline, periodStart, periodEnd, buffer, out var value))
            {
                points.Add(new MetricPoint(DateTimeOffset.FromUnixTimeSeconds(periodStart * 60), value));
            }
        }
        return points;
    }

    /// <summary>The statistic of one minute, as an alarm's one-minute datapoint; NaN when the minute has none.</summary>
    public double MinuteValue(ResolvedMetric metric, SandboxTimeline timeline, long minute)
    {
        if (metric.Definition.Kind == SampleKind.Distribution)
        {
            return TryAggregateDistribution(metric, timeline, minute, minute + 1, out var value) ? value : double.NaN;
        }
        // One sample is its own sum, mean, minimum, maximum and every percentile.
        var sample = Sample(metric, timeline, minute);
        return metric.Statistic.Name == "SampleCount" ? (double.IsNaN(sample) ? double.NaN : 1) : sample;
    }

    /// <summary>The published sample of a minute: NaN when there is none (a zero count is not published).</summary>
    private static double Sample(ResolvedMetric metric, SandboxTimeline timeline, long minute)
    {
        var sample = metric.Definition.Value!(timeline.At(minute), metric.Target);
        return metric.Definition.OmitZero && sample == 0 ? double.NaN : sample;
    }

    private static bool TryAggregate(ResolvedMetric metric, SandboxTimeline timeline, long fromMinute, long toMinute, double[] buffer, out double value)
    {
        var definition = metric.Definition;
        if (definition.Kind == SampleKind.Distribution)
        {
            return TryAggregateDistribution(metric, timeline, fromMinute, toMinute, out value);
        }
        var count = 0;
        for (var minute = fromMinute; minute < toMinute; minute++)
        {
            var sample = Sample(metric, timeline, minute);
            if (!double.IsNaN(sample))
            {
                buffer[count++] = sample;
            }
        }
        if (count == 0)
        {
            value = double.NaN;
            return false;
        }
        var samples = buffer.AsSpan(0, count);
        var statistic = metric.Statistic;
        if (statistic.Percentile is { } percentile)
        {
            // Nearest rank over the minute samples: the same sorted set serves every percentile, so their order holds.
            samples.Sort();
            var rank = (int)Math.Ceiling(percentile / 100 * count);
            value = samples[Math.Clamp(rank, 1, count) - 1];
            return true;
        }
        value = statistic.Name switch
        {
            "Sum" => Sum(samples),
            "Average" => Sum(samples) / count,
            "Minimum" => Min(samples),
            "Maximum" => Max(samples),
            "SampleCount" => count,
            _ => double.NaN,
        };
        return !double.IsNaN(value);
    }

    /// <summary>
    /// A latency statistic over a period. Percentiles are those of every request of the period, as
    /// CloudWatch computes them from all samples: the quantile of the request-weighted mixture of the
    /// minutes' distributions (never an average of per-minute percentiles). One mixture serves every
    /// percentile, so p50 ≤ p90 ≤ p99 always holds.
    /// </summary>
    private static bool TryAggregateDistribution(ResolvedMetric metric, SandboxTimeline timeline, long fromMinute, long toMinute, out double value)
    {
        var statistic = metric.Statistic;
        var distributions = metric.Definition.Distributions!;
        var components = new List<LogNormal>((int)(toMinute - fromMinute) * distributions.Count);
        double weights = 0, weightedMean = 0;
        for (var minute = fromMinute; minute < toMinute; minute++)
        {
            var at = timeline.At(minute);
            foreach (var distribution in distributions)
            {
                var component = distribution(at, metric.Target);
                if (component.Count <= 0)
                {
                    continue;
                }
                components.Add(component);
                weights += component.Count;
                weightedMean += component.Count * component.Mean;
            }
        }
        if (weights == 0)
        {
            value = double.NaN;
            return false;
        }
        // The expected fastest and slowest of all the period's requests bound every percentile.
        double Quantile(double p) => MixtureQuantile(components, weights, p);
        value = statistic.Name switch
        {
            "Sum" => weightedMean,
            "Minimum" => Quantile(1 / (weights + 1)),
            "Maximum" => Quantile(1 - 1 / (weights + 1)),
            "SampleCount" => weights,
            "Average" => weightedMean / weights,
            _ => Quantile(Math.Clamp(statistic.Percentile!.Value / 100, 1 / (weights + 1), 1 - 1 / (weights + 1))),
        };
        return true;
    }

    /// <summary>The <paramref name="p"/> quantile of a count-weighted mixture of log-normals, by bisection on the log scale.</summary>
    internal static double MixtureQuantile(IReadOnlyList<LogNormal> components, double totalWeight, double p)
    {
        var z = Normal.InverseCdf(p);
        if (components.Count == 1)
        {
            return components[0].Median * Math.Exp(components[0].Sigma * z);
        }
        // The mixture's quantile lies between the components' own quantiles.
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var c in components)
        {
            var q = Math.Log(c.Median) + c.Sigma * z;
            low = Math.Min(low, q);
            high = Math.Max(high, q);
        }
        for (var i = 0; i < 48 && high - low > 1e-9; i++)
        {
            var middle = (low + high) / 2;
            double below = 0;
            foreach (var c in components)
            {
                below += c.Count * NormalCdf.Cdf((middle - Math.Log(c.Median)) / c.Sigma);
            }
            if (below / totalWeight < p)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return Math.Exp((low + high) / 2);
    }

    private static double Sum(Span<double> samples)
    {
        double sum = 0;
        foreach (var sample in samples)
        {
            sum += sample;
        }
        return sum;
    }

    private static double Min(Span<double> samples)
    {
        var min = double.PositiveInfinity;
        foreach (var sample in samples)
        {
            min = Math.Min(min, sample);
        }
        return min;
    }

    private static double Max(Span<double> samples)
    {
        var max = double.NegativeInfinity;
        foreach (var sample in samples)
        {
            max = Math.Max(max, sample);
        }
        return max;
    }
}
