using System.ComponentModel.DataAnnotations;
using FinTech.Portal.Platform;
using Microsoft.Extensions.Options;

namespace FinTech.Portal.Hosting;

/// <summary>
/// The portal's clock (configuration section <c>Clock</c>). Real time, unless a Development portal
/// whose environments are all simulated is told to run faster: a Sandbox failover of 20-60 s then
/// takes a second or two, for demos and for tests that run the real portal as a process.
/// </summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>How many simulated seconds pass per real second (1: real time).</summary>
    [Range(1, 1000)]
    public int Scale { get; set; } = 1;

    /// <summary>
    /// The real moment from which the clock runs faster (the clock reads this moment then). Every
    /// portal task on one database must share it, so that a restarted task's clock carries on
    /// where the old one was instead of jumping back.
    /// </summary>
    public DateTimeOffset? Origin { get; set; }

    public TimeProvider Create() =>
        Scale == 1 ? TimeProvider.System : new ScaledTimeProvider(TimeProvider.System, Origin!.Value, Scale);
}

/// <summary>
/// Refuses a faster clock where it could touch anything real: outside Development, or next to an
/// environment on AWS (its timestamps, signatures and metrics run on real time).
/// </summary>
internal sealed class ClockOptionsValidation(IHostEnvironment host, IOptions<PlatformOptions> platform) : IValidateOptions<ClockOptions>
{
    public ValidateOptionsResult Validate(string? name, ClockOptions options)
    {
        if (options.Scale == 1)
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        if (!host.IsDevelopment())
        {
            errors.Add($"Clock:Scale is {options.Scale}, but a faster clock is for Development only (the ASP.NET environment is {host.EnvironmentName}).");
        }
        if (options.Origin is null)
        {
            errors.Add("Clock:Origin is required when Clock:Scale is not 1: the real moment from which the clock runs faster, the same for every portal task, e.g. 2026-12-01T09:00:00Z.");
        }
        foreach (var (key, environment) in platform.Value.Environments.Where(e => e.Value.Backend != PlatformBackend.Sandbox))
        {
            errors.Add($"Clock:Scale is {options.Scale}, but Platform:Environments:{key} is on {environment.Backend}: only simulated environments may run on a faster clock.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Time that passes <c>scale</c> times faster than <paramref name="inner"/>'s from <paramref name="origin"/>; timers fire accordingly sooner.</summary>
public sealed class ScaledTimeProvider(TimeProvider inner, DateTimeOffset origin, int scale) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => origin + (inner.GetUtcNow() - origin) * scale;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long GetTimestamp() => inner.GetTimestamp();

    // Elapsed time measured with timestamps grows as fast as the clock.
    public override long TimestampFrequency => Math.Max(1, inner.TimestampFrequency / scale);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(inner.CreateTimer(callback, state, Real(dueTime), Real(period)), this);

    private TimeSpan Real(TimeSpan simulated) => simulated == Timeout.InfiniteTimeSpan ? simulated : simulated / scale;

    private sealed class ScaledTimer(ITimer timer, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(clock.Real(dueTime), clock.Real(period));

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
