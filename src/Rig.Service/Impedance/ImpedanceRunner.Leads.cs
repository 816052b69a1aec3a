using Microsoft.Extensions.Logging;
using Rig.Drivers.Faults;
using Rig.Drivers.Impedance;
using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Service.Channels;
using Rig.Service.Interlocks;

namespace Rig.Service.Impedance;

/// <summary>The lead relay around a sweep (wiring B): every way out puts the cell back on the SMU.</summary>
public sealed partial class ImpedanceRunner
{
    private static readonly TimeSpan GeneratorOffBound = TimeSpan.FromSeconds(10);

    // Before and after the relay moves to the analyser: a channel held by an interlock (the e-stop, all-off) or a relay
    // the safe-state path put back on the SMU meanwhile gets no sweep; the test pauses with the reason.
    private void ThrowIfHeld(string channel, ILeadSwitch leads, bool onAnalyzer)
    {
        var held = _state?.Interlocks.Active(channel) is { Count: > 0 } active ? InterlockBoard.Describe(active) : null;
        var movedBack = onAnalyzer && leads is not NoLeadSwitch && leads.Position != LeadPosition.Analyzer;
        if (held is not null || movedBack)
        {
            throw new HardwareFaultException(new HardwareFault(FaultKind.NotSupported, "impedance",
                held is not null ? $"impedance sweep not started: channel held ({held})" : "impedance sweep not started: the lead relay was put back on the SMU (rig made safe)",
                "the interlocks of the channel; resume repeats the sweep", channel));
        }
    }

    // Generator to 0 V first (switch only with both outputs off), then the relay de-energised and settled. Runs on
    // every way out of a sweep, cancelled or not, so it takes no cancellation of its own but the generator's bound.
    private async Task LeadsBackAsync(string channel, IImpedanceAnalyzer analyzer, ILeadSwitch leads)
    {
        if (leads.Position == LeadPosition.Smu)
        {
            return; // wiring A, or the relay never left the SMU
        }
        if (leads.Position == LeadPosition.Analyzer)
        {
            try
            {
                using var bound = new CancellationTokenSource(GeneratorOffBound, _time);
                await analyzer.GeneratorOffAsync(bound.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The relay still goes back: off the analyser, its generator no longer reaches the cell.
                LogGeneratorOffFailed(ex, channel);
            }
        }
        await leads.ConnectSmuAsync(CancellationToken.None);
    }

    // A relay that did not switch: nobody knows where the leads are. Alarm, a latched interlock (the channel loop holds
    // the output off, the engine refuses to turn it on), one more try to de-energise, and the test paused.
    private async Task LeadSwitchFailedAsync(string channel, HardwareFault fault)
    {
        var now = _time.GetUtcNow();
        LogLeadSwitchFault(channel, fault.ToString());
        _events?.Raise(new RigEvent(now, RigEventSeverity.Alarm, channel, RigEvent.CodeFor(fault.Kind), fault.ToString(), fault));
        _state?.Interlocks.Raise(channel, new Interlock(InterlockKind.LeadSwitchFault, fault.Device, now, fault.Message));
        var leads = Leads(channel);
        if (leads.Position != LeadPosition.Smu)
        {
            try
            {
                await leads.ConnectSmuAsync(CancellationToken.None);
            }
            catch (HardwareFaultException ex)
            {
                LogLeadsStillAway(ex, channel);
            }
        }
        await _engine.OnFaultAsync(channel, fault, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel}: could not set the analyser's generator to 0 V after the sweep; the lead relay goes back to the SMU anyway")]
    private partial void LogGeneratorOffFailed(Exception ex, string channel);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Channel}: lead relay fault: {Fault}; output held off, test paused")]
    private partial void LogLeadSwitchFault(string channel, string fault);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Channel}: the lead relay is still not back on the SMU; the SMU's output stays off")]
    private partial void LogLeadsStillAway(Exception ex, string channel);
}
