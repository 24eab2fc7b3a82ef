using FinTech.Portal.Platform;
using FinTech.Portal.Platform.CloudWatch;
using FinTech.Portal.Platform.DynamoDb;
using FinTech.Portal.Platform.Ecs;
using FinTech.Portal.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace FinTech.Portal.Tests.Sandbox;

public class SandboxBackendTests
{
    private static PortalEnvironment Environment(string key, PlatformBackend backend = PlatformBackend.Sandbox, int seed = 5) =>
        new(key, key, backend, IsProduction: false, PlatformResources.Sandbox(), seed, Aws: null);

    [Fact]
    public void The_same_environment_key_in_any_case_gives_the_same_model()
    {
        var backend = new SandboxBackend(new FakeTimeProvider(SandboxTestPlatform.TuesdayMorning));

        var platform = backend.PlatformFor(Environment("sandbox"));

        Assert.Equal(5, platform.Seed);
        Assert.Same(platform, backend.PlatformFor(Environment("SANDBOX")));
    }

    [Fact]
    public void Each_Sandbox_environment_has_its_own_platform()
    {
        var backend = new SandboxBackend(new FakeTimeProvider(SandboxTestPlatform.TuesdayMorning));

        var first = backend.PlatformFor(Environment("sandbox"));
        var second = backend.PlatformFor(Environment("training", seed: 6));
        first.SetFault(SandboxFault.ErrorBurst, on: true);

        Assert.NotSame(first, second);
        Assert.Empty(second.ActiveFaults);
    }

    [Fact]
    public void An_Aws_environment_has_no_simulated_platform()
    {
        var backend = new SandboxBackend(TimeProvider.System);
        var environment = Environment("prod", PlatformBackend.Aws);

        Assert.False(backend.TryGetPlatform(environment, out _));
        Assert.Contains("only Sandbox environments", Assert.Throws<InvalidOperationException>(() => backend.PlatformFor(environment)).Message);
    }

    [Fact]
    public async Task The_portal_registry_connects_the_embedded_sandbox_environment_to_the_Sandbox_backend()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:DefaultEnvironment"] = "sandbox",
            ["Platform:Environments:sandbox:Backend"] = "Sandbox",
            ["Platform:Environments:sandbox:SandboxSeed"] = "99",
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(SandboxTestPlatform.TuesdayMorning));
        builder.AddPlatform();
        builder.AddSandbox();
        using var host = builder.Build();

        var connection = host.Services.GetRequiredService<PlatformRegistry>().Connect("sandbox");
        var alarms = await connection.Get<ICloudWatch>().DescribeAllAlarmsAsync(new DescribeAlarmsRequest());

        var platform = host.Services.GetRequiredService<SandboxBackend>().PlatformFor(connection.Environment);
        Assert.Equal(99, platform.Seed);
        Assert.Same(platform.CloudWatch, connection.Get<ICloudWatch>());
        Assert.Same(platform.Ecs, connection.Get<IEcs>());
        Assert.Same(platform.DynamoDb, connection.Get<IDynamoDb>());
        Assert.Same(connection, host.Services.GetRequiredService<PlatformRegistry>().Connect("SANDBOX"));
        Assert.Equal(platform.CloudWatch.Alarms.Count, alarms.MetricAlarms.Count);
    }

    [Fact]
    public void A_port_the_backend_does_not_offer_is_reported_as_an_unavailable_platform()
    {
        var environment = Environment("sandbox");
        var connection = new PlatformConnection(environment,
            [PlatformPortRegistration.For<ICloudWatch>(PlatformBackend.Aws, _ => throw new InvalidOperationException("not this backend"))]);

        Assert.False(connection.Has<ICloudWatch>());
        var error = Assert.Throws<PlatformUnavailableException>(() => connection.Get<ICloudWatch>());
        Assert.Equal("Environment 'sandbox' (Sandbox backend) does not offer ICloudWatch in this portal build.", error.Message);
    }

    [Fact]
    public void A_port_is_built_once_per_connection_and_only_when_first_used()
    {
        var built = 0;
        var connection = new PlatformConnection(Environment("sandbox"),
            [PlatformPortRegistration.For<IEcs>(PlatformBackend.Sandbox, env =>
            {
                built++;
                return new SandboxBackend(TimeProvider.System).PlatformFor(env).Ecs;
            })]);

        Assert.Equal(0, built);
        var first = connection.Get<IEcs>();
        var second = connection.Get<IEcs>();

        Assert.Same(first, second);
        Assert.Equal(1, built);
    }
}
