using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Identity;

public class SessionLifetimeTests
{
    private static readonly DateTimeOffset _morning = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task After_the_idle_time_without_a_request_the_user_signs_in_again()
    {
        var time = new FakeTimeProvider(_morning);
        await using var app = AppWith(time, idle: "00:30:00", maxAge: "08:00:00");
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");

        time.Advance(TimeSpan.FromMinutes(29));
        var stillActive = await client.GetAsync("/account");
        time.Advance(TimeSpan.FromMinutes(31));
        var afterIdle = await client.GetAsync("/account");

        Assert.Equal(HttpStatusCode.OK, stillActive.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, afterIdle.StatusCode);
        Assert.Equal("/account/sign-in", afterIdle.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task After_the_maximum_session_age_even_an_active_user_signs_in_again()
    {
        var time = new FakeTimeProvider(_morning);
        await using var app = AppWith(time, idle: "00:30:00", maxAge: "02:00:00");
        var client = app.CreatePortalClient();
        await PersonaSignIn.AsAsync(client, "olivia");

        var answers = new List<HttpStatusCode>();
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(2); elapsed += TimeSpan.FromMinutes(20))
        {
            answers.Add((await client.GetAsync("/account")).StatusCode);
            time.Advance(TimeSpan.FromMinutes(20));
        }
        var afterMaxAge = await client.GetAsync("/account");

        Assert.All(answers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.Redirect, afterMaxAge.StatusCode);
        Assert.Equal("/account/sign-in", afterMaxAge.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task An_idle_time_longer_than_the_maximum_session_age_is_refused_at_start()
    {
        var error = await PortalStartup.RefusalAsync(new Dictionary<string, string?>
        {
            ["Identity:IdleTimeout"] = "09:00:00",
            ["Identity:MaxSessionAge"] = "08:00:00",
        });

        Assert.Contains("Identity:IdleTimeout (09:00:00) must not be longer than Identity:MaxSessionAge (08:00:00)", error);
    }

    private static PortalAppFactory AppWith(FakeTimeProvider time, string idle, string maxAge) => new(
        new Dictionary<string, string?> { ["Identity:IdleTimeout"] = idle, ["Identity:MaxSessionAge"] = maxAge },
        services: services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
}
