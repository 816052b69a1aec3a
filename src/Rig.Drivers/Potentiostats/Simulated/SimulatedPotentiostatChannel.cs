using Rig.Drivers.Cells;
using Rig.Drivers.Faults;
using UnitsNet;

namespace Rig.Drivers.Potentiostats.Simulated;

/// <summary>
/// An SMU channel that drives a <see cref="SimulatedCell"/> directly, in process. It behaves like a
/// Keithley 2450 as far as the seam can see: compliance, output-off as high impedance, ±1 A / ±200 V ranges.
/// Faults can be injected for tests (<see cref="DisconnectLink"/>).
/// </summary>
public sealed class SimulatedPotentiostatChannel : IPotentiostatChannel
{
    private static readonly InstrumentCapabilities SmuCapabilities = new(
        InstrumentTechniques.ConstantCurrent | InstrumentTechniques.ConstantVoltage | InstrumentTechniques.VoltageSweep,
        ElectricCurrent.FromAmperes(1.05),
        ElectricPotential.FromVolts(210));

    private readonly SimulatedCell _cell;
    private readonly TimeProvider _time;
    private readonly InstrumentIdentity _identity;
    private bool _linkDown;

    public SimulatedPotentiostatChannel(SimulatedCell cell, TimeProvider time, string device, InstrumentIdentity? identity = null)
    {
        _cell = cell ?? throw new ArgumentNullException(nameof(cell));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        Device = device;
        _identity = identity ?? new InstrumentIdentity("AnodeFreeRig", "Simulated SMU", device, "1.0");
    }

    public string Device { get; }

    public InstrumentCapabilities Capabilities => SmuCapabilities;

    public SimulatedCell Cell => _cell;

    public bool OutputOn => _cell.Drive.Mode != CellDriveMode.OpenCircuit;

    /// <summary>Makes every later call fail as a dropped link would (the drive stays as it was, as on a real instrument).</summary>
    public void DisconnectLink() => _linkDown = true;

    public void ReconnectLink() => _linkDown = false;

    public ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken)
    {
        ThrowIfLinkDown();
        return ValueTask.FromResult(_identity);
    }

    public ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken)
    {
        ThrowIfLinkDown();
        CheckRange(Math.Abs(current.Amperes) <= SmuCapabilities.MaxCurrent.Amperes, $"current {current} beyond ±{SmuCapabilities.MaxCurrent}");
        _cell.Apply(CellDrive.ConstantCurrent(current.Amperes, voltageLimit.Volts));
        return ValueTask.CompletedTask;
    }

    public ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken)
    {
        ThrowIfLinkDown();
        CheckRange(Math.Abs(voltage.Volts) <= SmuCapabilities.MaxVoltage.Volts, $"voltage {voltage} beyond ±{SmuCapabilities.MaxVoltage}");
        _cell.Apply(CellDrive.ConstantVoltage(voltage.Volts, currentLimit.Amperes));
        return ValueTask.CompletedTask;
    }

    public ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken)
    {
        ThrowIfLinkDown();
        var point = _cell.Read();
        return ValueTask.FromResult(new PotentiostatReading(
            _time.GetUtcNow(),
            ElectricPotential.FromVolts(point.VoltageVolts),
            ElectricCurrent.FromAmperes(point.CurrentAmperes),
            OutputOn,
            point.InCompliance,
            // The cell's integrator counted every ampere-second it passed: this SMU reports it as a coulometer would.
            ElectricCharge.FromCoulombs(_cell.Ledger.PositiveAmpereSeconds - _cell.Ledger.NegativeAmpereSeconds)));
    }

    public ValueTask OutputOffAsync(CancellationToken cancellationToken)
    {
        ThrowIfLinkDown();
        _cell.Apply(CellDrive.OpenCircuit);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void ThrowIfLinkDown()
    {
        if (_linkDown)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.InstrumentLinkLost, Device, "simulated link is down", "the instrument's LAN/USB cable"));
        }
    }

    private void CheckRange(bool inRange, string what)
    {
        if (!inRange)
        {
            throw new HardwareFaultException(new HardwareFault(
                FaultKind.InstrumentError, Device, $"-222,\"Data out of range\" ({what})", "the step's current or voltage"));
        }
    }
}
