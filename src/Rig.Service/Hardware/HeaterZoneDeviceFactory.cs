using System.Device.Gpio;
using System.Device.I2c;
using System.Device.Pwm;
using System.Device.Spi;
using Rig.Drivers.Heaters;
using Rig.Drivers.Heaters.Gpio;
using Rig.Drivers.Heaters.Pwm;
using Rig.Drivers.TemperatureSensors;
using Rig.Drivers.TemperatureSensors.Max31856;
using Rig.Drivers.TemperatureSensors.Max31865;
using Rig.Drivers.TemperatureSensors.Mcp960x;
using Rig.Service.Configuration;
using UnitsNet;
using Max31856Binding = Iot.Device.Max31856;
using Max31865Binding = Iot.Device.Max31865;
using Mcp960xBinding = Iot.Device.Mcp960x;

namespace Rig.Service.Hardware;

/// <summary>Opens a real heater zone's sensor (SPI/I2C) and output (GPIO/PWM) from its options.</summary>
internal static class HeaterZoneDeviceFactory
{
    public static HeaterZoneHardware Build(string zoneId, HeaterZoneOptions options, TimeSpan deviceTimeout, TimeProvider time)
    {
        var sensor = BuildSensor(options.Sensor, deviceTimeout, time);
        try
        {
            return new HeaterZoneHardware(zoneId, options, sensor, BuildOutput(options.Output, time));
        }
        catch
        {
            (sensor as IDisposable)?.Dispose();
            throw;
        }
    }

    private static ITemperatureSensor BuildSensor(TemperatureSensorOptions options, TimeSpan timeout, TimeProvider time)
    {
        var range = new PlausibleTemperatureRange(
            Temperature.FromDegreesCelsius(options.MinPlausibleCelsius), Temperature.FromDegreesCelsius(options.MaxPlausibleCelsius));
        switch (options.Kind)
        {
            case TemperatureSensorKind.Max31865:
            {
                var spi = SpiDevice.Create(new SpiConnectionSettings(options.SpiBus, options.SpiChipSelect)
                {
                    ClockFrequency = Max31865Binding.Max31865.SpiClockFrequency,
                    Mode = Max31865Binding.Max31865.SpiMode1,
                    DataFlow = Max31865Binding.Max31865.SpiDataFlow,
                });
                var binding = new Max31865Binding.Max31865(
                    spi,
                    options.Rtd == RtdKind.Pt1000 ? Max31865Binding.PlatinumResistanceThermometerType.Pt1000 : Max31865Binding.PlatinumResistanceThermometerType.Pt100,
                    options.RtdWires switch
                    {
                        2 => Max31865Binding.ResistanceTemperatureDetectorWires.TwoWire,
                        4 => Max31865Binding.ResistanceTemperatureDetectorWires.FourWire,
                        _ => Max31865Binding.ResistanceTemperatureDetectorWires.ThreeWire,
                    },
                    ElectricResistance.FromOhms(options.ReferenceResistorOhms),
                    options.MainsFilterHertz == 60 ? Max31865Binding.ConversionFilterMode.Filter60Hz : Max31865Binding.ConversionFilterMode.Filter50Hz,
                    shouldDispose: true);
                return new Max31865TemperatureSensor(binding, $"max31865@spi{options.SpiBus}.{options.SpiChipSelect}", range, timeout, time);
            }
            case TemperatureSensorKind.Max31856:
            {
                var spi = SpiDevice.Create(new SpiConnectionSettings(options.SpiBus, options.SpiChipSelect)
                {
                    ClockFrequency = Max31856Binding.Max31856.SpiClockFrequency,
                    Mode = Max31856Binding.Max31856.SpiModeSetup,
                    DataFlow = Max31856Binding.Max31856.SpiDataFlow,
                });
                var binding = new Max31856Binding.Max31856(spi, Enum.Parse<Max31856Binding.ThermocoupleType>(options.ThermocoupleType, ignoreCase: true));
                return new Max31856TemperatureSensor(binding, $"max31856@spi{options.SpiBus}.{options.SpiChipSelect}", range, timeout, time, faultStatusSpi: spi);
            }
            case TemperatureSensorKind.Mcp960x:
            {
                var i2c = I2cDevice.Create(new I2cConnectionSettings(options.I2cBus, options.I2cAddress));
                var binding = new Mcp960xBinding.Mcp960x(i2c, thermocoupleType: Enum.Parse<Mcp960xBinding.ThermocoupleType>(options.ThermocoupleType, ignoreCase: true));
                return new Mcp960xTemperatureSensor(binding, $"mcp960x@i2c{options.I2cBus}/0x{options.I2cAddress:x2}", range, timeout, time);
            }
            default:
                throw new NotSupportedException($"Sensor kind {options.Kind} has no driver.");
        }
    }

    private static IHeaterOutput BuildOutput(HeaterOutputOptions options, TimeProvider time)
    {
        switch (options.Kind)
        {
            case HeaterOutputKind.TimeProportionedGpio:
                return new TimeProportionedHeaterOutput(new GpioController(), options.GpioPin, options.ActiveHigh, options.CyclePeriod,
                    options.DeadManTimeout, options.MinimumSwitchTime, time, ownsController: true);
            case HeaterOutputKind.HardwarePwm:
                var channel = PwmChannel.Create(options.PwmChip, options.PwmChannel, (int)Math.Round(options.PwmFrequencyHertz), 0);
                return new PwmHeaterOutput(channel, $"pwmchip{options.PwmChip}/pwm{options.PwmChannel}", options.DeadManTimeout, time, ownsChannel: true);
            default:
                throw new NotSupportedException($"Heater output kind {options.Kind} has no driver.");
        }
    }
}
