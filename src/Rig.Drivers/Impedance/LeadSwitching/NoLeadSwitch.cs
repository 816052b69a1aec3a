namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>
/// Wiring A: no relay, the analyser sits in parallel with the SMU, whose output is off (high impedance) while it
/// measures. The leads are always on the SMU, so nothing to switch and nothing that can fail.
/// </summary>
public sealed class NoLeadSwitch : ILeadSwitch
{
    public string Device => "no lead relay (analyser in parallel)";

    public LeadPosition Position => LeadPosition.Smu;

    public ValueTask ConnectAnalyzerAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask ConnectSmuAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
