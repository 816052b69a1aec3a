namespace Rig.Drivers.Impedance.Solartron1260;

/// <summary>
/// Bits of the 1260's GPIB status byte (serial poll) that the driver reads. A result waiting in the output buffer
/// sets <see cref="DataReady"/>, a command the analyser refused sets <see cref="CommandError"/>; bit 6 (RQS) is the
/// IEEE 488.1 service request bit. The bit positions are an assumption to confirm against the manual's status-byte
/// table on a real unit (docs/impedance.md).
/// </summary>
[Flags]
public enum Solartron1260StatusByte : byte
{
    None = 0,
    DataReady = 0x10,
    CommandError = 0x20,
    ServiceRequest = 0x40,
}
