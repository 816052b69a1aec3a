namespace Rig.Drivers.Impedance.Simulation;

/// <summary>
/// Another instrument at the address the rig expects the 1260 on (a SCPI multimeter, say): it answers every
/// message with its identity and sets the IEEE 488.2 message-available bit, so the driver must notice the shape.
/// </summary>
public sealed class ImposterGpibDevice(string identity) : IGpibDevice
{
    private const byte MessageAvailable = 0x10;
    private string? _output;

    public byte StatusByte => _output is null ? (byte)0 : MessageAvailable;

    public void Write(string message) => _output = identity;

    public string? Read()
    {
        var output = _output;
        _output = null;
        return output;
    }

    public void Clear() => _output = null;
}
