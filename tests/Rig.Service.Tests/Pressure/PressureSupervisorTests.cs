using Rig.Service.Interlocks;
using Rig.Drivers.Quantities;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using UnitsNet;

namespace Rig.Service.Tests.PressureSupervision;

public class PressureSupervisorTests
{
    [Fact]
    public async Task A_7_mAh_cycle_on_the_standard_clamp_moves_pressure_about_0_4_MPa_and_stays_in_the_window()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 0.5));
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        var before = rig.Supervisor.Latest["ch1"].MeanPressure!.Value;

        await rig.PlateAsync();
        await rig.RunForAsync(TimeSpan.FromHours(7));
        var plated = rig.Cell.PlatedSodium;
        var top = rig.Supervisor.Latest["ch1"].MeanPressure!.Value;
        await rig.StripAsync();
        await rig.RunForAsync(TimeSpan.FromHours(7));
        var after = rig.Supervisor.Latest["ch1"].MeanPressure!.Value;

        // 7 mAh/cm² passed; the first cycle's inefficiency leaves ~6.5 mAh/cm² of sodium, ~57 µm (62 µm if all
        // plated). At 0.5 N/µm each µm is 0.5 N, 6.4 kPa on 0.785 cm²: the stack pressure follows the sodium.
        Assert.InRange(plated.MilliampHoursPerSquareCentimetre, 6.3, 7.0);
        var growth = SodiumMetal.ThicknessOf(plated);
        var expectedRise = StackPressure.FromForce(Force.FromNewtons(0.5 * growth.Micrometers), Area.FromSquareCentimeters(0.785));
        Assert.InRange((top - before).Megapascals, expectedRise.Megapascals - 0.03, expectedRise.Megapascals + 0.03);
        Assert.InRange((top - before).Megapascals, 0.33, 0.40);
        Assert.InRange((after - before).Megapascals, -0.1, 0.1);
        Assert.Contains(rig.Raised, e => e.Code == "pressure.warning");
        Assert.Empty(rig.Engine.Calls);
        Assert.DoesNotContain(rig.Raised, e => e.Severity == RigEventSeverity.Alarm);
    }

    [Fact]
    public async Task A_stiff_clamp_holds_the_channel_when_plating_pushes_pressure_out_of_the_window_and_releases_it_back_in_window()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 4));
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();

        await rig.RunForAsync(TimeSpan.FromHours(7), stopWhen: () => rig.State.Interlocks.Active("ch1").Count > 0);

        // 1 MPa is 78.5 N: 19.6 µm at 4 N/µm, 2.23 mAh/cm² of sodium, plus a few samples of averaging.
        var held = Assert.Single(rig.State.Interlocks.Active("ch1"));
        Assert.Equal(InterlockKind.PressureOutOfWindow, held.Kind);
        Assert.Contains("left the window", held.Reason);
        Assert.False(rig.Instrument.OutputOn); // the loop turned it off in the same period, not the engine
        Assert.Empty(rig.Engine.Calls); // pausing is the interlock's job now, not a call into the engine
        Assert.InRange(rig.Cell.PlatedSodium.MilliampHoursPerSquareCentimetre, 2.2, 2.35);
        Assert.Contains(rig.Raised, e => e.Code == "fault.pressure_out_of_window" && e.Severity == RigEventSeverity.Alarm);

        // Stripping by hand brings the pressure back: the interlock clears by itself, recorded.
        rig.Clamp.ExternalForce = Force.FromNewtons(-80);
        await rig.RunForAsync(TimeSpan.FromMinutes(30), stopWhen: () => rig.State.Interlocks.Active("ch1").Count == 0);
        Assert.Empty(rig.State.Interlocks.Active("ch1"));
    }

    [Fact]
    public async Task Leaving_the_window_aborts_instead_when_configured_to()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 4, PressureAction.Abort));
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();

        await rig.RunForAsync(TimeSpan.FromHours(7), stopWhen: () => rig.Engine.Calls.Count > 0);

        Assert.Equal("abort", Assert.Single(rig.Engine.Calls).Verb);
    }

    [Fact]
    public async Task Beyond_the_fault_band_the_output_goes_off_the_channel_is_held_and_the_test_is_aborted()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 4));
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();
        await rig.RunForAsync(TimeSpan.FromMinutes(2));
        Assert.True(rig.Instrument.OutputOn);

        rig.Clamp.ExternalForce = Force.FromNewtons(300); // +3.8 MPa on 0.785 cm²: past the 3 MPa fault band, within rating
        await rig.RunForAsync(TimeSpan.FromMinutes(30), stopWhen: () => rig.Engine.Calls.Count > 0);

        Assert.False(rig.Instrument.OutputOn);
        Assert.Equal(["abort"], rig.Engine.Calls.Select(c => c.Verb));
        Assert.Contains(rig.Raised, e => e.Code == "pressure.fault_band");
        Assert.Contains(rig.State.Interlocks.Active("ch1"), i => i.Kind == InterlockKind.PressureOutOfWindow);
    }

    [Fact]
    public async Task Over_force_beyond_the_load_cell_rating_turns_the_output_off_on_the_very_next_sample()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 0.5));
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();
        await rig.RunForAsync(TimeSpan.FromMinutes(2));
        Assert.True(rig.Instrument.OutputOn);

        rig.Clamp.ExternalForce = Force.FromNewtons(1300); // 785 + 1300 N on a 2000 N cell
        await rig.RunForAsync(PressureRig.SamplePeriod);

        Assert.False(rig.Instrument.OutputOn);
        var alarm = Assert.Single(rig.Raised, e => e.Code == "fault.over_force");
        Assert.Equal(RigEventSeverity.Alarm, alarm.Severity);
        Assert.Equal(Drivers.Faults.FaultKind.OverForce, alarm.Fault!.Kind);
        Assert.Contains(("abort", "ch1", "over-force"), rig.Engine.Calls);
    }

    [Fact]
    public async Task The_clamp_frame_rating_applies_when_it_is_below_the_load_cells()
    {
        var options = PressureRig.Channel(springRateNewtonsPerMicrometre: 0.5);
        options.Clamp.FrameRatedForceNewtons = 1000;
        var rig = new PressureRig(options);
        await rig.RunForAsync(TimeSpan.FromMinutes(2));

        rig.Clamp.ExternalForce = Force.FromNewtons(300);
        await rig.RunForAsync(PressureRig.SamplePeriod);

        Assert.Contains(rig.Raised, e => e.Code == "fault.over_force");
    }

    [Fact]
    public async Task Without_a_test_engine_the_supervisor_turns_the_output_off_itself()
    {
        var rig = new PressureRig(PressureRig.Channel(springRateNewtonsPerMicrometre: 4), withEngine: false);
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();

        await rig.RunForAsync(TimeSpan.FromHours(7), stopWhen: () => !rig.Instrument.OutputOn);

        Assert.False(rig.Instrument.OutputOn);
        Assert.InRange(rig.Cell.PlatedSodium.MilliampHoursPerSquareCentimetre, 2.2, 2.35);
    }

    [Fact]
    public async Task A_fast_pressure_drift_raises_a_drift_warning()
    {
        var options = PressureRig.Channel(springRateNewtonsPerMicrometre: 4);
        options.Pressure.MaxDriftMegapascalsPerHour = 0.2; // 1 mA/cm² at 4 N/µm climbs ~0.45 MPa/h
        var rig = new PressureRig(options);
        await rig.RunForAsync(TimeSpan.FromMinutes(10));
        await rig.PlateAsync();

        await rig.RunForAsync(TimeSpan.FromHours(1));

        Assert.Contains(rig.Raised, e => e.Code == "pressure.drift" && e.Severity == RigEventSeverity.Warning);
        Assert.Empty(rig.Engine.Calls);
    }

    [Fact]
    public void Stack_pressure_of_the_default_preload_on_a_10_mm_cell_is_10_MPa()
    {
        var pressure = StackPressure.FromForce(Force.FromNewtons(785.4), Area.FromSquareCentimeters(0.785));
        Assert.Equal(10.0, pressure.Megapascals, 1);
    }
}
