using Rig.Drivers.Faults;
using Rig.Service.Channels;
using Rig.Service.Hardware;

namespace Rig.Service.Engine;

/// <summary>The lead-relay interlock of <see cref="ApplyAsync"/>: no output on while the cell's leads are not on the SMU.</summary>
public sealed partial class EngineHost
{
    private async ValueTask RefuseWithLeadsAwayAsync(string channelId, ChannelHardware channel, CancellationToken cancellationToken)
    {
        var relay = channel.LeadSwitch;
        var fault = new HardwareFault(FaultKind.NotSupported, relay.Device,
            $"output not turned on: the lead relay is {(relay.Position == Rig.Drivers.Impedance.LeadSwitching.LeadPosition.Analyzer ? "energised (leads on the impedance analyser)" : "in an unknown position (a switch failed)")}",
            "the lead relay and its GPIO line; clear-fault and resume once the relay is back on the SMU", channelId);
        LogLeadsAway(channelId, relay.Device);
        _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, channelId, "impedance.leads_not_on_smu", fault.ToString(), fault));
        await OnFaultAsync(channelId, fault, cancellationToken);
        try
        {
            await DeviceCall.WithTimeout(channel.Instrument.OutputOffAsync, channel.Instrument.Device, _rig.DeviceTimeout, _time, cancellationToken);
        }
        catch (HardwareFaultException)
        {
            LogOutputOffFailed(channelId);
        }
    }

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Error,
        Message = "Channel {Channel}: output on refused, lead relay {Relay} is not on the SMU; test paused")]
    private partial void LogLeadsAway(string channel, string relay);
}
