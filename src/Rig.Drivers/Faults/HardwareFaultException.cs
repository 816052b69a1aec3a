namespace Rig.Drivers.Faults;

/// <summary>Thrown by a driver when its device cannot do what was asked. Carries a typed <see cref="HardwareFault"/>.</summary>
public class HardwareFaultException : Exception
{
    public HardwareFaultException(HardwareFault fault, Exception? innerException = null)
        : base(fault.ToString(), innerException)
    {
        Fault = fault;
    }

    public HardwareFault Fault { get; }

    public FaultKind Kind => Fault.Kind;
}
