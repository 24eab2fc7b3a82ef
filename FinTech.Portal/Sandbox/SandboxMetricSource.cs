using FinTech.Portal.Platform;

namespace FinTech.Portal.Sandbox;

/// <summary>
/// CloudWatch <c>GetMetricData</c> over the Sandbox model. Only minutes that have fully happened
/// (by the platform's <see cref="TimeProvider"/>) have datapoints; unknown metrics and dimension
/// values give an empty series, as CloudWatch does.
/// </summary>
public sealed class SandboxMetricSource : IMetricSource
{
    private readonly SandboxPlatform _platform;
    private readonly SandboxMetricEngine _engine;

    internal SandboxMetricSource(SandboxPlatform platform, SandboxMetricEngine engine)
    {
        _platform = platform;
        _engine = engine;
    }

    public Task<IReadOnlyList<MetricSeries>> GetMetricDataAsync(MetricDataRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(GetMetricData(request));
    }

    /// <summary>The synchronous core: the model computes, it never waits.</summary>
    public IReadOnlyList<MetricSeries> GetMetricData(MetricDataRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Queries.Count > MetricDataRequest.MaxQueries)
        {
            throw new ArgumentException(
                $"A GetMetricData request holds at most {MetricDataRequest.MaxQueries} queries; this one has {request.Queries.Count}. Split it.",
                nameof(request));
        }
        foreach (var query in request.Queries)
        {
            SandboxMetricEngine.ValidatePeriod(query);
        }
        var state = _platform.State;
        var completeBefore = SandboxNoise.FloorDiv(_platform.Now.ToUnixTimeSeconds(), 60);
        return request.Queries
            .Select(q => _engine.Series(q, request.Start, request.End, state, completeBefore))
            .ToList();
    }
}
