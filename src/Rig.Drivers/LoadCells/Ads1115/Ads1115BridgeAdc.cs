using System.Device.I2c;
using Iot.Device.Ads1115;
using Rig.Drivers.Faults;

namespace Rig.Drivers.LoadCells.Ads1115;

/// <summary>
/// Iot.Device.Bindings' ADS1115 (16-bit, I2C) reading a bridge through an instrumentation amplifier (e.g. an
/// INA125 at gain 500 feeding AIN0-AIN1). ReadRaw is a blocking single-shot conversion, hence
/// <see cref="BlockingBridgeAdc"/>. The ADS1115 is not ratiometric: the sensitivity needs the excitation voltage.
/// </summary>
public static class Ads1115BridgeAdc
{
    /// <summary>Counts per mV/V: excitation x 1 mV/V x amplifier gain over the full-scale range, times 2^15.</summary>
    public static double CountsPerMillivoltPerVolt(double amplifierGain, double excitationVolts, MeasuringRange range) =>
        amplifierGain * excitationVolts * 1e-3 / FullScaleVolts(range) * 32768.0;

    public static double FullScaleVolts(MeasuringRange range) => range switch
    {
        MeasuringRange.FS6144 => 6.144,
        MeasuringRange.FS4096 => 4.096,
        MeasuringRange.FS2048 => 2.048,
        MeasuringRange.FS1024 => 1.024,
        MeasuringRange.FS0512 => 0.512,
        MeasuringRange.FS0256 => 0.256,
        _ => throw new ArgumentOutOfRangeException(nameof(range), range, "not an ADS1115 range"),
    };

    public static BlockingBridgeAdc Open(I2cDevice i2c, MeasuringRange range, DataRate rate, double amplifierGain, double excitationVolts, string device, TimeSpan timeout, TimeProvider time)
    {
        var ads = Construct(i2c, range, rate, device);
        return new BlockingBridgeAdc(
            () => ads.ReadRaw(),
            device,
            CountsPerMillivoltPerVolt(amplifierGain, excitationVolts, range),
            timeout,
            time,
            new QuietOnDispose(ads, i2c),
            BridgeAdcRails.SixteenBit);
    }

    /// <summary>
    /// The binding talks to the chip in its constructor (writes the config, polls OS for at most 10 ms, resets the
    /// thresholds): an absent or stuck chip is a typed fault here too, not a bare IOException/TimeoutException.
    /// </summary>
    private static Iot.Device.Ads1115.Ads1115 Construct(I2cDevice i2c, MeasuringRange range, DataRate rate, string device)
    {
        try
        {
            return new Iot.Device.Ads1115.Ads1115(i2c, InputMultiplexer.AIN0_AIN1, range, rate, DeviceMode.PowerDown);
        }
        catch (IOException ex)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.DeviceNotResponding, device,
                $"{ex.GetType().Name}: {ex.Message}", "the ADS1115's address (ADDR pin), I2C wiring and supply"), ex);
        }
        catch (TimeoutException ex)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.DeviceTimeout, device,
                $"the first conversion never finished ({ex.Message})", "the ADS1115's supply"), ex);
        }
    }

    /// <summary>
    /// The binding's Dispose writes the config again (retrying an IOException three times, 100 ms apart) and rethrows:
    /// a chip that is gone must not make shutdown throw, and its I2C device is still released.
    /// </summary>
    private sealed class QuietOnDispose(Iot.Device.Ads1115.Ads1115 ads, I2cDevice i2c) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                ads.Dispose();
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                i2c.Dispose();
            }
        }
    }
}
