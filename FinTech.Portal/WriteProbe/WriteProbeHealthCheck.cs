using System.Globalization;

namespace FinTech.Portal.WriteProbe;

/// <summary>
/// The canary task's container health check: <c>dotnet FinTech.Portal.dll --write-probe-health-check</c>, run by ECS in
/// the canary's container (the image's runtime is all it needs). Healthy while the canary's loop keeps publishing: its
/// heartbeat file (<see cref="WriteProbeCanaryOptions.HeartbeatFile"/>, written after each published second) is at most
/// <see cref="WriteProbeCanaryOptions.HeartbeatMaxAge"/> old. A loop that is stuck, dead, or cannot publish for that long
/// makes the task unhealthy, and ECS replaces it; the <c>write-probe-silent</c> alarm tells people.
/// </summary>
public static class WriteProbeHealthCheck
{
    public const string Argument = "--write-probe-health-check";

    /// <summary>The first argument asks for the check; configuration keys may follow (<c>--WriteProbe:HeartbeatFile=…</c>).</summary>
    public static bool IsRequested(string[] args) => args is [Argument, ..];

    /// <summary>Runs the check with the process's configuration (environment, then the arguments after the flag): 0 healthy, 1 not.</summary>
    public static int Run(string[] args, TextWriter output, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        var options = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args[1..]).Build()
            .GetSection(WriteProbeCanaryOptions.SectionName).Get<WriteProbeCanaryOptions>() ?? new();
        var (healthy, reason) = Check(options.HeartbeatFile, options.HeartbeatMaxAge, time.GetUtcNow());
        output.WriteLine(reason);
        return healthy ? 0 : 1;
    }

    /// <summary>Whether the heartbeat at <paramref name="file"/> is recent enough at <paramref name="now"/>, and why.</summary>
    public static (bool Healthy, string Reason) Check(string? file, TimeSpan maxAge, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return (false, $"{WriteProbeCanaryOptions.SectionName}:{nameof(WriteProbeCanaryOptions.HeartbeatFile)} is not set: the canary records no heartbeat to check.");
        }
        string text;
        try
        {
            text = File.ReadAllText(file).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (false, $"No heartbeat at {file} ({e.GetType().Name}): the canary has not published a second yet.");
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var published))
        {
            return (false, $"The heartbeat at {file} is not a time: '{text}'.");
        }
        var age = now - published;
        return age <= maxAge
            ? (true, $"The canary last published the second {published:yyyy-MM-dd'T'HH:mm:ss'Z'}, {age.TotalSeconds:0} s ago.")
            : (false, $"The canary last published the second {published:yyyy-MM-dd'T'HH:mm:ss'Z'}, {age.TotalSeconds:0} s ago (more than {maxAge.TotalSeconds:0} s): its loop is stuck or cannot publish.");
    }

    /// <summary>Records <paramref name="second"/> as the last published one: a whole new file, so a check never reads half of one.</summary>
    internal static void Write(string file, DateTimeOffset second)
    {
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, second.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        File.Move(temporary, file, overwrite: true);
    }
}
