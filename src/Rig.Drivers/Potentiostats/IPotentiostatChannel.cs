using UnitsNet;

namespace Rig.Drivers.Potentiostats;

/// <summary>
/// One source-measure channel wired to one cell: the seam between the cycling engine and any instrument.
/// </summary>
/// <remarks>
/// Sign convention: positive current flows out of the instrument's HI terminal into the cell's working
/// electrode. The rig wires the Al current collector (the anode-free side) to LO for a full cell and the
/// Al working electrode to HI for a half cell, so: full cell charge = positive, half cell plating = negative
/// (see docs/sign-conventions.md).
/// Compliance limits are magnitudes: an SMU sourcing current clamps |V| at the limit (and vice versa).
/// Not thread-safe: one channel has one owner (its channel loop) at a time.
/// Every call either completes, or throws <see cref="Faults.HardwareFaultException"/>; none waits forever.
/// </remarks>
public interface IPotentiostatChannel : IAsyncDisposable
{
    /// <summary>How the channel is addressed, for logs and faults.</summary>
    string Device { get; }

    /// <summary>What this instrument can do; the engine refuses protocols that need more.</summary>
    InstrumentCapabilities Capabilities { get; }

    /// <summary>Asks the instrument who it is (IEEE 488.2 *IDN?).</summary>
    ValueTask<InstrumentIdentity> IdentifyAsync(CancellationToken cancellationToken);

    /// <summary>Sources a constant current; the voltage across the cell is limited to ±<paramref name="voltageLimit"/>. Turns the output on.</summary>
    ValueTask SourceCurrentAsync(ElectricCurrent current, ElectricPotential voltageLimit, CancellationToken cancellationToken);

    /// <summary>Sources a constant voltage; the current is limited to ±<paramref name="currentLimit"/>. Turns the output on.</summary>
    ValueTask SourceVoltageAsync(ElectricPotential voltage, ElectricCurrent currentLimit, CancellationToken cancellationToken);

    /// <summary>Measures voltage and current now. With the output off, reads the open-circuit voltage and zero current.</summary>
    ValueTask<PotentiostatReading> MeasureAsync(CancellationToken cancellationToken);

    /// <summary>Turns the output off in the cell-safe state (high impedance where the instrument has it).</summary>
    ValueTask OutputOffAsync(CancellationToken cancellationToken);
}
