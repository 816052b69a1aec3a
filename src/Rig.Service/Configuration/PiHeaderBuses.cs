namespace Rig.Service.Configuration;

/// <summary>
/// The BCM lines behind the Pi's header buses (Raspberry Pi documentation, "GPIO and the 40-pin header", and the
/// overlays' README: i2c0 = GPIO0/1 with <c>dtparam=i2c_vc=on</c>, i2c1 = GPIO2/3 with <c>i2c_arm</c>, spi0 = GPIO7-11
/// with <c>dtparam=spi=on</c>, spi1 = GPIO16-21 with <c>dtoverlay=spi1-3cs</c>). Same numbers on a Pi 4 and a Pi 5.
/// Buses moved by an overlay, or numbered otherwise (i2c-3, spi3, a USB adapter), are not known here and claim nothing.
/// </summary>
internal static class PiHeaderBuses
{
    /// <summary>The lines of I2C bus <paramref name="bus"/>, named for the message; empty when the bus is not on the header.</summary>
    public static IReadOnlyList<(int Pin, string Line)> I2c(int bus) => bus switch
    {
        0 => [(0, "SDA"), (1, "SCL")],
        1 => [(2, "SDA"), (3, "SCL")],
        _ => [],
    };

    /// <summary>The clock and data lines every device on SPI bus <paramref name="bus"/> shares.</summary>
    public static IReadOnlyList<(int Pin, string Line)> SpiShared(int bus) => bus switch
    {
        0 => [(11, "SCLK"), (10, "MOSI"), (9, "MISO")],
        1 => [(21, "SCLK"), (20, "MOSI"), (19, "MISO")],
        _ => [],
    };

    /// <summary>The chip-select line of one device on SPI bus <paramref name="bus"/>; null when not a header line.</summary>
    public static int? SpiChipSelect(int bus, int chipSelect) => (bus, chipSelect) switch
    {
        (0, 0) => 8,
        (0, 1) => 7,
        (1, 0) => 18,
        (1, 1) => 17,
        (1, 2) => 16,
        _ => null,
    };
}
