namespace Rig.Drivers.Cells;

/// <summary>
/// The electrochemistry of a simulated cell: a state that charge moves, and a terminal voltage that
/// depends on that state, the current and the temperature. SI inside (amperes, seconds, volts, kelvin)
/// because this runs millions of times per simulated test; <see cref="SimulatedCell"/> speaks UnitsNet.
/// </summary>
/// <remarks>Current sign as at the instrument: see <see cref="Potentiostats.IPotentiostatChannel"/>.</remarks>
public interface ICellElectrochemistry
{
    /// <summary>Electrode area in cm².</summary>
    double AreaSquareCentimetres { get; }

    /// <summary>Terminal voltage for this current through the present state, without measurement noise.</summary>
    double TerminalVoltage(double currentAmperes, double temperatureKelvin);

    /// <summary>Moves the state on by passing a constant current for a while.</summary>
    void Pass(double currentAmperes, double seconds, double temperatureKelvin);

    /// <summary>Sodium plated on the Al current collector and still active, in mAh/cm².</summary>
    double PlatedSodiumMilliampHoursPerSquareCentimetre { get; }

    /// <summary>True once a dendrite has bridged the separator.</summary>
    bool IsShorted { get; }

    /// <summary>Amplitude in volts of the potential fluctuation a short adds (0 when healthy).</summary>
    double FluctuationVolts { get; }

    /// <summary>The state <see cref="Pass"/> moves, so an integrator can try a step and take it back.</summary>
    CellState Capture();

    /// <summary>Puts back a state taken by <see cref="Capture"/> on this same cell.</summary>
    void Restore(in CellState state);
}
