using FinTech.Portal.Hosting;
using FinTech.Portal.Tests.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Hosting;

public class PortalClockTests
{
    private static readonly DateTimeOffset Origin = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_scaled_clock_runs_its_time_and_its_timers_scale_times_faster_from_the_origin()
    {
        var real = new FakeTimeProvider(Origin);
        var clock = new ScaledTimeProvider(real, Origin, 20);
        var twentySeconds = Task.Delay(TimeSpan.FromSeconds(20), clock);

        real.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(twentySeconds.IsCompleted);
        real.Advance(TimeSpan.FromMilliseconds(1));

        await twentySeconds;
        Assert.Equal(Origin.AddSeconds(20), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromSeconds(20), clock.GetElapsedTime(0, real.TimestampFrequency));
    }

    [Fact]
    public async Task A_faster_clock_is_refused_outside_Development_next_to_AWS_and_without_an_origin()
    {
        var error = await PortalStartup.RefusalAsync(StartupRefusalTests.AwsProduction(new() { ["Clock:Scale"] = "20" }), environment: "Staging");

        Assert.Contains("Clock:Scale is 20, but a faster clock is for Development only (the ASP.NET environment is Staging).", error);
        Assert.Contains("Clock:Origin is required when Clock:Scale is not 1", error);
        Assert.Contains("Clock:Scale is 20, but Platform:Environments:prod is on Aws: only simulated environments may run on a faster clock.", error);
    }

    [Fact]
    public async Task A_Development_portal_on_the_Sandbox_takes_the_faster_clock_everywhere()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?>
        {
            ["Clock:Scale"] = "20",
            ["Clock:Origin"] = "2026-12-01T09:00:00Z",
        }, environment: "Development");

        var clock = app.Services.GetRequiredService<TimeProvider>();

        Assert.IsType<ScaledTimeProvider>(clock);
        Assert.True(clock.GetUtcNow() > DateTimeOffset.UtcNow.AddHours(1), "The clock should be well ahead of real time after hours at 20 times the speed.");
    }
}
