namespace Rig.Service.Engine.Protocols;

/// <summary>
/// The largest magnitude a protocol may write for each kind of quantity (in the kind's normalised unit, see
/// <see cref="Quantity"/>), far beyond any cell this rig holds but short of what overflows a TimeSpan or a
/// UnitsNet conversion. A value outside, or NaN/Infinity, is refused where it is read, with its location. The
/// channel's instrument and configured limits are narrower and checked when a test starts (ProtocolFit).
/// </summary>
public static class QuantityRanges
{
    public static double MaxMagnitude(QuantityKind kind) => kind switch
    {
        QuantityKind.CurrentDensity => 10_000,     // mA/cm² (10 A/cm²)
        QuantityKind.Current => 100_000,           // mA (100 A)
        QuantityKind.ArealCapacity => 10_000,      // mAh/cm²
        QuantityKind.Charge => 1_000_000,          // mAh (1 kAh)
        QuantityKind.Voltage => 1_000,             // V
        QuantityKind.Duration => 366 * 86_400,     // s (a year)
        QuantityKind.SweepRate => 100,             // V/s
        QuantityKind.Percent => 10,                // fraction (1000 %)
        QuantityKind.Pressure => 10_000,           // MPa
        QuantityKind.Temperature => 1_000,         // °C
        _ => 0,
    };

    /// <summary>Null when <paramref name="magnitude"/> is finite and within the kind's range, else why not.</summary>
    public static string? Problem(QuantityKind kind, double magnitude) =>
        !double.IsFinite(magnitude) ? "not a finite number"
        : Math.Abs(magnitude) > MaxMagnitude(kind) ? $"beyond the largest {kind} a protocol may use ({MaxMagnitude(kind)} {NormalisedUnit(kind)})"
        : kind == QuantityKind.Temperature && magnitude < -273.15 ? "below absolute zero"
        : null;

    public static string NormalisedUnit(QuantityKind kind) => kind switch
    {
        QuantityKind.CurrentDensity => "mA/cm2",
        QuantityKind.Current => "mA",
        QuantityKind.ArealCapacity => "mAh/cm2",
        QuantityKind.Charge => "mAh",
        QuantityKind.Voltage => "V",
        QuantityKind.Duration => "s",
        QuantityKind.SweepRate => "V/s",
        QuantityKind.Percent => "(fraction)",
        QuantityKind.Pressure => "MPa",
        QuantityKind.Temperature => "°C",
        _ => "",
    };
}
