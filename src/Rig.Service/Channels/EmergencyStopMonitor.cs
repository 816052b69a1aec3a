using Rig.Drivers.DigitalInputs;
using Rig.Service.Interlocks;

namespace Rig.Service.Channels;

/// <summary>
/// Watches the e-stop input. On activation: the flag in <see cref="RigState"/> goes up, a rig-wide
/// <see cref="InterlockKind.EmergencyStop"/> interlock holds every channel and heater, the whole rig is put in its safe
/// state at once, and an alarm is raised. On release the flag goes down but the interlock stays: nothing turns back
/// on (no heater, no output) until an operator clears it, and tests stay paused until resumed.
/// </summary>
public sealed class EmergencyStopMonitor
{
    private readonly IDigitalInput _input;
    private readonly RigState _state;
    private readonly RigEvents _events;
    private readonly RigSafety _safety;
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;

    public EmergencyStopMonitor(IDigitalInput input, RigState state, RigEvents events, RigSafety safety, TimeProvider time, TimeSpan period)
    {
        _input = input;
        _state = state;
        _events = events;
        _safety = safety;
        _time = time;
        _period = period;
    }

    public Task RunAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(_period, _time, _ => TickAsync(), stoppingToken);

    public async Task TickAsync()
    {
        var active = _input.IsActive();
        if (active == _state.EmergencyStopActive)
        {
            return;
        }
        _state.EmergencyStopActive = active;
        if (active)
        {
            _state.Interlocks.Raise(InterlockBoard.RigWide, new Interlock(InterlockKind.EmergencyStop, "e-stop", _time.GetUtcNow(),
                $"emergency stop ({_input.Device}) pressed"));
            await _safety.MakeSafeAsync("emergency stop");
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Alarm, "rig", "estop.active",
                $"Emergency stop ({_input.Device}) active: all outputs and heaters off"));
        }
        else
        {
            _events.Raise(new RigEvent(_time.GetUtcNow(), RigEventSeverity.Info, "rig", "estop.released",
                $"Emergency stop ({_input.Device}) released: outputs and heaters stay off until an operator clears the e-stop interlock (clear-fault) and resumes the tests"));
        }
    }
}
