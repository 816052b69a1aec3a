using System.Globalization;
using Rig.Drivers.DigitalInputs;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// Watches one zone from outside its control loop, on its own timer (Klipper verify_heater style), and trips
/// the <see cref="LatchedHeater"/> (heater off, latched) on: a sensor fault or stale reading (at once); over-
/// temperature (at once); runaway - above target by the runaway margin and still rising by the heating gain (a
/// welded SSR); "not heating at expected rate" (verify_heater's error integral and heating-gain check); a stuck
/// sensor (<see cref="StuckSensorCheck"/>: no noise, or no answer to the heater's power); a stalled control
/// loop (no loop run within the stall time-out); and the block's thermal cut-out switch opening (an input independent
/// of the sensor, read on every watcher pass and every loop run). Thread-safe.
/// </summary>
public sealed class ThermalSafety : IDisposable
{
    private readonly ThermalSafetyOptions _options;
    private readonly double _maxCelsius;
    private readonly string _zoneId;
    private readonly string _sensorDevice;
    private readonly LatchedHeater _heater;
    private readonly TimeProvider _time;
    private readonly Action<HardwareFault> _onTrip;
    private readonly Lock _lock = new();
    private readonly VerifyHeater _verify;
    private readonly StuckSensorCheck _stuck;
    private readonly IDigitalInput? _cutOut;
    private ITimer? _timer;
    private DateTimeOffset? _loopRanAt;
    private TemperatureReading? _latest;
    private double _targetCelsius;
    private double? _lowestAboveBandCelsius;

    public ThermalSafety(string zoneId, HeaterZoneOptions zone, string sensorDevice, LatchedHeater heater, TimeProvider time, Action<HardwareFault> onTrip, IDigitalInput? cutOut = null)
    {
        _cutOut = cutOut;
        ArgumentNullException.ThrowIfNull(zone);
        _options = zone.Safety;
        _maxCelsius = zone.MaxCelsius;
        _zoneId = zoneId;
        _sensorDevice = sensorDevice;
        _heater = heater;
        _time = time;
        _onTrip = onTrip;
        _verify = new VerifyHeater(_options);
        _stuck = new StuckSensorCheck(_options);
    }

    /// <summary>Starts the watcher's own timer; from now on a loop that stops running is a fault.</summary>
    public void Start()
    {
        lock (_lock)
        {
            _loopRanAt ??= _time.GetUtcNow();
            _timer ??= _time.CreateTimer(_ => Check(), null, _options.CheckPeriod, _options.CheckPeriod);
        }
    }

    /// <summary>Stops watching (the loop ended on purpose: service stopping, heater already off).</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            _loopRanAt = null;
        }
    }

    /// <summary>The control loop ran (whatever the sensor said): the stall watch is satisfied.</summary>
    public void LoopRan()
    {
        lock (_lock)
        {
            _loopRanAt = _time.GetUtcNow();
        }
    }

    /// <summary>A good reading and the target the loop is regulating to. Trips at once on stale, over-temperature or runaway.</summary>
    public void Observe(TemperatureReading reading, Temperature target)
    {
        HardwareFault? fault;
        lock (_lock)
        {
            _latest = reading;
            _targetCelsius = target.DegreesCelsius;
            fault = CutOutOpen() ?? Stale(_time.GetUtcNow()) ?? OverTemperature(reading) ?? Runaway(reading) ?? Stuck(reading);
        }
        if (fault is not null)
        {
            Trip(fault);
        }
    }

    /// <summary>
    /// A good reading while the heater is held off on purpose (e-stop, all-off): the reading is current, so the stale
    /// watch stays honest, and the heating checks start afresh (an off heater is not a failed one). Over-temperature
    /// still trips.
    /// </summary>
    public void Held(TemperatureReading reading)
    {
        HardwareFault? fault;
        lock (_lock)
        {
            _latest = reading;
            _verify.Reset();
            _lowestAboveBandCelsius = null;
            fault = CutOutOpen() ?? OverTemperature(reading);
        }
        if (fault is not null)
        {
            Trip(fault);
        }
    }

    /// <summary>The sensor failed (fault flag, out of range, time-out): heater off at once.</summary>
    public void SensorFailed(HardwareFault fault) => Trip(fault);

    /// <summary>After an operator clears the latch: start the checks afresh.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _verify.Reset();
            _stuck.Reset();
            _lowestAboveBandCelsius = null;
            _latest = null;
            _loopRanAt = _timer is null ? null : _time.GetUtcNow();
        }
    }

    /// <summary>True while the zone's thermal cut-out reads open (false when none is fitted or it cannot be read).</summary>
    public bool CutOutIsOpen() => CutOutOpen() is not null;

    public void Dispose() => _timer?.Dispose();

    /// <summary>One watcher pass (the timer's callback; tests may call it).</summary>
    internal void Check()
    {
        HardwareFault? fault = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (_heater.Fault is not null)
            {
                return; // already off and latched
            }
            if (CutOutOpen() is { } open)
            {
                fault = open;
            }
            else if (_loopRanAt is { } ranAt && now - ranAt > _options.LoopStallTimeout)
            {
                fault = Fault(FaultKind.ControlLoopStalled, _heater.Device,
                    $"control loop has not run for {(now - ranAt).TotalSeconds:0.#} s (limit {_options.LoopStallTimeout.TotalSeconds:0.#} s)",
                    "the service log for a hung sensor read or an exception in the zone loop");
            }
            else if (_latest is { } latest)
            {
                fault = Stale(now) ?? (_verify.Check(now, latest.Temperature.DegreesCelsius, _targetCelsius)
                    ? Fault(FaultKind.HeaterFault, _heater.Device,
                        $"not heating at expected rate (below {_targetCelsius - _options.HysteresisKelvin:0.#} °C for too long)",
                        "the heater's wiring, fuse and SSR, and that the sensor sits in the heated block")
                    : null);
            }
        }
        if (fault is not null)
        {
            Trip(fault);
        }
    }

    private void Trip(HardwareFault fault)
    {
        if (_heater.Trip(fault, out var offFailure))
        {
            _onTrip(offFailure is null ? fault : fault with
            {
                Message = $"{fault.Message}; the heater output did not confirm off ({offFailure.GetType().Name}: {offFailure.Message}): its dead-man turns it off without refreshes",
            });
        }
    }

    // Caller holds _lock.
    private HardwareFault? Stale(DateTimeOffset now) =>
        _latest is { } latest && now - latest.Timestamp > _options.MaxReadingAge
            ? Fault(FaultKind.SensorStale, _sensorDevice, $"last reading is {(now - latest.Timestamp).TotalSeconds:0.#} s old",
                "the sensor's bus and the zone loop's log")
            : null;

    // The cut-out is read on its own, never through the sensor. A GPIO read that throws counts as open: the input
    // that is there to catch what the sensor misses must fail towards heater off.
    private HardwareFault? CutOutOpen()
    {
        if (_cutOut is null)
        {
            return null;
        }
        bool open;
        string detail;
        try
        {
            open = _cutOut.IsActive();
            detail = "the block's thermal cut-out switch is open";
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            open = true;
            detail = $"the thermal cut-out input cannot be read ({ex.Message})";
        }
        return open
            ? Fault(FaultKind.CutOut, _cutOut.Device, $"{detail}: heater off whatever {_sensorDevice} reads",
                "the block's real temperature with a separate thermometer, the heater's SSR for a weld, the cut-out's wiring; it closes again once the block cools")
            : null;
    }

    private HardwareFault? OverTemperature(TemperatureReading reading) =>
        reading.Temperature.DegreesCelsius >= _maxCelsius
            ? Fault(FaultKind.OverTemperature, _sensorDevice,
                $"{reading.Temperature.DegreesCelsius:0.##} °C is at or above the cut-off {_maxCelsius:0.#} °C",
                "the heater output for a welded SSR or shorted MOSFET; let the block cool before clearing")
            : null;

    // Caller holds _lock. Above the band and still climbing by the heating gain: the controller is asking
    // for nothing, so heat is coming from a stuck output. A lowered setpoint only cools, so it never trips.
    private HardwareFault? Runaway(TemperatureReading reading)
    {
        var celsius = reading.Temperature.DegreesCelsius;
        if (celsius <= _targetCelsius + _options.RunawayMarginKelvin)
        {
            _lowestAboveBandCelsius = null;
            return null;
        }
        _lowestAboveBandCelsius = Math.Min(_lowestAboveBandCelsius ?? celsius, celsius);
        return celsius - _lowestAboveBandCelsius.Value >= _options.HeatingGainKelvin
            ? Fault(FaultKind.HeaterFault, _heater.Device,
                $"thermal runaway: {celsius:0.##} °C, more than {_options.RunawayMarginKelvin:0.#} K above target and still rising",
                "the SSR/MOSFET for a short (welded contact): the heater is on while commanded off")
            : null;
    }

    // Caller holds _lock. The duty the heater ran at up to this reading is the one it must answer.
    private HardwareFault? Stuck(TemperatureReading reading) =>
        _stuck.Observe(reading.Timestamp, reading.Temperature.DegreesCelsius, _heater.Duty.DecimalFractions) is { } why
            ? Fault(FaultKind.SensorStuck, _sensorDevice, why,
                "the sensor and its converter (a hung MAX31865/MCP960x repeats its last value), and that the probe sits in the heated block")
            : null;

    private HardwareFault Fault(FaultKind kind, string device, string message, string whatToCheck) =>
        new(kind, device, string.Create(CultureInfo.InvariantCulture, $"zone {_zoneId}: {message}"), whatToCheck);
}
