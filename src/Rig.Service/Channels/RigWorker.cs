using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Hardware;
using Rig.Service.Thermal;

namespace Rig.Service.Channels;

/// <summary>
/// The hosted worker: one loop per heater zone and per channel, all on the rig clock. On stop (SIGTERM,
/// Ctrl+C) or if anything escapes, the rig is put in its safe state before the process ends.
/// </summary>
public sealed partial class RigWorker : BackgroundService
{
    private static readonly TimeSpan EmergencyStopPollPeriod = TimeSpan.FromMilliseconds(100);
    private readonly RigHardware _hardware;
    private readonly RigState _state;
    private readonly RigEvents _events;
    private readonly RigSafety _safety;
    private readonly HeaterZones _heaterZones;
    private readonly IEnumerable<IChannelObserver> _observers;
    private readonly RigOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<RigWorker> _logger;

    public RigWorker(
        RigHardware hardware,
        RigState state,
        RigEvents events,
        RigSafety safety,
        HeaterZones heaterZones,
        IEnumerable<IChannelObserver> observers,
        IOptions<RigOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _hardware = hardware;
        _state = state;
        _events = events;
        _safety = safety;
        _heaterZones = heaterZones;
        _observers = observers;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<RigWorker>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var observers = _observers.ToList();
        var loops = new List<Task>();
        try
        {
            await _safety.MakeSafeAsync("start-up");
            if (_hardware.EmergencyStop is { } emergencyStop)
            {
                // Polled faster than the channels sample: a pressed e-stop must act within a fraction of a second.
                var period = _options.SamplePeriod < EmergencyStopPollPeriod ? _options.SamplePeriod : EmergencyStopPollPeriod;
                var monitor = new EmergencyStopMonitor(emergencyStop, _state, _events, _safety, _time, period);
                await monitor.TickAsync(); // before any loop can drive an output
                loops.Add(Task.Run(() => monitor.RunAsync(stoppingToken), stoppingToken));
            }
            foreach (var zone in _heaterZones.Controllers)
            {
                loops.Add(Task.Run(() => zone.RunAsync(stoppingToken), stoppingToken));
            }
            foreach (var channel in _hardware.Channels.Values)
            {
                var loop = new ChannelLoop(channel, _state, _events, observers, _time, _options.SamplePeriod, _options.DeviceTimeout, _loggers.CreateLogger<ChannelLoop>());
                loops.Add(Task.Run(() => loop.RunAsync(stoppingToken), stoppingToken));
            }
            var stuck = new StuckLoopWatch(_hardware, _state, _events, _time, Composition.SystemdWatchdog.StaleLimit(_options), _options.DeviceTimeout,
                _loggers.CreateLogger<StuckLoopWatch>());
            loops.Add(Task.Run(() => stuck.RunAsync(stoppingToken), stoppingToken));
            LogStarted(_options.Id, _hardware.Channels.Count, _hardware.Zones.Count, _options.SamplePeriod);
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // normal shutdown
        }
        catch (Exception ex)
        {
            LogLoopDied(ex);
            throw;
        }
        finally
        {
            await _safety.MakeSafeAsync(stoppingToken.IsCancellationRequested ? "service stopping" : "worker ended");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rig {RigId} running: {Channels} channel(s), {Zones} heater zone(s), sampling every {Period}")]
    private partial void LogStarted(string rigId, int channels, int zones, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A rig loop died; the rig is being put in its safe state")]
    private partial void LogLoopDied(Exception ex);
}
