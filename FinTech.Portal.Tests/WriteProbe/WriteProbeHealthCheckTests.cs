using System.Diagnostics;
using FinTech.Portal.WriteProbe;

namespace FinTech.Portal.Tests.WriteProbe;

/// <summary>
/// The canary task's container health check: the heartbeat the canary writes after each published second, judged by
/// its age; and the command infra configures (<c>dotnet FinTech.Portal.dll --write-probe-health-check</c>) run as the
/// real process, whose exit code is what ECS reads.
/// </summary>
public sealed class WriteProbeHealthCheckTests : IDisposable
{
    private static readonly DateTimeOffset Second = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private readonly TemporaryFolder _folder = new();

    private string Heartbeat => Path.Combine(_folder.Path, "write-probe.heartbeat");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_heartbeat_at_most_the_maximum_age_old_is_healthy_and_one_a_second_older_is_not()
    {
        WriteProbeHealthCheck.Write(Heartbeat, Second);

        var fresh = WriteProbeHealthCheck.Check(Heartbeat, MaxAge, Second.AddSeconds(30));
        var stale = WriteProbeHealthCheck.Check(Heartbeat, MaxAge, Second.AddSeconds(31));

        Assert.Equal((true, "The canary last published the second 2026-12-01T12:00:00Z, 30 s ago."), fresh);
        Assert.Equal((false, "The canary last published the second 2026-12-01T12:00:00Z, 31 s ago (more than 30 s): its loop is stuck or cannot publish."), stale);
    }

    [Fact]
    public void No_heartbeat_yet_an_unreadable_one_or_none_configured_is_unhealthy_with_the_reason()
    {
        Assert.Equal((false, $"No heartbeat at {Heartbeat} (FileNotFoundException): the canary has not published a second yet."),
            WriteProbeHealthCheck.Check(Heartbeat, MaxAge, Second));
        File.WriteAllText(Heartbeat, "half a time");
        Assert.Equal((false, $"The heartbeat at {Heartbeat} is not a time: 'half a time'."), WriteProbeHealthCheck.Check(Heartbeat, MaxAge, Second));
        Assert.Equal((false, "WriteProbe:HeartbeatFile is not set: the canary records no heartbeat to check."), WriteProbeHealthCheck.Check(null, MaxAge, Second));
    }

    [Fact]
    public void Only_a_first_argument_asks_for_the_check()
    {
        Assert.True(WriteProbeHealthCheck.IsRequested(["--write-probe-health-check", "--WriteProbe:HeartbeatFile=/tmp/x"]));
        Assert.False(WriteProbeHealthCheck.IsRequested([]));
        Assert.False(WriteProbeHealthCheck.IsRequested(["--WriteProbe:CanaryOnly=true", "--write-probe-health-check"]));
    }

    /// <summary>The portal's binary with the flag, as ECS runs it in the canary's container: exit 0 or 1 and one line why.</summary>
    [Fact]
    public async Task The_portal_binary_with_the_flag_exits_0_on_a_fresh_heartbeat_and_1_on_a_stale_one()
    {
        WriteProbeHealthCheck.Write(Heartbeat, DateTimeOffset.UtcNow);
        var fresh = await RunAsync($"--WriteProbe:HeartbeatFile={Heartbeat}");
        WriteProbeHealthCheck.Write(Heartbeat, DateTimeOffset.UtcNow.AddMinutes(-2));
        var stale = await RunAsync($"--WriteProbe:HeartbeatFile={Heartbeat}");

        Assert.Equal(0, fresh.ExitCode);
        Assert.StartsWith("The canary last published the second ", fresh.Output, StringComparison.Ordinal);
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("its loop is stuck or cannot publish", stale.Output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] configuration)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "FinTech.Portal.dll"), WriteProbeHealthCheck.Argument, .. configuration])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("", await error);
        return (process.ExitCode, (await output).Trim());
    }
}

/// <summary>A folder of its own under the system's temporary folder, deleted with what it holds.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fintech-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
