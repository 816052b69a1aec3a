using System.Diagnostics;
using System.Globalization;

namespace Rig.Service.Tests.Support;

/// <summary>
/// The built service (Rig.Service.dll, copied next to the test assembly with its runtimeconfig, appsettings.json
/// and Presets/) run as a separate OS process: <c>dotnet Rig.Service.dll</c>, working directory = the test's
/// output directory so the host's content root finds that appsettings.json (Host.CreateApplicationBuilder reads
/// appsettings.json from the current directory). Configuration is overridden through environment variables
/// (<c>Rig__StateDirectory</c>, <c>Mqtt__Port</c>, …, the "__" form of "Section:Key"), which the host reads
/// after appsettings.json. stdout and stderr are captured (see <see cref="Output"/>) for assertion messages.
/// Every wait is bounded; disposing kills the process if it still runs.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();

    private ServiceProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The process id (for logs; use <see cref="KillAsync"/>/<see cref="StopAsync"/> to end it).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once exited; 128 + n when a signal n ended it (137 after <see cref="KillAsync"/>).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the service wrote to stdout and stderr so far, one line per line.</summary>
    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>
    /// Starts the service with <paramref name="environment"/> added to (or replacing) this process's environment;
    /// <paramref name="arguments"/> go to the service's command line. Returns once the process exists; wait for a
    /// log line (e.g. "MQTT connected") with <see cref="WaitForLogAsync"/> to know it is ready. Always set
    /// <c>Rig__StateDirectory</c> to a temp directory (the default, ./var, would be under the test output) and,
    /// unless the embedded broker on port 1883 is wanted, <c>Mqtt__Broker</c>/<c>Mqtt__Port</c>.
    /// </summary>
    public static ServiceProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartProgram("Rig.Service.dll", environment, arguments);

    /// <summary>As <see cref="Start"/>, for another program built next to the tests (e.g. "Rig.Archive.dll").</summary>
    public static ServiceProcess StartProgram(string program, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var directory = AppContext.BaseDirectory;
        var dll = Path.Combine(directory, program);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("the service is not built next to the tests", dll);
        }
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // Plain console lines, no colour codes, and not the test host's own environment name. A test run under
        // systemd must not hand the child a deployed configuration or state directory.
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment.Remove("CONFIGURATION_DIRECTORY");
        start.Environment.Remove("STATE_DIRECTORY");
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// Waits until <paramref name="occurrences"/> lines of the output (already written ones count) contain
    /// <paramref name="text"/> (ordinal). Fails with the output so far when the time-out passes or the process
    /// exits first.
    /// </summary>
    public async Task WaitForLogAsync(string text, TimeSpan timeout, int occurrences = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var deadline = DateTime.UtcNow + timeout;
        while (CountLines(text) < occurrences)
        {
            if (_process.HasExited)
            {
                // Output may still be draining; the exit is only reported once both streams closed.
                await _process.WaitForExitAsync().WaitAsync(KillWait);
                if (CountLines(text) >= occurrences)
                {
                    return;
                }
                throw new InvalidOperationException($"the service exited (code {_process.ExitCode}) before logging \"{text}\" {occurrences}×:\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the service did not log \"{text}\" {occurrences}× within {timeout}:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>How many lines written so far contain <paramref name="text"/> (ordinal).</summary>
    public int CountLines(string text)
    {
        lock (_lock)
        {
            return _lines.Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Waits for the process to end on its own (a refused start); fails with the output after <paramref name="timeout"/>.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the service did not exit within {timeout}:\n{Output}");
        }
    }

    /// <summary>SIGKILL (the whole process tree): no shutdown code runs, like a power cut for the process. Waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) when (_process.HasExited)
        {
            // It exited between the check and the kill.
        }
        await _process.WaitForExitAsync().WaitAsync(KillWait);
    }

    /// <summary>
    /// SIGTERM (what systemd sends): the host stops its services in order. Waits up to <paramref name="timeout"/>
    /// (default 15 s) for the exit, then kills. Returns true when it exited on its own.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return true;
        }
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(KillWait);
        }
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
            return true;
        }
        catch (TimeoutException)
        {
            await KillAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lock)
        {
            _lines.Add(line);
        }
    }
}
