namespace Rig.Drivers.Impedance.Solartron1260;

/// <summary>
/// The waits of a 1260 sweep, each bounded. A point is given its measuring time (integration, or one cycle at a low
/// frequency) plus <paramref name="PointMargin"/> before it is a <see cref="Faults.FaultKind.DeviceTimeout"/>.
/// </summary>
/// <param name="ResetSettle">After TT2 the 1260 ignores commands for a moment (published drivers wait 3 s).</param>
/// <param name="PollInterval">Between serial polls while a point is measured.</param>
/// <param name="PointMargin">Allowed beyond a point's measuring time (auto-ranging, settling, the bus).</param>
public sealed record Solartron1260Timing(TimeSpan ResetSettle, TimeSpan PollInterval, TimeSpan PointMargin)
{
    public static Solartron1260Timing Default { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));
}
