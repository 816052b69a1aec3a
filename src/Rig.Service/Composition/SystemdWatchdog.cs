using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;

namespace Rig.Service.Composition;

/// <summary>
/// Sends <c>WATCHDOG=1</c> to systemd every half <c>WatchdogSec=</c>, but only while every control loop has ticked
/// recently (<see cref="LoopHeartbeat"/>). <c>UseSystemd()</c> sends READY/STOPPING only; without this a process
/// whose loops hung would look healthy to systemd. When a loop goes stale the pings stop, systemd kills the
/// service (SIGABRT, then SIGKILL) and <c>Restart=on-failure</c> starts it again; the SSR gate pull-down turns the
/// heater off while no process drives it (hardware/README.md).
/// </summary>
public sealed partial class SystemdWatchdog : BackgroundService
{
    private readonly ISystemdNotifier? _notifier;
    private readonly LoopHeartbeat _heartbeat;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _timeout;
    private readonly ILogger<SystemdWatchdog> _logger;
    private bool _withholding;
    private PeriodicTimer? _timer;

    public SystemdWatchdog(
        IServiceProvider services,
        RigState state,
        IOptions<RigOptions> options,
        TimeProvider time,
        SystemdWatchdogTimeout timeout,
        ILogger<SystemdWatchdog> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeout);
        // Registered by AddSystemd() only when the process runs under systemd (or NOTIFY_SOCKET is set, see below).
        _notifier = services.GetService<ISystemdNotifier>();
        _heartbeat = state.Heartbeat;
        _time = time;
        _timeout = timeout.Value;
        _logger = logger;
        StaleAfter = StaleLimit(options.Value);
    }

    /// <summary>
    /// A loop is stale when its last tick is older than this: one sample period plus four device time-outs (a
    /// channel tick makes at most three bounded device calls: instrument read, force read, output off on a fault).
    /// </summary>
    public TimeSpan StaleAfter { get; }

    /// <summary>How often the loops are checked and systemd pinged: half the watchdog time-out, as sd_watchdog_enabled(3) advises.</summary>
    public TimeSpan? PingInterval => _timeout / 2;

    internal static TimeSpan StaleLimit(RigOptions options) => options.SamplePeriod + (4 * options.DeviceTimeout);

    // The ping schedule starts with the service, not whenever the host gets round to ExecuteAsync (which .NET 10
    // runs on the thread pool): the first ping is due one interval after start-up.
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_notifier is { IsEnabled: true } && PingInterval is { } every)
        {
            _timer = new PeriodicTimer(every, _time);
        }
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timer is not { } timer)
        {
            LogWatchdogOff();
            return;
        }
        LogWatchdogOn(_timeout!.Value, PingInterval!.Value, StaleAfter);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                CheckAndPing();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // service stopping: systemd stops expecting pings once it sees STOPPING=1
        }
    }

    /// <summary>One check: pings systemd when every loop is fresh; returns whether it pinged.</summary>
    internal bool CheckAndPing()
    {
        var stale = _heartbeat.StaleLoops(_time.GetUtcNow(), StaleAfter);
        if (stale.Count > 0)
        {
            if (!_withholding)
            {
                _withholding = true;
                LogWithholding(string.Join(", ", stale), StaleAfter);
            }
            return false;
        }
        if (_withholding)
        {
            _withholding = false;
            LogResumed();
        }
        _notifier?.Notify(new ServiceState("WATCHDOG=1"));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog off (no WatchdogSec= or not run by systemd)")]
    private partial void LogWatchdogOff();

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog on: time-out {Timeout}, ping every {Every} while every loop ticked within {StaleAfter}")]
    private partial void LogWatchdogOn(TimeSpan timeout, TimeSpan every, TimeSpan staleAfter);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Watchdog ping withheld: loop(s) {Loops} have not ticked within {StaleAfter}; systemd will restart the service")]
    private partial void LogWithholding(string loops, TimeSpan staleAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "All loops tick again; watchdog pings resumed")]
    private partial void LogResumed();
}

/// <summary>The watchdog time-out systemd asks for (<c>WATCHDOG_USEC</c>), or null when it asks for none.</summary>
public sealed record SystemdWatchdogTimeout(TimeSpan? Value)
{
    /// <summary>
    /// Reads <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> the way sd_watchdog_enabled(3) does: the time-out applies
    /// only if WATCHDOG_PID is unset or names this process (a child started by the service must not ping for it).
    /// </summary>
    public static SystemdWatchdogTimeout FromEnvironment(Func<string, string?> environment, int processId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return new SystemdWatchdogTimeout((TimeSpan?)null);
        }
        var pid = environment("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return new SystemdWatchdogTimeout((TimeSpan?)null);
        }
        return new SystemdWatchdogTimeout(TimeSpan.FromMicroseconds(microseconds));
    }
}

public static class SystemdWatchdogServiceCollectionExtensions
{
    /// <summary>
    /// The watchdog, and sd_notify(3)'s own rule for readiness: notify whenever NOTIFY_SOCKET is set.
    /// <c>AddSystemd()</c> is stricter (its parent must be PID 1 named "systemd"), so under podman --sdnotify, or a
    /// test listening on its own socket, the service would never say READY=1; this registers the same notifier
    /// and lifetime AddSystemd() would have.
    /// </summary>
    public static IServiceCollection AddSystemdWatchdog(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(ISystemdNotifier))
            && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        services.TryAddSingleton(_ => SystemdWatchdogTimeout.FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId));
        services.AddHostedService<SystemdWatchdog>();
        return services;
    }
}
