namespace Rig.Drivers.Impedance;

/// <summary>
/// A frequency-response (impedance) analyser: applies an a.c. voltage on a d.c. bias across the cell and measures
/// the complex impedance at each frequency of a sweep. Every wait is bounded; a failure is a
/// <see cref="Faults.HardwareFaultException"/> whose kind says what happened (no answer, link lost, wrong
/// instrument, the analyser's own error). Not thread-safe: one owner drives one analyser at a time.
/// </summary>
public interface IImpedanceAnalyzer : IAsyncDisposable
{
    /// <summary>The analyser as configured ("solartron1260 gpib5 via tcp://10.0.0.9:1234"), for logs and faults.</summary>
    string Device { get; }

    /// <summary>Opens the link, resets the analyser to a known state and checks that it is the configured instrument.</summary>
    ValueTask ConnectAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs the sweep from <see cref="ImpedanceSweep.Start"/> to <see cref="ImpedanceSweep.End"/>, reporting each
    /// point as it arrives, and leaves the generator off. Points the analyser flagged (overload) are kept with their
    /// status: the caller decides whether a spectrum with flagged points is usable.
    /// </summary>
    ValueTask<ImpedanceSpectrum> SweepAsync(ImpedanceSweep sweep, IProgress<ImpedancePoint>? progress, CancellationToken cancellationToken);

    /// <summary>Sets the generator's output to zero volts (a.c. and d.c.): the safe state between sweeps.</summary>
    ValueTask GeneratorOffAsync(CancellationToken cancellationToken);
}
