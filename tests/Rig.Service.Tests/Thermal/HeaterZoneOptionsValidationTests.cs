using Rig.Service.Configuration;

namespace Rig.Service.Tests.Thermal;

public sealed class HeaterZoneOptionsValidationTests
{
    private static IReadOnlyList<string> Errors(Action<HeaterZoneOptions> change)
    {
        var zone = new HeaterZoneOptions();
        change(zone);
        var options = new RigOptions
        {
            HeaterZones = { ["die-block"] = zone },
            Channels = { ["ch1"] = new ChannelOptions { HeaterZone = "die-block", Cell = { Name = "HC-Al-pellet-01" } } },
        };
        var result = new RigOptionsValidator().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void The_default_zone_is_valid()
    {
        Assert.Empty(Errors(_ => { }));
    }

    [Fact]
    public void A_negative_gain_is_named_by_its_key()
    {
        var errors = Errors(z => z.Pid.ProportionalPerKelvin = -0.1);

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:Pid:ProportionalPerKelvin:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dead_man_no_longer_than_the_ssr_cycle_is_refused_for_a_hardware_zone()
    {
        var errors = Errors(z =>
        {
            z.Kind = HeaterZoneKind.Hardware;
            z.Output.CyclePeriod = TimeSpan.FromSeconds(2);
            z.Output.DeadManTimeout = TimeSpan.FromSeconds(2);
        });

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:Output:DeadManTimeout:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_thermocouple_type_and_a_bad_rtd_wiring_are_named_for_a_hardware_zone()
    {
        var errors = Errors(z =>
        {
            z.Kind = HeaterZoneKind.Hardware;
            z.Sensor.ThermocoupleType = "Q";
            z.Sensor.RtdWires = 5;
        });

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:Sensor:ThermocoupleType:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:Sensor:RtdWires:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stall_time_out_not_longer_than_the_control_period_is_refused()
    {
        var errors = Errors(z => z.Safety.LoopStallTimeout = z.ControlPeriod);

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:Safety:LoopStallTimeout:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cut_out_on_the_heater_output_pin_is_named_by_its_key()
    {
        var errors = Errors(z =>
        {
            z.Kind = HeaterZoneKind.Hardware;
            z.Output.GpioPin = 17;
            z.CutOut = new ThermalCutOutOptions { GpioPin = 17 };
        });

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:CutOut:GpioPin:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_simulated_cut_out_on_a_hardware_zone_is_refused()
    {
        var errors = Errors(z =>
        {
            z.Kind = HeaterZoneKind.Hardware;
            z.CutOut = new ThermalCutOutOptions { Kind = ThermalCutOutKind.Simulated };
        });

        Assert.Contains(errors, e => e.StartsWith("Rig:HeaterZones:die-block:CutOut:Kind:", StringComparison.Ordinal));
    }
}
