namespace Rig.Drivers.Cells;

/// <summary>Where a cell sits under a drive: the current that flows, the voltage across it, and whether the source is limiting.</summary>
public readonly record struct CellOperatingPoint(double CurrentAmperes, double VoltageVolts, bool InCompliance)
{
    private const int BisectionSteps = 48;

    /// <summary>Solves the drive against the cell's monotonic V(I) curve, as an SMU's control loop would.</summary>
    public static CellOperatingPoint Solve(ICellElectrochemistry cell, CellDrive drive, double kelvin)
    {
        switch (drive.Mode)
        {
            case CellDriveMode.ConstantCurrent:
            {
                var voltage = cell.TerminalVoltage(drive.Level, kelvin);
                if (Math.Abs(voltage) <= drive.ComplianceLimit)
                {
                    return new(drive.Level, voltage, false);
                }
                // Voltage limit reached: the source holds ±limit and delivers what current that allows, never more than set.
                var target = Math.CopySign(drive.ComplianceLimit, voltage);
                var magnitude = Math.Abs(drive.Level);
                var current = SolveCurrent(cell, target, -magnitude, magnitude, kelvin);
                // The source holds its limit: a blocked electrode's V(I) jumps there, so read the limit, not V(I).
                return new(current, target, true);
            }
            case CellDriveMode.ConstantVoltage:
            {
                var limit = drive.ComplianceLimit;
                if (cell.TerminalVoltage(limit, kelvin) < drive.Level)
                {
                    return new(limit, cell.TerminalVoltage(limit, kelvin), true);
                }
                if (cell.TerminalVoltage(-limit, kelvin) > drive.Level)
                {
                    return new(-limit, cell.TerminalVoltage(-limit, kelvin), true);
                }
                var current = SolveCurrent(cell, drive.Level, -limit, limit, kelvin);
                return new(current, drive.Level, false);
            }
            default:
                return new(0, cell.TerminalVoltage(0, kelvin), false);
        }
    }

    // V(I) rises monotonically with I for any physical cell, so bisection always converges.
    private static double SolveCurrent(ICellElectrochemistry cell, double targetVolts, double low, double high, double kelvin)
    {
        for (var i = 0; i < BisectionSteps; i++)
        {
            var mid = 0.5 * (low + high);
            if (cell.TerminalVoltage(mid, kelvin) < targetVolts)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }
        return 0.5 * (low + high);
    }
}
