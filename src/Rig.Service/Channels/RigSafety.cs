using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Hardware;

namespace Rig.Service.Channels;

/// <summary>
/// Puts the whole rig in its safe state: every instrument output off (high impedance), every heater off, and every
/// lead relay de-energised (the cell back on the SMU, its fail-safe side). Each device is tried even if another fails,
/// and every call is bounded by the device time-out.
/// </summary>
public sealed partial class RigSafety
{
    private readonly RigHardware _hardware;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ILogger<RigSafety> _logger;

    public RigSafety(RigHardware hardware, IOptions<RigOptions> options, TimeProvider time, ILogger<RigSafety> logger)
    {
        _hardware = hardware;
        _time = time;
        _timeout = options.Value.DeviceTimeout;
        _logger = logger;
    }

    /// <summary>Returns true when every device confirmed its safe state.</summary>
    public async Task<bool> MakeSafeAsync(string reason)
    {
        var allSafe = true;
        foreach (var zone in _hardware.Zones.Values)
        {
            try
            {
                zone.Heater.TurnOff();
            }
            catch (Exception ex)
            {
                allSafe = false;
                LogFailed(ex, zone.Heater.Device);
            }
        }
        // Every channel at once, each on a thread of its own and waited for at most twice its time-out: a driver that
        // blocks its thread (which DeviceCall's time-out cannot cut off) holds neither the other channels nor the caller
        // (the e-stop monitor, all-off, the shutdown).
        var offs = _hardware.Channels.Values.Select(channel => (channel.Instrument.Device, Off: Task.Run(() =>
            // Not the stopping token: shutdown is exactly when this must still run.
            DeviceCall.WithTimeout(channel.Instrument.OutputOffAsync, channel.Instrument.Device, _timeout, _time, CancellationToken.None).AsTask()))).ToList();
        foreach (var (device, off) in offs)
        {
            try
            {
                await off.WaitAsync(_timeout * 2, _time);
            }
            catch (Exception ex)
            {
                allSafe = false;
                LogFailed(ex, device);
            }
        }
        // After the outputs are off (a relay is switched only with the SMU off); whatever the SMU answered, the relay
        // goes to its de-energised side, as it would with the power gone.
        foreach (var channel in _hardware.Channels.Values)
        {
            try
            {
                await channel.LeadSwitch.ConnectSmuAsync(CancellationToken.None).AsTask().WaitAsync(_timeout, _time);
            }
            catch (Exception ex)
            {
                allSafe = false;
                LogFailed(ex, channel.LeadSwitch.Device);
            }
        }
        LogSafe(reason, allSafe);
        return allSafe;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Safe state: {Device} did not confirm off")]
    private partial void LogFailed(Exception ex, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rig in safe state ({Reason}): outputs off, heaters off, lead relays on the SMU; all confirmed: {AllSafe}")]
    private partial void LogSafe(string reason, bool allSafe);
}
