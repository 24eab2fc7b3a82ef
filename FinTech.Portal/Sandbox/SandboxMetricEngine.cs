using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>A query whose metric and entity the catalogue found.</summary>
internal readonly record struct ResolvedMetric(SandboxMetricDefinition Definition, int Target, Statistic Statistic);

/// <summary>
/// Answers metric queries from the model: computes the one-minute samples of a period and
/// aggregates them the way CloudWatch's statistics do. Nothing is stored; a week at one minute is
/// 10,080 samples computed on the fly.
/// </summary>
internal sealed class SandboxMetricEngine(SandboxModel model, SandboxMetricCatalog catalog)
{
    /// <summary>CloudWatch's limit of datapoints per GetMetricData answer.</summary>
    public const int MaxDatapoints = 100_800;

    /// <summary>Every minute of a period is computed, so an absurd period would be an absurd amount of work.</summary>
    public const int MaxPeriodSeconds = 366 * 86_400;

    public SandboxModel Model => model;

    public SandboxMetricCatalog Catalog => catalog;

    /// <summary>CloudWatch's rule for standard-resolution metrics: whole minutes.</summary>
    public static void ValidatePeriod(MetricQuery query)
    {
        if (query.PeriodSeconds < 60 || query.PeriodSeconds % 60 != 0)
        {
            throw new ArgumentException(
                $"Query '{query.Id}' asks for a period of {query.PeriodSeconds} s. The Sandbox, like CloudWatch for standard-resolution metrics, needs a period that is a multiple of 60 seconds (60, 300, 3600, ...).",
                nameof(query));
        }
        if (query.PeriodSeconds > MaxPeriodSeconds)
        {
            throw new ArgumentException(
                $"Query '{query.Id}' asks for a period of {query.PeriodSeconds} s; the Sandbox answers periods up to a year ({MaxPeriodSeconds} s).",
                nameof(query));
        }
        if (query.Statistic.Name is null)
        {
            throw new ArgumentException($"Query '{query.Id}' has no statistic. Use Average, Sum, Minimum, Maximum, SampleCount or pNN.", nameof(query));
        }
    }

    /// <summary>
    /// The series of one query over [start, end), with only the minutes before
    /// <paramref name="completeBefore"/> (the minutes that have fully happened).
    /// </summary>
    public MetricSeries Series(MetricQuery query, DateTimeOffset start, DateTimeOffset end, SandboxState state, long completeBefore)
    {
        ValidatePeriod(query);
        var label = query.Label ?? query.MetricName;
        if (!TryResolve(query, out var metric))
        {
            return new MetricSeries(query.Id, label, MetricUnit.None, []);
        }
        var periodMinutes = query.PeriodSeconds / 60;
        var firstMinute = SandboxNoise.FloorDiv(start.ToUnixTimeSeconds(), query.PeriodSeconds) * periodMinutes;
        var endMinute = Math.Min(CeilingMinute(end), completeBefore);
        if (endMinute <= firstMinute)
        {
            return new MetricSeries(query.Id, label, metric.Definition.Unit, []);
        }
        var status = MetricDataStatus.Complete;
        string? message = null;
        var periods = (endMinute - firstMinute + periodMinutes - 1) / periodMinutes;
        if (periods > MaxDatapoints)
        {
            // Like CloudWatch (newest first, then a NextToken): the most recent datapoints, flagged as partial.
            firstMinute += (periods - MaxDatapoints) * periodMinutes;
            status = MetricDataStatus.PartialData;
            message = $"The range holds {periods:N0} periods of {query.PeriodSeconds} s; these are the latest {MaxDatapoints:N0}. Raise the period or narrow the range.";
        }
        var timeline = new SandboxTimeline(model, state, firstMinute, endMinute);
        var points = new List<MetricPoint>((int)((endMinute - firstMinute) / periodMinutes + 1));
        var buffer = new double[periodMinutes];
        for (var periodStart = firstMinute; periodStart < endMinute; periodStart += periodMinutes)
        {
            var periodEnd = Math.Min(periodStart + periodMinutes, endMinute);
            if (TryAggregate(metric, timeline, periodStart, periodEnd, buffer, out var value))
            {
                points.Add(new MetricPoint(DateTimeOffset.FromUnixTimeSeconds(periodStart * 60), value));
            }
        }
        return new MetricSeries(query.Id, label, metric.Definition.Unit, points, status, message);
    }

    public bool TryResolve(MetricQuery query, out ResolvedMetric metric)
    {
        if (catalog.TryResolve(query, out var definition, out var target))
        {
            metric = new ResolvedMetric(definition, target, query.Statistic);
            return true;
        }
        metric = default;
        return false;
    }

    /// <summary>The statistic of one minute, as an alarm's one-minute datapoint; NaN when the minute has none.</summary>
    public double MinuteValue(ResolvedMetric metric, SandboxTimeline timeline, long minute)
    {
        if (metric.Definition.Kind == SampleKind.Distribution)
        {
            return TryAggregateDistribution(metric, timeline, minute, minute + 1, out var value) ? value : double.NaN;
        }
        // One sample is its own sum, mean, minimum, maximum and every percentile.
        var sample = metric.Definition.Value!(timeline.At(minute), metric.Target);
        return metric.Statistic.Name == "SampleCount" ? (double.IsNaN(sample) ? double.NaN : 1) : sample;
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
            var sample = definition.Value!(timeline.At(minute), metric.Target);
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
    /// Percentiles of a period are the request-weighted means of the minutes' percentiles: with the
    /// same weights for every percentile, p99 ≥ p90 ≥ p50 of each minute carries over to the period.
    /// </summary>
    private static bool TryAggregateDistribution(ResolvedMetric metric, SandboxTimeline timeline, long fromMinute, long toMinute, out double value)
    {
        var statistic = metric.Statistic;
        var z = statistic.Percentile is { } percentile ? Normal.InverseCdf(percentile / 100) : 0;
        double weights = 0, weighted = 0, minimum = double.PositiveInfinity, maximum = double.NegativeInfinity;
        for (var minute = fromMinute; minute < toMinute; minute++)
        {
            var distribution = metric.Definition.Distribution!(timeline.At(minute), metric.Target);
            var weight = Math.Max(distribution.Count, 1);
            weights += weight;
            weighted += weight * (statistic.IsPercentile
                ? distribution.Median * Math.Exp(distribution.Sigma * z)
                : distribution.Mean);
            if (statistic.Name == "Minimum")
            {
                minimum = Math.Min(minimum, distribution.Minimum);
            }
            else if (statistic.Name == "Maximum")
            {
                maximum = Math.Max(maximum, distribution.Maximum);
            }
        }
        if (weights == 0)
        {
            value = double.NaN;
            return false;
        }
        value = statistic.Name switch
        {
            "Sum" => weighted,
            "Minimum" => minimum,
            "Maximum" => maximum,
            "SampleCount" => weights,
            _ => weighted / weights,
        };
        return true;
    }

    private static long CeilingMinute(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        return SandboxNoise.FloorDiv(seconds + 59, 60);
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
