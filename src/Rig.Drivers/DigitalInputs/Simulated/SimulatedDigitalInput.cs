namespace Rig.Drivers.DigitalInputs.Simulated;

/// <summary>A digital input a test or the simulator can set.</summary>
public sealed class SimulatedDigitalInput : IDigitalInput
{
    private volatile bool _active;

    public SimulatedDigitalInput(string device)
    {
        Device = device;
    }

    public string Device { get; }

    public bool IsActive() => _active;

    public void Set(bool active) => _active = active;
}
