using Rig.Drivers.Impedance.LeadSwitching;
using Rig.Drivers.LoadCells;
using Rig.Drivers.Potentiostats;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Hardware;

/// <summary>The devices bound to one channel. The channel loop is their only user.</summary>
public sealed record ChannelHardware(
    string Id,
    ChannelOptions Options,
    IPotentiostatChannel Instrument,
    IForceSensor ForceSensor,
    HeaterZoneHardware? Zone)
{
    public Area CellArea { get; } = Area.FromSquareCentimeters(Options.Cell.AreaCm2);

    /// <summary>The relay between the SMU and the impedance analyser; <see cref="NoLeadSwitch"/> when the two sit in parallel.</summary>
    public ILeadSwitch LeadSwitch { get; init; } = new NoLeadSwitch();

    public Force RatedForce { get; } = Force.FromNewtons(Options.Clamp.RatedForceNewtons);
}
