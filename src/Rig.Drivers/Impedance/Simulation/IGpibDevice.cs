namespace Rig.Drivers.Impedance.Simulation;

/// <summary>An instrument on a simulated GPIB bus, as the adapter sees it: messages in, messages out, a status byte.</summary>
public interface IGpibDevice
{
    /// <summary>One message from the controller (already unescaped, without its terminator).</summary>
    void Write(string message);

    /// <summary>The next output message, or null when the device has nothing to say (the adapter then times out).</summary>
    string? Read();

    /// <summary>The serial-poll status byte.</summary>
    byte StatusByte { get; }

    /// <summary>Selected device clear: input and output buffers dropped.</summary>
    void Clear();
}
