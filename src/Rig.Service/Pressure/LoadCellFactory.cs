using System.Device.Gpio;
using System.Device.I2c;
using Iot.Device.Tca954x;
using Rig.Drivers.LoadCells;
using Rig.Drivers.LoadCells.Ads1115;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Drivers.LoadCells.Hx711;
using Rig.Drivers.LoadCells.Nau7802;
using Rig.Drivers.LoadCells.Simulated;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.PressureSupervision;

/// <summary>
/// Builds a clamp's calibrated force sensor from its options: the bridge ADC by Kind, then the stored calibration
/// (or the data sheet's nominal one until the operator tares and spans). Clamps on one I2C bus share the bus, its
/// lock and its TCA9548A. Used by <see cref="Hardware.RigHardwareBuilder"/> and by the bench CLI.
/// </summary>
public sealed class LoadCellFactory : IDisposable
{
    private readonly RigOptions _rig;
    private readonly TimeProvider _time;
    private readonly Dictionary<int, (I2cBus Bus, Lock Lock)> _buses = [];
    private readonly Dictionary<(int Bus, int Address), Tca9548A> _muxes = [];
    private GpioController? _gpio;

    public LoadCellFactory(RigOptions rig, TimeProvider time)
    {
        _rig = rig ?? throw new ArgumentNullException(nameof(rig));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Store = new CalibrationStore(Path.Combine(rig.ResolveStateDirectory(), "calibration"));
    }

    public CalibrationStore Store { get; }

    /// <summary>The over-force limit: the lower of the load cell's and the clamp frame's ratings.</summary>
    public static Force OverForceLimit(ClampOptions clamp)
    {
        ArgumentNullException.ThrowIfNull(clamp);
        return Force.FromNewtons(clamp.FrameRatedForceNewtons > 0
            ? Math.Min(clamp.RatedForceNewtons, clamp.FrameRatedForceNewtons)
            : clamp.RatedForceNewtons);
    }

    public static CalibrationRules RulesFor(ClampOptions clamp)
    {
        ArgumentNullException.ThrowIfNull(clamp);
        return new CalibrationRules
        {
            RatedForce = Force.FromNewtons(clamp.RatedForceNewtons),
            RatedOutputMillivoltsPerVolt = clamp.RatedOutputMillivoltsPerVolt,
            FullScaleTolerance = clamp.FullScaleTolerance,
            StabilityLimit = Force.FromNewtons(clamp.CalibrationStabilityNewtons),
        };
    }

    /// <summary>The simulated clamp through the same calibration path as real hardware.</summary>
    public CalibratedForceSensor Simulated(string channelId, ChannelOptions options, SimulatedSpringClamp clamp)
    {
        ArgumentNullException.ThrowIfNull(options);
        var simulation = options.Simulation.Clamp;
        // Chosen so the nominal calibration of this rating is exactly the simulation's CountsPerNewton.
        var countsPerMillivoltPerVolt = simulation.CountsPerNewton * options.Clamp.RatedForceNewtons / options.Clamp.RatedOutputMillivoltsPerVolt;
        return Calibrated(channelId, options.Clamp, new SimulatedClampAdc(clamp, countsPerMillivoltPerVolt), simulation.ZeroCounts);
    }

    /// <summary>A real load cell, by <see cref="ClampOptions.Kind"/>.</summary>
    public CalibratedForceSensor Hardware(string channelId, ChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clamp = options.Clamp;
        IBridgeAdc adc = clamp.Kind switch
        {
            LoadCellKind.Nau7802 => OpenNau7802(clamp.Nau7802),
            LoadCellKind.Hx711 => Hx711BridgeAdc.Open(clamp.Hx711.DataPin, clamp.Hx711.ClockPin, _gpio ??= new GpioController(), _rig.DeviceTimeout, _time),
            LoadCellKind.Ads1115 => OpenAds1115(clamp.Ads1115),
            _ => throw new NotSupportedException($"{RigOptions.SectionName}:Channels:{channelId}:Clamp:Kind {clamp.Kind} is not a hardware load cell."),
        };
        return Calibrated(channelId, clamp, adc, zeroCounts: 0);
    }

    public void Dispose()
    {
        foreach (var mux in _muxes.Values)
        {
            mux.Dispose();
        }
        foreach (var (bus, _) in _buses.Values)
        {
            bus.Dispose();
        }
        _gpio?.Dispose();
    }

    private CalibratedForceSensor Calibrated(string channelId, ClampOptions clamp, IBridgeAdc adc, double zeroCounts)
    {
        var calibration = Store.Load(channelId)
            ?? LoadCellCalibration.Nominal(zeroCounts, adc.CountsPerMillivoltPerVolt, clamp.RatedOutputMillivoltsPerVolt, Force.FromNewtons(clamp.RatedForceNewtons));
        return new CalibratedForceSensor(adc, calibration);
    }

    private Nau7802 OpenNau7802(Nau7802ClampOptions options)
    {
        var (bus, busLock) = Bus(options.I2cBus);
        I2cDevice device;
        string name;
        if (options.MuxAddress == 0)
        {
            device = bus.CreateDevice(Nau7802.DefaultI2cAddress);
            name = $"nau7802@i2c-{options.I2cBus}";
        }
        else
        {
            if (!_muxes.TryGetValue((options.I2cBus, options.MuxAddress), out var mux))
            {
                mux = new Tca9548A(bus.CreateDevice(options.MuxAddress), bus);
                _muxes[(options.I2cBus, options.MuxAddress)] = mux;
            }
            device = mux.GetChannel(options.MuxChannel).CreateDevice(Nau7802.DefaultI2cAddress);
            name = $"nau7802@i2c-{options.I2cBus}/mux0x{options.MuxAddress:X2}/ch{options.MuxChannel}";
        }
        var settings = new Nau7802Settings
        {
            Gain = (Nau7802Gain)System.Numerics.BitOperations.Log2((uint)options.Gain),
            SampleRate = Nau7802SampleRateExtensions.FromSamplesPerSecond(options.SamplesPerSecond),
        };
        return new Nau7802(new SharedBusI2cDevice(device, busLock), settings, _time, name);
    }

    private BlockingBridgeAdc OpenAds1115(Ads1115ClampOptions options)
    {
        var (bus, _) = Bus(options.I2cBus);
        return Ads1115BridgeAdc.Open(bus.CreateDevice(options.Address), options.Range, options.DataRate, options.AmplifierGain,
            options.ExcitationVolts, $"ads1115@i2c-{options.I2cBus}/0x{options.Address:X2}", _rig.DeviceTimeout, _time);
    }

    private (I2cBus Bus, Lock Lock) Bus(int busId)
    {
        if (!_buses.TryGetValue(busId, out var entry))
        {
            entry = (I2cBus.Create(busId), new Lock());
            _buses[busId] = entry;
        }
        return entry;
    }
}
