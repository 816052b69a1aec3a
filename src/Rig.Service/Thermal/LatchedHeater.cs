using Rig.Drivers.Faults;
using Rig.Drivers.Heaters;
using UnitsNet;

namespace Rig.Service.Thermal;

/// <summary>
/// The one door to a zone's heater output, shared by its control loop and its safety watcher (they run on
/// different threads). Once tripped, the heater stays off whatever the loop asks until an operator clears
/// the fault. Thread-safe.
/// </summary>
public sealed class LatchedHeater
{
    private readonly IHeaterOutput _output;
    private readonly Lock _lock = new();
    private HardwareFault? _fault;

    public LatchedHeater(IHeaterOutput output)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
    }

    public string Device => _output.Device;

    public HardwareFault? Fault
    {
        get
        {
            lock (_lock)
            {
                return _fault;
            }
        }
    }

    public Ratio Duty
    {
        get
        {
            lock (_lock)
            {
                return _output.Duty;
            }
        }
    }

    /// <summary>Drives the heater unless latched off (then it is turned off again).</summary>
    public void Drive(Ratio duty)
    {
        lock (_lock)
        {
            if (_fault is not null)
            {
                _output.TurnOff(); // may throw (a broken output): the zone loop's net handles it, the latch holds
                return;
            }
            _output.SetDuty(duty);
        }
    }

    /// <summary>
    /// Latched, then heater off. True if this is a new fault (the first since the last clear). The latch comes first: an
    /// output whose off throws (its contract says it must not) is still latched, so no later Drive turns it on; the
    /// failure is returned in <paramref name="offFailure"/> for the alarm, and the output's dead-man, no longer
    /// refreshed, turns it off.
    /// </summary>
    public bool Trip(HardwareFault fault, out Exception? offFailure)
    {
        lock (_lock)
        {
            var isNew = _fault is null;
            _fault ??= fault;
            offFailure = null;
            try
            {
                _output.TurnOff();
            }
            catch (Exception ex)
            {
                offFailure = ex;
            }
            return isNew;
        }
    }

    /// <summary>Un-latches; returns the fault cleared, if any. The heater stays off until the next <see cref="Drive"/>.</summary>
    public HardwareFault? Clear()
    {
        lock (_lock)
        {
            var cleared = _fault;
            _fault = null;
            return cleared;
        }
    }

    public void TurnOff()
    {
        lock (_lock)
        {
            _output.TurnOff();
        }
    }
}
