using System.Net.Sockets;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace FinTech.Portal.Aws.Protocol;

/// <summary>
/// AWS's standard retry rules as a Polly pipeline, one per (environment, service): retries of
/// throttling, 5xx, timeouts, network errors and malformed replies with exponential backoff and
/// full jitter, limited by a retry budget; a per-attempt timeout; a circuit breaker that stops
/// calling a service that keeps failing.
/// </summary>
internal static class AwsResilience
{
    /// <summary>The retry tokens one call has taken from the budget so far.</summary>
    public static readonly ResiliencePropertyKey<int> RetryTokensTaken = new("aws.retry-tokens-taken");

    public static ResiliencePipeline Create(AwsOptions options, AwsRetryBudget budget, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                ShouldHandle = args =>
                {
                    if (args.Outcome.Exception is not { } error || !IsTransient(error) || budget.TryTake(error is TimeoutRejectedException) is not (> 0 and var cost))
                    {
                        return ValueTask.FromResult(false);
                    }
                    args.Context.Properties.Set(RetryTokensTaken, args.Context.Properties.GetValue(RetryTokensTaken, 0) + cost);
                    return ValueTask.FromResult(true);
                },
                DelayGenerator = args =>
                {
                    // Full jitter: uniform in [0, min(cap, base * 2^attempt)].
                    var ceiling = Math.Min(options.MaxBackoff.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, args.AttemptNumber));
                    return ValueTask.FromResult<TimeSpan?>(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling));
                },
            });
        }
        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } error && IsTransient(error)),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>What AWS's SDKs retry: throttling and service faults, time-outs, broken connections, garbled replies.</summary>
    public static bool IsTransient(Exception error) => error switch
    {
        AwsServiceException service => service.IsRetryable,
        TimeoutRejectedException => true,
        AwsMalformedResponseException => true,
        HttpRequestException { InnerException: SocketException or IOException } => true,
        HttpRequestException { StatusCode: null } => true,
        IOException => true,
        _ => false,
    };
}

/// <summary>AWS's retry quota (standard retry mode): a token bucket per (environment, service) that retries draw from and successes refill.</summary>
internal sealed class AwsRetryBudget
{
    private const int RetryCost = 5;
    private const int TimeoutRetryCost = 10;
    private const int NoRetryIncrement = 1;
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private int _tokens;

    public AwsRetryBudget(int capacity)
    {
        _capacity = capacity;
        _tokens = capacity;
    }

    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _tokens;
            }
        }
    }

    /// <summary>Takes the cost of one retry (more after a timeout) and returns it, or 0 when the budget cannot pay.</summary>
    public int TryTake(bool afterTimeout)
    {
        var cost = afterTimeout ? TimeoutRetryCost : RetryCost;
        lock (_gate)
        {
            if (_tokens < cost)
            {
                return 0;
            }
            _tokens -= cost;
            return cost;
        }
    }

    /// <summary>After a successful call: gives back what its retries took, or one token when it took none.</summary>
    public void Release(int taken)
    {
        lock (_gate)
        {
            _tokens = Math.Min(_capacity, _tokens + (taken > 0 ? taken : NoRetryIncrement));
        }
    }
}
