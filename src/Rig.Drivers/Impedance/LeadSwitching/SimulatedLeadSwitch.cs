using Rig.Drivers.Faults;

namespace Rig.Drivers.Impedance.LeadSwitching;

/// <summary>
/// The simulated rig's lead relay: remembers where the leads are and every switch (with the rig time), waits the
/// configured settle time on the rig clock, and can be told to fail a switch (a relay driver that lost its GPIO
/// chip), so tests can reach every fault path.
/// </summary>
public sealed class SimulatedLeadSwitch : ILeadSwitch
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _settle;
    private readonly Lock _lock = new();
    private readonly List<(DateTimeOffset At, LeadPosition Position)> _history = [];
    private LeadPosition _position = LeadPosition.Smu;

    public SimulatedLeadSwitch(string device, TimeSpan settle, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settle, TimeSpan.Zero);
        Device = device;
        _settle = settle;
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public string Device { get; }

    public LeadPosition Position
    {
        get
        {
            lock (_lock)
            {
                return _position;
            }
        }
    }

    /// <summary>True while the coil is energised (the leads on the analyser, or a failed switch that may have left them there).</summary>
    public bool Energised => Position != LeadPosition.Smu;

    /// <summary>When set, a switch to the analyser throws and leaves the position unknown.</summary>
    public bool FailToAnalyzer { get; set; }

    /// <summary>When set, a switch back to the SMU throws and leaves the position unknown.</summary>
    public bool FailToSmu { get; set; }

    /// <summary>Every switch that succeeded, in order, with the rig time it was made.</summary>
    public IReadOnlyList<(DateTimeOffset At, LeadPosition Position)> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Raised after each switch that succeeded, before the settle wait (tests record the order of events).</summary>
    public event Action<LeadPosition>? Switched;

    public ValueTask ConnectAnalyzerAsync(CancellationToken cancellationToken) => SwitchAsync(LeadPosition.Analyzer, cancellationToken);

    public ValueTask ConnectSmuAsync(CancellationToken cancellationToken) => SwitchAsync(LeadPosition.Smu, cancellationToken);

    public void Dispose()
    {
        lock (_lock)
        {
            _position = LeadPosition.Smu;
        }
    }

    private async ValueTask SwitchAsync(LeadPosition target, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (target == LeadPosition.Analyzer ? FailToAnalyzer : FailToSmu)
            {
                _position = LeadPosition.Unknown;
                throw new LeadSwitchFaultException(new HardwareFault(FaultKind.DeviceNotResponding, Device,
                    $"simulated lead relay failed to switch to the {GpioLeadSwitch.Name(target)}", "the simulated relay's injected fault"));
            }
            _position = target;
            _history.Add((_time.GetUtcNow(), target));
        }
        Switched?.Invoke(target);
        if (_settle > TimeSpan.Zero)
        {
            await Task.Delay(_settle, _time, cancellationToken);
        }
    }
}
