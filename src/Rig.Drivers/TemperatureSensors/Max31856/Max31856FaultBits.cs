namespace Rig.Drivers.TemperatureSensors.Max31856;

/// <summary>The MAX31856 fault status register (SR, 0x0F; datasheet "Fault Status Register") as names an operator can act on.</summary>
internal static class Max31856FaultBits
{
    private static readonly string[] Names =
    [
        "D0 OPEN thermocouple open",
        "D1 OVUV input over/under-voltage",
        "D2 TCLOW below the thermocouple low threshold",
        "D3 TCHIGH above the thermocouple high threshold",
        "D4 CJLOW below the cold-junction low threshold",
        "D5 CJHIGH above the cold-junction high threshold",
        "D6 TC Range thermocouple out of its type's range",
        "D7 CJ Range cold junction out of range",
    ];

    public static IReadOnlyList<string> Describe(byte status) =>
        [.. Enumerable.Range(0, 8).Where(bit => (status & (1 << bit)) != 0).Select(bit => Names[bit])];
}
