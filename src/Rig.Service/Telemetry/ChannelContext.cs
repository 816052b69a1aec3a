using Rig.Service.Configuration;
using Rig.Service.Thermal;

namespace Rig.Service.Telemetry;

/// <summary>
/// What a dashboard needs to draw a channel without reading the rig's configuration: the cell, and the windows its
/// stack pressure and temperature are held in (drawn as bands behind the traces).
/// </summary>
public sealed record ChannelContext(
    string CellName,
    CellChemistry Chemistry,
    double AreaSquareCentimetres,
    double? PressureTargetMegapascals,
    double PressureWindowMegapascals,
    string HeaterZone,
    double? TemperatureSetpointCelsius,
    double TemperatureBandKelvin)
{
    /// <summary>The channel's context from its options and, when the rig has heater zones, the zone's set-point in force now.</summary>
    public static ChannelContext Of(RigOptions rig, string channelId, IReadOnlyList<HeaterZoneStatus>? zones)
    {
        ArgumentNullException.ThrowIfNull(rig);
        var channel = rig.Channels[channelId];
        rig.HeaterZones.TryGetValue(channel.HeaterZone, out var zone);
        var setpoint = zones?.FirstOrDefault(z => z.ZoneId == channel.HeaterZone)?.Setpoint.DegreesCelsius ?? zone?.SetpointCelsius;
        return new ChannelContext(channel.Cell.Name, channel.Cell.Chemistry, channel.Cell.AreaCm2, channel.Pressure.TargetMegapascals,
            channel.Pressure.WindowMegapascals, channel.HeaterZone, setpoint, zone?.Safety.HysteresisKelvin ?? 0);
    }

    internal void Write(System.Text.Json.Utf8JsonWriter w)
    {
        w.WriteStartObject("cell");
        w.WriteString("name", CellName);
        w.WriteString("chemistry", Chemistry.ToString());
        w.WriteNumber("area_cm2", AreaSquareCentimetres);
        w.WriteEndObject();
        TelemetryPayloads.Optional(w, "pressure_target_MPa", PressureTargetMegapascals);
        w.WriteNumber("pressure_window_MPa", PressureWindowMegapascals);
        w.WriteString("heater_zone", HeaterZone);
        TelemetryPayloads.Optional(w, "temperature_setpoint_degC", TemperatureSetpointCelsius);
        w.WriteNumber("temperature_band_K", TemperatureBandKelvin);
    }
}
