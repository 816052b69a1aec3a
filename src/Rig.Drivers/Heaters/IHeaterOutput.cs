using UnitsNet;

namespace Rig.Drivers.Heaters;

/// <summary>
/// A heater output (GPIO to an SSR or MOSFET). Duty is a fraction 0..1 of full power. Outputs that can
/// do so turn themselves off when not refreshed in time (dead-man), so a hung control loop cannot leave
/// a heater on. Not thread-safe: one zone controller owns it.
/// </summary>
public interface IHeaterOutput
{
    string Device { get; }

    /// <summary>The duty last commanded.</summary>
    Ratio Duty { get; }

    /// <summary>Commands a duty in [0, 1]; values outside are a programming error.</summary>
    void SetDuty(Ratio duty);

    /// <summary>Heater off now. Must not throw.</summary>
    void TurnOff();
}
