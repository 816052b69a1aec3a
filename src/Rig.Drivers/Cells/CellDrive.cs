namespace Rig.Drivers.Cells;

/// <summary>How a simulated instrument is driving a simulated cell. SI units (A, V) because it sits on the hot path.</summary>
public readonly record struct CellDrive(CellDriveMode Mode, double Level, double ComplianceLimit)
{
    public static CellDrive OpenCircuit => new(CellDriveMode.OpenCircuit, 0, 0);

    public static CellDrive ConstantCurrent(double amperes, double voltageLimitVolts) =>
        new(CellDriveMode.ConstantCurrent, amperes, Math.Abs(voltageLimitVolts));

    public static CellDrive ConstantVoltage(double volts, double currentLimitAmperes) =>
        new(CellDriveMode.ConstantVoltage, volts, Math.Abs(currentLimitAmperes));
}

public enum CellDriveMode
{
    OpenCircuit,
    ConstantCurrent,
    ConstantVoltage,
}
