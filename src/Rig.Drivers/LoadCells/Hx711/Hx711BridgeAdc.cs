using System.Device.Gpio;

namespace Rig.Drivers.LoadCells.Hx711;

/// <summary>
/// Iot.Device.Bindings' HX711 (two GPIO lines, channel A at gain 128) as an <see cref="IBridgeAdc"/>. The binding
/// only reports grams through its conversion ratio, so the ratio is set to 1 and PowerUp (which subtracts a
/// start-up offset) is never called: GetWeight then returns the raw 24-bit count, and calibration stays ours.
/// The binding busy-waits for DOUT with no time-out, hence <see cref="BlockingBridgeAdc"/>.
/// </summary>
public static class Hx711BridgeAdc
{
    /// <summary>Channel A, gain 128: full scale ±0.5 AVDD / 128 = ±2^23 counts (HX711 datasheet, "Analog input").</summary>
    public const double CountsPerMillivoltPerVolt = 128 * (double)(1 << 24) / 1000.0;

    public static BlockingBridgeAdc Open(int dataPin, int clockPin, GpioController gpio, TimeSpan timeout, TimeProvider time)
    {
        var hx711 = new Iot.Device.Hx711.Hx711(dataPin, clockPin, new Iot.Device.Hx711.Hx711Options(), gpio, shouldDispose: false);
        hx711.SetConversionRatio(1);
        return new BlockingBridgeAdc(
            () => (int)Math.Round(hx711.GetWeight(1).Grams),
            $"hx711@gpio{dataPin}/{clockPin}",
            CountsPerMillivoltPerVolt,
            timeout,
            time,
            hx711);
    }
}
