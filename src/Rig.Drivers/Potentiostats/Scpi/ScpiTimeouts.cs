namespace Rig.Drivers.Potentiostats.Scpi;

/// <summary>Bounds on every wait of a SCPI session.</summary>
/// <param name="Connect">Opening the link (TCP connect, serial open).</param>
/// <param name="Response">One answer to one query: a 2450 at 1 NPLC answers :READ? in ~40 ms; 2 s leaves room for autorange.</param>
public sealed record ScpiTimeouts(TimeSpan Connect, TimeSpan Response)
{
    public static ScpiTimeouts Default { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));
}
