using Microsoft.Extensions.Options;
using Rig.Drivers.Cells;
using Rig.Drivers.DigitalInputs;
using Rig.Drivers.DigitalInputs.Simulated;
using Rig.Drivers.Heaters.Simulated;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Drivers.Potentiostats;
using Rig.Drivers.Potentiostats.Simulated;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Hardware;

/// <summary>
/// Builds <see cref="RigHardware"/> from <see cref="RigOptions"/>: zones first (cells need their temperature),
/// then each channel's cell, instrument and clamp. One method per device family picks the driver by Kind.
/// </summary>
public sealed class RigHardwareBuilder
{
    private static readonly Temperature RoomTemperature = Temperature.FromDegreesCelsius(22);
    private readonly RigOptions _options;
    private readonly TimeProvider _time;
    private readonly SimulatedDevices _simulation = new();
    /// <summary>One SCPI session per instrument address: a B2902A's two channels share their instrument's link and gate.</summary>
    private readonly Dictionary<string, Rig.Drivers.Potentiostats.Scpi.ScpiSession> _scpiSessions = new(StringComparer.Ordinal);
    private readonly PressureSupervision.LoadCellFactory _loadCells;

    public RigHardwareBuilder(IOptions<RigOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _loadCells = new PressureSupervision.LoadCellFactory(_options, time);
    }

    public RigHardware Build()
    {
        var zones = new Dictionary<string, HeaterZoneHardware>(StringComparer.Ordinal);
        foreach (var (zoneId, zoneOptions) in _options.HeaterZones)
        {
            zones[zoneId] = BuildZone(zoneId, zoneOptions);
        }
        var channels = new Dictionary<string, ChannelHardware>(StringComparer.Ordinal);
        foreach (var (channelId, channelOptions) in _options.Channels)
        {
            zones.TryGetValue(channelOptions.HeaterZone, out var zone);
            var cell = channelOptions.Instrument.Kind == InstrumentKind.Simulated ? BuildSimulatedCell(channelId, channelOptions) : null;
            channels[channelId] = new ChannelHardware(
                channelId,
                channelOptions,
                BuildInstrument(channelId, channelOptions, cell),
                BuildForceSensor(channelId, channelOptions, cell),
                zone)
            {
                LeadSwitch = BuildLeadSwitch(channelId, channelOptions.LeadSwitch),
            };
        }
        return new RigHardware(channels, zones, BuildEmergencyStop(), _simulation);
    }

    private HeaterZoneHardware BuildZone(string zoneId, HeaterZoneOptions options)
    {
        switch (options.Kind)
        {
            case HeaterZoneKind.Simulated:
                var zone = new SimulatedThermalZone(options.Simulation, _time, zoneId, seed: StableSeed(zoneId));
                _simulation.Zones[zoneId] = zone;
                return new HeaterZoneHardware(zoneId, options, zone.Sensor, zone.Heater, BuildCutOut(zoneId, options.CutOut, zone));
            case HeaterZoneKind.Hardware:
                return HeaterZoneDeviceFactory.Build(zoneId, options, _options.DeviceTimeout, _time) with { CutOut = BuildCutOut(zoneId, options.CutOut, null) };
            default:
                throw new NotSupportedException($"{RigOptions.SectionName}:HeaterZones:{zoneId}:Kind {options.Kind} has no driver.");
        }
    }

    private SimulatedCell BuildSimulatedCell(string channelId, ChannelOptions options)
    {
        var area = options.Cell.AreaCm2;
        ICellElectrochemistry chemistry = options.Cell.Chemistry switch
        {
            CellChemistry.AnodeFreeFullCell => new AnodeFreeFullCell(area, options.Simulation.EffectiveFullCell),
            _ => new AnodeFreeHalfCell(area, options.Simulation.EffectiveHalfCell),
        };
        Func<Temperature> temperature = _simulation.Zones.TryGetValue(options.HeaterZone, out var zone)
            ? () => zone.BlockTemperature
            : () => RoomTemperature;
        var cell = new SimulatedCell(chemistry, _time, temperature, options.Simulation.Noise, options.Simulation.Seed);
        _simulation.Cells[channelId] = cell;
        return cell;
    }

    private IPotentiostatChannel BuildInstrument(string channelId, ChannelOptions options, SimulatedCell? cell)
    {
        switch (options.Instrument.Kind)
        {
            case InstrumentKind.Simulated:
                var instrument = new SimulatedPotentiostatChannel(cell!, _time, $"sim-smu:{channelId}");
                _simulation.Instruments[channelId] = instrument;
                return instrument;
            case InstrumentKind.Keithley2450:
            case InstrumentKind.Keithley2460:
            case InstrumentKind.KeysightB2901A:
            case InstrumentKind.KeysightB2902A:
                return ScpiInstruments.Create(options.Instrument, _options.DeviceTimeout, _time, _scpiSessions);
            default:
                throw new NotSupportedException($"{RigOptions.SectionName}:Channels:{channelId}:Instrument:Kind {options.Instrument.Kind} has no driver.");
        }
    }

    private IForceSensor BuildForceSensor(string channelId, ChannelOptions options, SimulatedCell? cell)
    {
        switch (options.Clamp.Kind)
        {
            case LoadCellKind.Simulated:
                Func<Length> growth = cell is null ? () => Length.Zero : () => cell.StackGrowth;
                var clamp = new SimulatedSpringClamp(options.Simulation.Clamp, _time, growth, $"sim-loadcell:{channelId}", options.Simulation.Seed + 1000);
                _simulation.Clamps[channelId] = clamp;
                return _loadCells.Simulated(channelId, options, clamp);
            case LoadCellKind.Nau7802 or LoadCellKind.Hx711 or LoadCellKind.Ads1115:
                return _loadCells.Hardware(channelId, options);
            default:
                throw new NotSupportedException($"{RigOptions.SectionName}:Channels:{channelId}:Clamp:Kind {options.Clamp.Kind} has no driver.");
        }
    }

    // Built with the rest of the hardware, before any loop: a GPIO relay's line opens at its de-energised level (SMU side).
    private ILeadSwitch BuildLeadSwitch(string channelId, LeadSwitchOptions options)
    {
        var settle = TimeSpan.FromMilliseconds(options.SettleMilliseconds);
        switch (options.Kind)
        {
            case LeadSwitchKind.None:
                return new NoLeadSwitch();
            case LeadSwitchKind.Gpio:
                return new GpioLeadSwitch(new System.Device.Gpio.GpioController(), options.GpioPin, options.ActiveHigh, settle, _time, ownsController: true);
            case LeadSwitchKind.Simulated:
                var relay = new SimulatedLeadSwitch($"sim-relay:{channelId}", settle, _time);
                _simulation.LeadSwitches[channelId] = relay;
                return relay;
            default:
                throw new NotSupportedException($"{RigOptions.SectionName}:Channels:{channelId}:LeadSwitch:Kind {options.Kind} has no driver.");
        }
    }

    private IDigitalInput? BuildCutOut(string zoneId, ThermalCutOutOptions? options, SimulatedThermalZone? zone)
    {
        switch (options?.Kind)
        {
            case null:
                return null;
            case ThermalCutOutKind.Gpio:
                return new GpioDigitalInput(new System.Device.Gpio.GpioController(), options.GpioPin, options.ActiveHigh, ownsController: true);
            case ThermalCutOutKind.Simulated when zone is not null:
                var cutOut = new SimulatedThermalCutOut(zone, options.SimulatedOpenCelsius);
                _simulation.CutOuts[zoneId] = cutOut;
                return cutOut;
            default:
                throw new NotSupportedException($"{RigOptions.SectionName}:HeaterZones:{zoneId}:CutOut:Kind {options.Kind} has no driver for this zone.");
        }
    }

    private IDigitalInput? BuildEmergencyStop()
    {
        var options = _options.EmergencyStop;
        if (options is null)
        {
            return null;
        }
        switch (options.Kind)
        {
            case EmergencyStopKind.Gpio:
                return new GpioDigitalInput(new System.Device.Gpio.GpioController(), options.GpioPin, options.ActiveHigh, ownsController: true);
            default:
                var input = new SimulatedDigitalInput("sim-estop");
                _simulation.EmergencyStop = input;
                return input;
        }
    }

    // string.GetHashCode is randomised per process; a simulated run must be repeatable.
    private static int StableSeed(string text)
    {
        var hash = 17;
        foreach (var c in text)
        {
            hash = unchecked(hash * 31 + c);
        }
        return hash;
    }
}
