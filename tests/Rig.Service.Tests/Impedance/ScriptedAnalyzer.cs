using Rig.Drivers.Faults;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.Simulation;

namespace Rig.Service.Tests.Impedance;

/// <summary>
/// The simulated 1260 with a hand on it: writes each sweep and generator-off into a shared log, can hold a sweep
/// until the test releases or fails it (to put a fault at that moment), or fail every sweep with a given fault.
/// </summary>
internal sealed class ScriptedAnalyzer(SimulatedImpedanceAnalyzer inner, List<string> log) : IImpedanceAnalyzer
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Device => inner.Device;

    /// <summary>When set, each sweep waits in <see cref="Waiting"/> until <see cref="Release"/> or <see cref="Fail"/>.</summary>
    public bool Hold { get; set; }

    /// <summary>When set, every sweep throws this fault (the analyser's error, or its adapter timing out).</summary>
    public HardwareFault? FailWith { get; set; }

    public bool Waiting { get; private set; }

    public void Release() => _release.TrySetResult();

    public void Fail(HardwareFault fault) => _release.TrySetException(new HardwareFaultException(fault));

    public ValueTask ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public async ValueTask<ImpedanceSpectrum> SweepAsync(ImpedanceSweep sweep, IProgress<ImpedancePoint>? progress, CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add("sweep");
        }
        if (FailWith is { } fault)
        {
            throw new HardwareFaultException(fault);
        }
        if (Hold)
        {
            Waiting = true;
            try
            {
                await _release.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Waiting = false;
                _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        return await inner.SweepAsync(sweep, progress, cancellationToken);
    }

    public async ValueTask GeneratorOffAsync(CancellationToken cancellationToken)
    {
        lock (log)
        {
            log.Add("generator off");
        }
        await inner.GeneratorOffAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
