using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Rig.Drivers.Cells;

namespace Rig.Service.Configuration;

/// <summary>
/// Checks the whole rig configuration before anything starts and names every bad key with its reason, so a
/// typo in /etc/anodefreerig stops the service with a message instead of a surprise at 3 a.m.
/// </summary>
public sealed partial class RigOptionsValidator : IValidateOptions<RigOptions>
{
    private const string Root = RigOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RigOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new ValidationErrors();
        ValidateRig(options, errors);
        foreach (var (zoneId, zone) in options.HeaterZones)
        {
            ValidateZone($"{Root}:HeaterZones:{zoneId}", zoneId, zone, errors);
        }
        foreach (var (channelId, channel) in options.Channels)
        {
            ValidateChannel($"{Root}:Channels:{channelId}", channelId, channel, options, errors);
        }
        ValidateSharedInstruments(options, errors);
        LeadSwitchValidation.Validate(options, errors);
        GpioClaimValidation.Validate(options, errors);
        return errors.Any ? ValidateOptionsResult.Fail(errors.Errors) : ValidateOptionsResult.Success;
    }

    private static void ValidateRig(RigOptions options, ValidationErrors errors)
    {
        if (!IdPattern().IsMatch(options.Id ?? ""))
        {
            errors.Add($"{Root}:Id", "must be 1-32 letters, digits, '-' or '_' (it becomes an MQTT topic level)", options.Id ?? "");
        }
        errors.PositiveDuration($"{Root}:SamplePeriod", options.SamplePeriod, TimeSpan.FromMinutes(10));
        errors.PositiveDuration($"{Root}:DeviceTimeout", options.DeviceTimeout, TimeSpan.FromMinutes(1));
        if (options.ReadoutPeriod < TimeSpan.Zero)
        {
            errors.Add($"{Root}:ReadoutPeriod", "must not be negative (0 turns the log readout off)", options.ReadoutPeriod);
        }
        if (options.Channels.Count == 0)
        {
            errors.Add($"{Root}:Channels", "no channels configured: a rig needs at least one");
        }
    }

    private static void ValidateZone(string key, string zoneId, HeaterZoneOptions zone, ValidationErrors errors)
    {
        if (!IdPattern().IsMatch(zoneId))
        {
            errors.Add(key, "zone id must be 1-32 letters, digits, '-' or '_'", zoneId);
        }
        errors.InRange($"{key}:SetpointCelsius", zone.SetpointCelsius, 0, 100, "°C");
        errors.InRange($"{key}:MaxCelsius", zone.MaxCelsius, 0, 120, "°C");
        if (zone.MaxCelsius <= zone.SetpointCelsius)
        {
            errors.Add($"{key}:MaxCelsius", $"must be above SetpointCelsius ({zone.SetpointCelsius} °C)", zone.MaxCelsius);
        }
        var plant = zone.Simulation;
        errors.Positive($"{key}:Simulation:HeaterPowerWatts", plant.HeaterPowerWatts, "W");
        errors.Positive($"{key}:Simulation:HeatCapacityJoulesPerKelvin", plant.HeatCapacityJoulesPerKelvin, "J/K");
        errors.Positive($"{key}:Simulation:ThermalResistanceKelvinPerWatt", plant.ThermalResistanceKelvinPerWatt, "K/W");
        errors.InRange($"{key}:Simulation:AmbientCelsius", plant.AmbientCelsius, -20, 60, "°C");
        errors.Positive($"{key}:Simulation:SensorTimeConstantSeconds", plant.SensorTimeConstantSeconds, "s");
        errors.InRange($"{key}:Simulation:SensorNoiseCelsius", plant.SensorNoiseCelsius, 0, 5, "°C");
        errors.InRange($"{key}:Simulation:IntegrationStepSeconds", plant.IntegrationStepSeconds, 0.001, 5, "s");
        HeaterZoneControlValidation.Validate(key, zone, errors);
    }

    private static void ValidateChannel(string key, string channelId, ChannelOptions channel, RigOptions rig, ValidationErrors errors)
    {
        if (!IdPattern().IsMatch(channelId))
        {
            errors.Add(key, "channel id must be 1-32 letters, digits, '-' or '_'", channelId);
        }
        var cell = channel.Cell;
        if (string.IsNullOrWhiteSpace(cell.Name))
        {
            errors.Add($"{key}:Cell:Name", "is required: every test is filed under its cell");
        }
        errors.InRange($"{key}:Cell:AreaCm2", cell.AreaCm2, 0.01, 20, "cm²");
        if (!Enum.IsDefined(cell.Chemistry))
        {
            errors.Add($"{key}:Cell:Chemistry", "is not a known chemistry", cell.Chemistry);
        }
        errors.InRange($"{key}:Clamp:RatedForceNewtons", channel.Clamp.RatedForceNewtons, 10, 100_000, "N");
        if (!string.IsNullOrEmpty(channel.HeaterZone) && !rig.HeaterZones.ContainsKey(channel.HeaterZone))
        {
            errors.Add($"{key}:HeaterZone", $"names no zone in {Root}:HeaterZones (known: {string.Join(", ", rig.HeaterZones.Keys)})", channel.HeaterZone);
        }
        if (channel.Instrument.Kind != InstrumentKind.Simulated && string.IsNullOrWhiteSpace(channel.Instrument.Address))
        {
            errors.Add($"{key}:Instrument:Address", $"is required for a {channel.Instrument.Kind}");
        }
        errors.InRange($"{key}:Instrument:SourceChannel", channel.Instrument.SourceChannel, 1, 4, "");
        InstrumentOptionsValidation.Validate($"{key}:Instrument", channel.Instrument, errors);
        channel.Limits.Validate($"{key}:Limits", errors);
        ValidateSimulation($"{key}:Simulation", channel.Simulation, errors);
        LoadCellOptionsValidation.Validate(key, channel, errors);
    }

    private static void ValidateSimulation(string key, ChannelSimulationOptions simulation, ValidationErrors errors)
    {
        if (simulation.ParameterSet is { } set && CellParameterSets.HalfCell(set) is null)
        {
            errors.Add($"{key}:ParameterSet", $"'{set}' is not a parameter set (known: {string.Join(", ", CellParameterSets.Names)})");
        }
        var half = simulation.HalfCell;
        errors.InRange($"{key}:HalfCell:StackPressureMegapascals", half.StackPressureMegapascals, 0, 500, "MPa");
        errors.Positive($"{key}:HalfCell:ReferenceArealCapacityMilliampHoursPerSquareCentimetre", half.ReferenceArealCapacityMilliampHoursPerSquareCentimetre, "mAh/cm²");
        errors.InRange($"{key}:HalfCell:ArealCapacityLossExponent", half.ArealCapacityLossExponent, 0, 2, "");
        errors.Positive($"{key}:HalfCell:CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre", half.CriticalCurrentReferenceCapacityMilliampHoursPerSquareCentimetre, "mAh/cm²");
        errors.InRange($"{key}:HalfCell:CriticalCurrentCapacityExponent", half.CriticalCurrentCapacityExponent, 0.05, 2, "");
        ValidateContact($"{key}:HalfCell:Contact", half.Contact, errors);
        errors.InRange($"{key}:HalfCell:InitialCoulombicEfficiency", half.InitialCoulombicEfficiency, 0, 1, "");
        errors.InRange($"{key}:HalfCell:CoulombicEfficiency", half.CoulombicEfficiency, 0, 1, "");
        errors.Positive($"{key}:HalfCell:AreaSpecificResistanceOhmSquareCentimetres", half.AreaSpecificResistanceOhmSquareCentimetres, "Ω·cm²");
        errors.Positive($"{key}:HalfCell:ExchangeCurrentDensityMilliampsPerSquareCentimetre", half.ExchangeCurrentDensityMilliampsPerSquareCentimetre, "mA/cm²");
        errors.Positive($"{key}:HalfCell:CriticalCurrentDensityMilliampsPerSquareCentimetre", half.CriticalCurrentDensityMilliampsPerSquareCentimetre, "mA/cm²");
        errors.Positive($"{key}:HalfCell:ShortOnsetCapacityMilliampHoursPerSquareCentimetre", half.ShortOnsetCapacityMilliampHoursPerSquareCentimetre, "mAh/cm²");
        errors.Positive($"{key}:HalfCell:ShortResistanceOhms", half.ShortResistanceOhms, "Ω");
        errors.Positive($"{key}:HalfCell:DepletionScaleMilliampHoursPerSquareCentimetre", half.DepletionScaleMilliampHoursPerSquareCentimetre, "mAh/cm²");
        var full = simulation.FullCell;
        errors.InRange($"{key}:FullCell:StackPressureMegapascals", full.StackPressureMegapascals, 0, 500, "MPa");
        errors.InRange($"{key}:FullCell:CathodeDiffusionTimeSecondsAt25C", full.CathodeDiffusionTimeSecondsAt25C, 0, 1e6, "s");
        errors.InRange($"{key}:FullCell:ArealCapacityLossExponent", full.ArealCapacityLossExponent, 0, 2, "");
        errors.Positive($"{key}:FullCell:ReferenceArealCapacityMilliampHoursPerSquareCentimetre", full.ReferenceArealCapacityMilliampHoursPerSquareCentimetre, "mAh/cm²");
        ValidateContact($"{key}:FullCell:Contact", full.Contact, errors);
        errors.Positive($"{key}:FullCell:CathodeCapacityMilliampHoursPerSquareCentimetre", full.CathodeCapacityMilliampHoursPerSquareCentimetre, "mAh/cm²");
        errors.InRange($"{key}:FullCell:InitialCoulombicEfficiency", full.InitialCoulombicEfficiency, 0, 1, "");
        errors.InRange($"{key}:FullCell:CoulombicEfficiency", full.CoulombicEfficiency, 0, 1, "");
        errors.InRange($"{key}:FullCell:CathodeFadePerCycle", full.CathodeFadePerCycle, 0, 0.5, "");
        errors.Positive($"{key}:FullCell:AreaSpecificResistanceOhmSquareCentimetres", full.AreaSpecificResistanceOhmSquareCentimetres, "Ω·cm²");
        errors.Positive($"{key}:FullCell:ExchangeCurrentDensityMilliampsPerSquareCentimetre", full.ExchangeCurrentDensityMilliampsPerSquareCentimetre, "mA/cm²");
        errors.Positive($"{key}:FullCell:DepletionScaleMilliampHoursPerSquareCentimetre", full.DepletionScaleMilliampHoursPerSquareCentimetre, "mAh/cm²");
        errors.InRange($"{key}:Noise:VoltageVolts", simulation.Noise.VoltageVolts, 0, 0.1, "V");
        errors.InRange($"{key}:Noise:CurrentRelative", simulation.Noise.CurrentRelative, 0, 0.1, "");
        var clamp = simulation.Clamp;
        errors.InRange($"{key}:Clamp:PreloadNewtons", clamp.PreloadNewtons, 0, 100_000, "N");
        errors.Positive($"{key}:Clamp:SpringRateNewtonsPerMicrometre", clamp.SpringRateNewtonsPerMicrometre, "N/µm");
        errors.InRange($"{key}:Clamp:NoiseNewtons", clamp.NoiseNewtons, 0, 100, "N");
        errors.Positive($"{key}:Clamp:CountsPerNewton", clamp.CountsPerNewton, "counts/N");
    }

    // Two channels driving one instrument output would fight over it.
    private static void ValidateSharedInstruments(RigOptions options, ValidationErrors errors)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (channelId, channel) in options.Channels)
        {
            if (channel.Instrument.Kind == InstrumentKind.Simulated)
            {
                continue;
            }
            var target = $"{channel.Instrument.Address}#{channel.Instrument.SourceChannel}";
            if (seen.TryGetValue(target, out var other))
            {
                errors.Add($"{Root}:Channels:{channelId}:Instrument", $"uses the same instrument output as channel {other}", target);
            }
            else
            {
                seen[target] = channelId;
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex IdPattern();

    private static void ValidateContact(string key, ContactParameters contact, ValidationErrors errors)
    {
        errors.InRange($"{key}:LossAtZeroPressure", contact.LossAtZeroPressure, 0, 1, "");
        errors.Positive($"{key}:PressureScaleMegapascalsAt25C", contact.PressureScaleMegapascalsAt25C, "MPa");
        errors.InRange($"{key}:SofteningActivationEnergyKilojoulesPerMole", contact.SofteningActivationEnergyKilojoulesPerMole, 0, 500, "kJ/mol");
        errors.InRange($"{key}:ReferenceStackPressureMegapascals", contact.ReferenceStackPressureMegapascals, 0, 500, "MPa");
        errors.InRange($"{key}:ReferenceTemperatureCelsius", contact.ReferenceTemperatureCelsius, -40, 150, "°C");
    }
}
