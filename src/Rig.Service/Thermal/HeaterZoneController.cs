using System.Globalization;
using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Drivers.TemperatureSensors;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// One heater zone: the only reader of its sensor and the only writer of its heater. Each period it reads the
/// sensor (bounded by the device time-out), shows the reading to the <see cref="ThermalSafety"/> watcher,
/// computes a duty (PID, or the relay while autotuning), drives the heater through the <see cref="LatchedHeater"/>
/// (a refresh that feeds the output's dead-man), and records a <see cref="ZoneReading"/> for the channels.
/// Operator calls come from other threads and are serialised with the loop.
/// </summary>
public sealed partial class HeaterZoneController : IDisposable
{
    private readonly HeaterZoneHardware _zone;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _deviceTimeout;
    private readonly ILogger _logger;
    private readonly ZoneFaultReaction _reaction;
    private readonly LatchedHeater _heater;
    private readonly ThermalSafety _safety;
    private readonly PidController _pid;
    private readonly Lock _lock = new();
    private Temperature _setpoint;
    private RelayAutotune? _autotune;
    private AutotuneProposal? _proposal;
    private TemperatureReading? _latest;
    private int _loopFailedLogged;

    public HeaterZoneController(HeaterZoneHardware zone, RigState state, ZoneFaultReaction reaction, TimeProvider time, TimeSpan deviceTimeout, ILogger logger)
    {
        _zone = zone ?? throw new ArgumentNullException(nameof(zone));
        _state = state;
        _reaction = reaction;
        _time = time;
        _deviceTimeout = deviceTimeout;
        _logger = logger;
        var options = zone.Options;
        _setpoint = Temperature.FromDegreesCelsius(options.SetpointCelsius);
        _heater = new LatchedHeater(zone.Heater);
        _pid = new PidController(PidGains.From(options.Pid), MaxPower, TimeSpan.FromSeconds(options.Pid.DerivativeSmoothingSeconds));
        _safety = new ThermalSafety(zone.Id, options, zone.Sensor.Device, _heater, time, OnTrip, zone.CutOut);
    }

    public string ZoneId => _zone.Id;

    private Ratio MaxPower => Ratio.FromDecimalFractions(_zone.Options.MaxPowerFraction);

    /// <summary>Runs the loop until stopped; the heater is off when it returns.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        StartWatching();
        try
        {
            using var timer = new PeriodicTimer(_zone.Options.ControlPeriod, _time);
            do
            {
                await TickAsync(stoppingToken);
                _state.Heartbeat.Beat($"zone {_zone.Id}", _time.GetUtcNow());
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            _safety.Stop(); // a loop that ended on purpose is not a stalled one
            try
            {
                _heater.TurnOff();
            }
            catch (Exception ex)
            {
                LogUnexpected(ex, _zone.Id); // the output's dead-man turns it off without refreshes
            }
        }
    }

    /// <summary>Starts the safety watcher's own timer (RunAsync does it; tests driving ticks by hand call it).</summary>
    public void StartWatching() => _safety.Start();

    /// <summary>
    /// One control period. Nothing escapes it but the stop: whatever else is thrown (a bug in the controller or the
    /// safety code, a heater output that throws) ends with the heater off and latched, an alarm naming the zone and
    /// what threw, the channels it warms held by ZoneTripped; the loop ticks on, so its heartbeat says it is alive and
    /// an operator's clear-fault brings the heater back.
    /// </summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TickCoreAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LoopFailed(ex);
        }
    }

    private void LoopFailed(Exception ex)
    {
        if (Interlocked.Exchange(ref _loopFailedLogged, 1) == 0)
        {
            LogLoopFailed(ex, _zone.Id); // once until cleared: a broken output throws every period
        }
        try
        {
            _safety.SensorFailed(new HardwareFault(FaultKind.ControlLoopStalled, _heater.Device,
                $"zone {_zone.Id}'s control loop failed: {ex.GetType().Name}: {ex.Message}", "the service log for the stack trace, then clear-fault"));
        }
        catch (Exception again)
        {
            LogUnexpected(again, _zone.Id);
        }
    }

    private async Task TickCoreAsync(CancellationToken cancellationToken)
    {
        _safety.LoopRan();
        TemperatureReading reading;
        try
        {
            reading = await DeviceCall.WithTimeout(_zone.Sensor.ReadAsync, _zone.Sensor.Device, _deviceTimeout, _time, cancellationToken);
        }
        catch (HardwareFaultException ex)
        {
            _safety.SensorFailed(ex.Fault);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Also a driver's own cancellation (its internal time-out): only the stop may end the loop.
            LogUnexpected(ex, _zone.Id);
            _safety.SensorFailed(new HardwareFault(FaultKind.SensorFault, _zone.Sensor.Device, $"{ex.GetType().Name}: {ex.Message}", "the sensor's wiring and the service log"));
            return;
        }
        try
        {
            Regulate(reading);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnexpected(ex, _zone.Id);
            _safety.SensorFailed(new HardwareFault(FaultKind.HeaterFault, _heater.Device, ex.Message, "the heater output and the service log"));
        }
        _state.RecordZone(new ZoneReading(_zone.Id, reading.Timestamp, reading.Temperature, _heater.Duty, Setpoint));
    }

    public Temperature Setpoint
    {
        get
        {
            lock (_lock)
            {
                return _setpoint;
            }
        }
    }

    public HeaterZoneStatus Status()
    {
        lock (_lock)
        {
            var fault = _heater.Fault;
            var mode = fault is not null ? HeaterZoneMode.Faulted : _autotune is not null ? HeaterZoneMode.Autotuning : HeaterZoneMode.Regulating;
            var progress = _autotune is { } tune
                ? new AutotuneProgress(tune.Target, tune.PeaksRecorded, _zone.Options.Autotune.Peaks, tune.StartedAt)
                : null;
            return new HeaterZoneStatus(_zone.Id, mode, _latest?.Temperature, _setpoint, _heater.Duty, _pid.Gains, fault, _proposal, progress,
                _zone.CutOut is null ? null : _safety.CutOutIsOpen());
        }
    }

    public CommandResult SetSetpoint(Temperature setpoint)
    {
        var celsius = setpoint.DegreesCelsius;
        if (!double.IsFinite(celsius) || celsius < 0 || celsius >= _zone.Options.MaxCelsius)
        {
            return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                $"setpoint {celsius:0.##} °C must be at least 0 °C and below the zone's cut-off {_zone.Options.MaxCelsius:0.#} °C"));
        }
        lock (_lock)
        {
            if (_autotune is not null)
            {
                return CommandResult.Refused("an autotune is running; cancel it first");
            }
            _setpoint = setpoint;
        }
        _reaction.Info(_zone.Id, "heater.setpoint_changed", string.Create(CultureInfo.InvariantCulture, $"setpoint {celsius:0.##} °C"));
        return CommandResult.Ok(string.Create(CultureInfo.InvariantCulture, $"zone {_zone.Id} setpoint {celsius:0.##} °C"));
    }

    public CommandResult SetGains(PidGains gains)
    {
        ArgumentNullException.ThrowIfNull(gains);
        if (gains.Problem() is { } problem)
        {
            return CommandResult.Refused(problem);
        }
        lock (_lock)
        {
            _pid.SetGains(gains);
        }
        _reaction.Info(_zone.Id, "heater.gains_changed", $"gains {gains}");
        return CommandResult.Ok($"zone {_zone.Id} gains {gains}");
    }

    public CommandResult ClearFault()
    {
        lock (_lock)
        {
            if (_heater.Fault is null)
            {
                return CommandResult.Refused($"zone {_zone.Id} has no latched fault");
            }
            if (_latest is { } latest && latest.Temperature.DegreesCelsius >= _zone.Options.MaxCelsius)
            {
                return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                    $"zone {_zone.Id} is still at {latest.Temperature.DegreesCelsius:0.#} °C, at or above its cut-off: let it cool"));
            }
            if (_safety.CutOutIsOpen())
            {
                return CommandResult.Refused($"zone {_zone.Id}: the thermal cut-out is still open; let the block cool (and check why it got that hot) before clearing");
            }
            var cleared = _heater.Clear();
            Interlocked.Exchange(ref _loopFailedLogged, 0);
            _pid.Reset();
            _safety.Reset();
            _reaction.Cleared(_zone.Id, cleared!);
            return CommandResult.Ok($"zone {_zone.Id}: fault cleared ({cleared!.Kind}); heating resumes");
        }
    }

    public CommandResult StartAutotune() => StartAutotune(null);

    /// <summary>
    /// Relay autotune around <paramref name="target"/> (the set-point when null). The relay overshoots the target by
    /// about its amplitude, so the target must leave <see cref="AutotuneHeadroomKelvin"/> below the cut-off.
    /// </summary>
    public CommandResult StartAutotune(Temperature? target)
    {
        var max = _zone.Options.MaxCelsius;
        if (target is { } t && (!double.IsFinite(t.DegreesCelsius) || t.DegreesCelsius < 0 || t.DegreesCelsius > max - AutotuneHeadroomKelvin))
        {
            return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                $"autotune target {t.DegreesCelsius:0.##} °C must be between 0 °C and {AutotuneHeadroomKelvin:0} K below the zone's cut-off ({max - AutotuneHeadroomKelvin:0.#} °C): the relay overshoots its target"));
        }
        Temperature around;
        lock (_lock)
        {
            if (_heater.Fault is { } fault)
            {
                return CommandResult.Refused($"zone {_zone.Id} is faulted ({fault.Kind}); clear the fault first");
            }
            if (_autotune is not null)
            {
                return CommandResult.Refused($"zone {_zone.Id} is already autotuning");
            }
            around = target ?? _setpoint;
            if (around.DegreesCelsius > max - AutotuneHeadroomKelvin)
            {
                return CommandResult.Refused(string.Create(CultureInfo.InvariantCulture,
                    $"the set-point {around.DegreesCelsius:0.##} °C is within {AutotuneHeadroomKelvin:0} K of the cut-off ({max:0.#} °C); give a lower target"));
            }
            var tune = _zone.Options.Autotune;
            _autotune = new RelayAutotune(around, tune.HysteresisKelvin, MaxPower, tune.Peaks, _time.GetUtcNow(), tune.MaxDuration);
        }
        var message = string.Create(CultureInfo.InvariantCulture, $"relay autotune around {around.DegreesCelsius:0.#} °C");
        _reaction.Info(_zone.Id, "heater.autotune_started", message);
        return CommandResult.Ok($"zone {_zone.Id}: {message} started");
    }

    /// <summary>How far below the cut-off an autotune target must stay: the relay's first overshoot is the largest.</summary>
    public const double AutotuneHeadroomKelvin = 5;

    public CommandResult CancelAutotune()
    {
        lock (_lock)
        {
            if (_autotune is null)
            {
                return CommandResult.Refused($"zone {_zone.Id} is not autotuning");
            }
            _autotune = null;
            _pid.Reset();
        }
        _reaction.Info(_zone.Id, "heater.autotune_cancelled", "autotune cancelled; PID resumes");
        return CommandResult.Ok($"zone {_zone.Id}: autotune cancelled");
    }

    public CommandResult AcceptAutotune()
    {
        AutotuneProposal proposal;
        lock (_lock)
        {
            if (_proposal is null)
            {
                return CommandResult.Refused($"zone {_zone.Id} has no autotune proposal");
            }
            proposal = _proposal;
            _proposal = null;
        }
        return SetGains(proposal.Gains);
    }

    /// <summary>Discards the last autotune's proposal; the gains in use stay.</summary>
    public CommandResult RejectAutotune()
    {
        AutotuneProposal proposal;
        lock (_lock)
        {
            if (_proposal is null)
            {
                return CommandResult.Refused($"zone {_zone.Id} has no autotune proposal");
            }
            proposal = _proposal;
            _proposal = null;
        }
        _reaction.Info(_zone.Id, "heater.autotune_rejected", $"proposal {proposal.Gains} rejected; gains unchanged");
        return CommandResult.Ok($"zone {_zone.Id}: proposal rejected, gains unchanged ({Status().Gains})");
    }

    public void Dispose() => _safety.Dispose();

    private void Regulate(TemperatureReading reading)
    {
        Ratio duty;
        lock (_lock)
        {
            _latest = reading;
            if (_state.EmergencyStopActive || _state.Interlocks.HoldsHeaters)
            {
                // The e-stop (and all-off) holds the heater off until an operator clears it; the controller restarts
                // from rest then. The watcher still sees every reading, so a long hold is not a stale sensor and a
                // cold block is not "not heating", but a block that overheats with the heater off still trips.
                _pid.Reset();
                _autotune = null;
                _safety.Held(reading);
                duty = Ratio.Zero;
            }
            else
            {
                _safety.Observe(reading, _setpoint);
                duty = _autotune is { } tune ? Tune(tune, reading) : _pid.Update(reading, _setpoint);
            }
        }
        _heater.Drive(duty);
    }

    // Caller holds _lock.
    private Ratio Tune(RelayAutotune tune, TemperatureReading reading)
    {
        var duty = tune.Update(reading);
        if (tune.IsComplete)
        {
            _proposal = tune.Proposal();
            _autotune = null;
            _pid.Reset();
            _reaction.Info(_zone.Id, "heater.autotune_done", $"autotune proposes {_proposal!.Gains} (block +{_proposal.Model.KelvinPerSecondPerDuty:0.###} K/s at full power, probe lag {_proposal.Model.Lag.TotalSeconds:0.#} s, dead time {_proposal.Model.DeadTime.TotalSeconds:0.#} s; Ku {_proposal.UltimateGainPerKelvin:0.###}/K, Tu {_proposal.UltimatePeriod.TotalSeconds:0} s); accept to apply");
            return _pid.Update(reading, _setpoint);
        }
        if (tune.TimedOut)
        {
            _autotune = null;
            _pid.Reset();
            _reaction.Info(_zone.Id, "heater.autotune_failed", "autotune did not complete in time; PID resumes with the old gains");
            return _pid.Update(reading, _setpoint);
        }
        return duty;
    }

    private void OnTrip(HardwareFault fault)
    {
        lock (_lock)
        {
            _autotune = null;
            _pid.Reset();
        }
        _reaction.Tripped(_zone.Id, fault);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Zone {Zone}: the control loop threw; heater off and latched, its channels held until clear-fault")]
    private partial void LogLoopFailed(Exception ex, string zone);

    [LoggerMessage(Level = LogLevel.Error, Message = "Zone {Zone}: unexpected error in the control loop; heater off and latched")]
    private partial void LogUnexpected(Exception ex, string zone);
}
