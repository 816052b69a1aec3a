using Microsoft.Extensions.Options;
using Rig.Drivers.Faults;
using Rig.Drivers.LoadCells.Calibration;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Hardware;
using UnitsNet;

namespace Rig.Service.PressureSupervision;

/// <summary>
/// The MQTT "tare-clamp" and "calibrate-clamp" commands on a running service: the same calibrator as the bench
/// CLI, with the channel loop told to leave the load cell alone while it reads its window, the whole calibration
/// bounded by a time-out, and the result stored durably before it is put in use. (The command layer already
/// refuses a channel with a test running or paused.)
/// </summary>
public sealed class ClampCommands : IClampCommands
{
    private static readonly TimeSpan CalibrationTimeout = TimeSpan.FromMinutes(2);
    private readonly RigHardware _hardware;
    private readonly RigState _state;
    private readonly TimeProvider _time;
    private readonly CalibrationStore _store;

    public ClampCommands(RigHardware hardware, RigState state, IOptions<RigOptions> options, TimeProvider time)
    {
        _hardware = hardware;
        _state = state;
        _time = time;
        _store = new CalibrationStore(Path.Combine(options.Value.ResolveStateDirectory(), "calibration"));
    }

    public Task<CommandResult> TareAsync(string channelId, CancellationToken cancellationToken) =>
        CalibrateAsync(channelId, null, cancellationToken);

    public Task<CommandResult> CalibrateAsync(string channelId, Force referenceForce, CancellationToken cancellationToken) =>
        CalibrateAsync(channelId, (Force?)referenceForce, cancellationToken);

    private async Task<CommandResult> CalibrateAsync(string channelId, Force? reference, CancellationToken cancellationToken)
    {
        if (!_hardware.Channels.TryGetValue(channelId, out var channel))
        {
            return CommandResult.Refused($"no channel '{channelId}'");
        }
        if (channel.ForceSensor is not CalibratedForceSensor sensor)
        {
            return CommandResult.Refused($"the load cell of {channelId} ({channel.ForceSensor.Device}) has no calibration path");
        }
        if (!_state.TryBeginClampCalibration(channelId))
        {
            return CommandResult.Refused($"a calibration of {channelId}'s load cell is already running");
        }
        try
        {
            using var deadline = new CancellationTokenSource(CalibrationTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var calibrator = new LoadCellCalibrator(LoadCellFactory.RulesFor(channel.Options.Clamp), _time);
            var outcome = reference is { } load
                ? await calibrator.SpanAsync(sensor.Adc, sensor.Calibration, load, linked.Token)
                : await calibrator.TareAsync(sensor.Adc, sensor.Calibration, linked.Token);
            if (!outcome.Accepted)
            {
                return CommandResult.Refused(outcome.Message);
            }
            _store.Save(channelId, sensor.Device, outcome.Calibration!); // durable first, then in use
            sensor.Calibration = outcome.Calibration!;
            return CommandResult.Ok($"{outcome.Message}; saved to {_store.PathFor(channelId)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CommandResult.Refused($"calibration of {channelId} did not finish within {CalibrationTimeout.TotalSeconds:0} s: check the load cell");
        }
        catch (HardwareFaultException ex)
        {
            return CommandResult.Refused($"calibration of {channelId} failed: {ex.Fault}");
        }
        finally
        {
            _state.EndClampCalibration(channelId);
        }
    }
}
