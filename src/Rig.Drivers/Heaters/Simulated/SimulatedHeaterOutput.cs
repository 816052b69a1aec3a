using UnitsNet;

namespace Rig.Drivers.Heaters.Simulated;

/// <summary>The heater of a <see cref="SimulatedThermalZone"/>.</summary>
public sealed class SimulatedHeaterOutput : IHeaterOutput
{
    private readonly SimulatedThermalZone _zone;

    internal SimulatedHeaterOutput(SimulatedThermalZone zone)
    {
        _zone = zone;
    }

    public string Device => $"sim-heater:{_zone.Name}";

    public Ratio Duty => Ratio.FromDecimalFractions(_zone.CommandedDuty);

    public void SetDuty(Ratio duty)
    {
        var fraction = duty.DecimalFractions;
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(duty), duty, "Heater duty must be within [0, 1].");
        }
        _zone.Command(fraction);
    }

    public void TurnOff() => _zone.Command(0);
}
