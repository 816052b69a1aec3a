using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Channels;

/// <summary>
/// A heater zone's loop: reads its temperature sensor every period and records it for the channels it serves.
/// A sensor fault turns the heater off at once. (Closed-loop control of the heater is the heater issue's work;
/// until then the heater is held off.)
/// </summary>
public sealed partial class ZoneLoop
{
    private readonly HeaterZoneHardware _zone;
    private readonly RigState _state;
    private readonly RigEvents _events;
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private bool _sensorFaulted;

    public ZoneLoop(HeaterZoneHardware zone, RigState state, RigEvents events, TimeProvider time, TimeSpan period, TimeSpan deviceTimeout, ILogger logger)
    {
        _zone = zone;
        _state = state;
        _events = events;
        _time = time;
        _period = period;
        _timeout = deviceTimeout;
        _logger = logger;
    }

    public Task RunAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(_period, _time, async ct =>
    {
        await TickAsync(ct);
        _state.Heartbeat.Beat($"zone {_zone.Id}", _time.GetUtcNow());
    }, stoppingToken);

    public async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            var reading = await DeviceCall.WithTimeout(_zone.Sensor.ReadAsync, _zone.Sensor.Device, _timeout, _time, cancellationToken);
            _state.RecordZone(new ZoneReading(_zone.Id, reading.Timestamp, reading.Temperature, _zone.Heater.Duty,
                Temperature.FromDegreesCelsius(_zone.Options.SetpointCelsius)));
            _sensorFaulted = false;
            if (_state.EmergencyStopActive)
            {
                _zone.Heater.TurnOff();
            }
        }
        catch (HardwareFaultException ex)
        {
            _zone.Heater.TurnOff();
            if (!_sensorFaulted)
            {
                _sensorFaulted = true;
                _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, _zone.Id, RigEvent.CodeFor(ex.Kind), ex.Fault.ToString(), ex.Fault));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _zone.Heater.TurnOff();
            LogUnexpected(ex, _zone.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Zone {Zone}: unexpected error reading the sensor; heater off")]
    private partial void LogUnexpected(Exception ex, string zone);
}
