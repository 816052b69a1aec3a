namespace Rig.Service.Metrics;

/// <summary>
/// One cycle's metrics from its two halves (docs/metrics.md): the formulas the live engine and the offline analyser
/// share. Capacities in A·s, energies in J (magnitudes); "charge" is the sodium-plating half.
/// </summary>
public readonly record struct CycleMetrics(int Cycle, double ChargeAmpSeconds, double DischargeAmpSeconds, double ChargeJoules, double DischargeJoules)
{
    private const double SecondsPerHour = 3600.0;

    public double ChargeMilliampHours => ChargeAmpSeconds / SecondsPerHour * 1000.0;

    public double DischargeMilliampHours => DischargeAmpSeconds / SecondsPerHour * 1000.0;

    public double ChargeMilliwattHours => ChargeJoules / SecondsPerHour * 1000.0;

    public double DischargeMilliwattHours => DischargeJoules / SecondsPerHour * 1000.0;

    /// <summary>Q_d / Q_c; 0 when nothing was charged.</summary>
    public double CoulombicEfficiency => ChargeAmpSeconds > 0 ? DischargeAmpSeconds / ChargeAmpSeconds : 0;

    /// <summary>E_d / E_c; 0 when no energy went in.</summary>
    public double EnergyEfficiency => ChargeJoules != 0 ? DischargeJoules / ChargeJoules : 0;

    /// <summary>E_c / Q_c (V).</summary>
    public double MeanChargeVoltage => ChargeAmpSeconds > 0 ? ChargeJoules / ChargeAmpSeconds : 0;

    /// <summary>E_d / Q_d (V).</summary>
    public double MeanDischargeVoltage => DischargeAmpSeconds > 0 ? DischargeJoules / DischargeAmpSeconds : 0;
}
