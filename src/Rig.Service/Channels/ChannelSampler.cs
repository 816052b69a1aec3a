using Rig.Drivers.Faults;
using Rig.Drivers.Quantities;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.Channels;

/// <summary>Takes one <see cref="ChannelSample"/>: instrument, clamp, zone temperature; each call bounded by the device time-out.</summary>
public sealed class ChannelSampler
{
    private readonly ChannelHardware _hardware;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public ChannelSampler(ChannelHardware hardware, RigState state, TimeProvider time, TimeSpan deviceTimeout)
    {
        _hardware = hardware;
        _state = state;
        _time = time;
        _timeout = deviceTimeout;
    }

    /// <summary>
    /// Samples the channel. An instrument failure throws (there is no sample without V and I); a clamp failure is
    /// returned beside a sample that has no force.
    /// </summary>
    public async ValueTask<(ChannelSample Sample, HardwareFault? ClampFault)> SampleAsync(CancellationToken cancellationToken)
    {
        var instrument = _hardware.Instrument;
        var reading = await DeviceCall.WithTimeout(instrument.MeasureAsync, instrument.Device, _timeout, _time, cancellationToken);
        var monotonic = MonotonicTime.Now(_time);

        HardwareFault? clampFault = null;
        Force? force = null;
        Pressure? pressure = null;
        try
        {
            if (_state.IsClampBeingCalibrated(_hardware.Id))
            {
                return (new ChannelSample(_hardware.Id, reading.Timestamp, reading.Voltage, reading.Current, reading.OutputOn,
                    reading.InCompliance, null, null, ZoneTemperature(), monotonic, reading.SourcedCharge), null);
            }
            var forceReading = await DeviceCall.WithTimeout(_hardware.ForceSensor.ReadAsync, _hardware.ForceSensor.Device, _timeout, _time, cancellationToken);
            force = forceReading.Force;
            pressure = StackPressure.FromForce(forceReading.Force, _hardware.CellArea);
        }
        catch (HardwareFaultException ex)
        {
            clampFault = ex.Fault.ForChannel(_hardware.Id);
        }

        var temperature = ZoneTemperature();

        var sample = new ChannelSample(_hardware.Id, reading.Timestamp, reading.Voltage, reading.Current,
            reading.OutputOn, reading.InCompliance, force, pressure, temperature, monotonic, reading.SourcedCharge);
        return (sample, clampFault);
    }

    /// <summary>
    /// The zone's temperature as its loop last read it, or null when there is none yet or it is older than the zone's
    /// Safety:MaxReadingAge: a stale reading is missing data, never repeated as if it were current.
    /// </summary>
    private Temperature? ZoneTemperature()
    {
        if (_hardware.Zone is not { } zone || _state.Zone(zone.Id) is not { } zoneReading)
        {
            StaleZone = null;
            return null;
        }
        var age = _time.GetUtcNow() - zoneReading.Timestamp;
        if (age > zone.Options.Safety.MaxReadingAge)
        {
            StaleZone = FormattableString.Invariant(
                $"zone {zone.Id}'s temperature is {age.TotalSeconds:0.#} s old (limit {zone.Options.Safety.MaxReadingAge.TotalSeconds:0.#} s); recorded as missing");
            return null;
        }
        StaleZone = null;
        return zoneReading.Temperature;
    }

    /// <summary>After <see cref="SampleAsync"/>: why the zone temperature was left out as stale, or null when it was fresh or the channel has no zone.</summary>
    public string? StaleZone { get; private set; }
}
