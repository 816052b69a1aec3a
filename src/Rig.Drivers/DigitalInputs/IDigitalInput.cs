namespace Rig.Drivers.DigitalInputs;

/// <summary>A digital input such as the e-stop chain. Reads are immediate (a GPIO level).</summary>
public interface IDigitalInput
{
    string Device { get; }

    /// <summary>True when the input is in its active state (e-stop pressed or its loop broken).</summary>
    bool IsActive();
}
