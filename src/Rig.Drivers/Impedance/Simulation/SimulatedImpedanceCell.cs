using UnitsNet;

namespace Rig.Drivers.Impedance.Simulation;

/// <summary>The current collector of a simulated half cell (paper, Fig. 2d: Al foil vs Al pellet).</summary>
public enum CollectorKind
{
    /// <summary>Al foil: poor contact with the electrolyte; the interface degrades with every mAh cycled.</summary>
    Foil,
    /// <summary>Al pellet co-pressed with the electrolyte: the interface stays intimate.</summary>
    Pellet,
}

/// <summary>
/// The equivalent circuit of a simulated Na9Sn4 | NBH | Al half cell, and how cycling changes it: the bulk and grain
/// boundaries are the pellet's (R_b = L / (σ A)), the interface arc starts low on both collectors and grows with the
/// charge cycled through it, fast on foil (voids and a resistive interphase) and slowly on a pellet, so the contrast
/// of Fig. 2d appears after a few cycles. Numbers are the simulator's, chosen to look like the paper's spectra; they
/// are not fitted to its data. Thread-safe.
/// </summary>
public sealed class SimulatedImpedanceCell
{
    /// <summary>NBH at room temperature, of order 1 mS/cm (the simulator's value).</summary>
    public static readonly ElectricConductivity DefaultIonicConductivity = ElectricConductivity.FromSiemensPerCentimeter(1.0e-3);

    private readonly Lock _lock = new();
    private readonly double _growthOhmsPerMilliampHour;
    private double _interfaceOhms;

    public SimulatedImpedanceCell(CollectorKind collector, Length thickness, Area area, ElectricConductivity? ionicConductivity = null)
    {
        if (thickness <= Length.Zero || area <= Area.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(thickness), "thickness and area must be positive");
        }
        Collector = collector;
        Thickness = thickness;
        Area = area;
        IonicConductivity = ionicConductivity ?? DefaultIonicConductivity;
        var cm2 = area.SquareCentimeters;
        // Initial interface: 20 Ω·cm² on both; growth per mAh/cm² cycled: foil 25 Ω·cm², pellet 0.1 Ω·cm².
        _interfaceOhms = 20 / cm2;
        _growthOhmsPerMilliampHour = (collector == CollectorKind.Foil ? 25.0 : 0.1) / cm2 / cm2;
    }

    /// <summary>A 70 mg NBH pellet pressed in the 10 mm die (paper, Methods): about 0.75 mm thick, 0.785 cm².</summary>
    public static SimulatedImpedanceCell PaperPellet(CollectorKind collector) =>
        new(collector, Length.FromMillimeters(0.75), Area.FromSquareCentimeters(Math.PI * 0.25));

    public CollectorKind Collector { get; }

    public Length Thickness { get; }

    public Area Area { get; }

    public ElectricConductivity IonicConductivity { get; }

    /// <summary>Charge cycled through the interface so far (plating plus stripping, mAh).</summary>
    public double CycledMilliampHours { get; private set; }

    /// <summary>Bulk resistance of the electrolyte pellet: L / (σ A).</summary>
    public double BulkOhms => Thickness.Centimeters / (IonicConductivity.SiemensPerCentimeter * Area.SquareCentimeters);

    /// <summary>Records charge passed through the interface (either direction counts).</summary>
    public void Cycle(ElectricCharge charge)
    {
        lock (_lock)
        {
            var mAh = Math.Abs(charge.MilliampereHours);
            CycledMilliampHours += mAh;
            _interfaceOhms += _growthOhmsPerMilliampHour * mAh;
        }
    }

    /// <summary>The circuit now: grain boundaries a third of the bulk, arcs at ~300 kHz (bulk-side) and ~100 Hz, a diffusion tail.</summary>
    public EquivalentCircuit Circuit()
    {
        lock (_lock)
        {
            var bulk = BulkOhms;
            var grainBoundary = bulk / 3;
            var (gbQ, gbN) = (QForPeak(grainBoundary, 300e3, 0.85), 0.85);
            var (intQ, intN) = (QForPeak(_interfaceOhms, 100, 0.8), 0.8);
            return new EquivalentCircuit(bulk, grainBoundary, gbQ, gbN, _interfaceOhms, intQ, intN, TailQ: 2e-3 * Area.SquareCentimeters, TailN: 0.5);
        }
    }

    /// <summary>Q that puts an R‖CPE arc's peak at the given frequency: Q = (1/(2πf))^n / R.</summary>
    public static double QForPeak(double ohms, double hertz, double n) => Math.Pow(1 / (2 * Math.PI * hertz), n) / ohms;
}
