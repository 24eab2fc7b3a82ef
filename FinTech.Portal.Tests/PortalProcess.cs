using System.Collections.Concurrent;
using System.Diagnostics;

namespace FinTech.Portal.Tests;

/// <summary>
/// The real portal as a process of its own (<c>dotnet FinTech.Portal.dll</c>, Development, Kestrel
/// on a free loopback port), configured through environment variables as ECS would. For tests that
/// must kill it the hard way (<see cref="Kill"/> is SIGKILL: no shutdown, no flush, no finally).
/// </summary>
public sealed class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private PortalProcess(Process process) => _process = process;

    public static PortalProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var directory = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(directory, "FinTech.Portal.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the portal.");
        var portal = new PortalProcess(process);
        process.OutputDataReceived += (_, e) => portal.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return portal;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the portal wrote (its JSON logs), for a failing test's message.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>kill -9, and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the portal as ECS does (SIGTERM: a graceful shutdown), killing it if it has not exited within 20 s.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            await term!.WaitForExitAsync();
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, checked now and again each time the portal
    /// writes a line (its operations worker logs every call, event and transition of a run as it
    /// records it) or exits; fails with the portal's output when it exits or <paramref name="timeout"/>
    /// passes first.
    /// </summary>
    public async Task WaitUntilAsync(string what, Func<Task<bool>> condition, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(CancellationToken.None);
        while (true)
        {
            var wrote = Volatile.Read(ref _wrote).Task;
            if (await condition())
            {
                return;
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited ({_process.ExitCode}) before {what}.{Environment.NewLine}{Output}");
            }
            try
            {
                await Task.WhenAny(wrote, exited).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Not {what} after {timeout.TotalSeconds:0} s.{Environment.NewLine}{Output}");
            }
        }
    }

    private TaskCompletionSource _wrote = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
        Interlocked.Exchange(ref _wrote, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
