using Rig.Service.Engine.Protocols;

namespace Rig.Service.Tests.Engine;

public class ProtocolLanguageTests
{
    [Theory]
    [InlineData("Plate at 1 mA/cm2 for 1 mAh/cm2", StepKind.Plate)]
    [InlineData("Strip at 1 mA/cm2 until 2 V", StepKind.Strip)]
    [InlineData("Charge at 0.5 mA/cm2 until 3.5 V", StepKind.Charge)]
    [InlineData("Hold at 3.5 V until 0.2 mA/cm2", StepKind.Hold)]
    [InlineData("Discharge at 1 mA/cm2 until 1.8 V", StepKind.Discharge)]
    [InlineData("Rest for 10 min", StepKind.Rest)]
    [InlineData("Hold at 50 mV for 300 s", StepKind.Hold)]
    [InlineData("Sweep from OCV to -0.5 V at 0.1 mV/s", StepKind.Sweep)]
    [InlineData("Charge at 0.785 mA for 1 h or until 3.5 V", StepKind.Charge)]
    [InlineData("Plate at 0.2 mA/cm² rising 0.2 mA/cm² per cycle for 4 mAh/cm² (timeout 30 h)", StepKind.Plate)]
    public void The_lab_notebook_steps_parse(string text, StepKind kind)
    {
        var step = StepParser.TryParse(text, out var problem);

        Assert.True(step is not null, problem);
        Assert.Equal(kind, step!.Kind);
    }

    [Fact]
    public void Step_values_keep_their_units()
    {
        var hold = StepParser.TryParse("Hold at 3.5 V until 0.2 mA/cm2", out _)!;
        var plate = StepParser.TryParse("Plate at 1 mA/cm2 for 1 mAh/cm2 then what was stripped", out _)!;
        var charge = StepParser.TryParse("Charge at 0.785 mA for 2 h or until 3.5 V", out _)!;

        Assert.Equal(3.5, hold.Voltage!.Value.Volts, 9);
        Assert.Equal(0.2, hold.CurrentLimit!.Value.Density!.Value.MilliampsPerSquareCentimetre, 9);
        Assert.Equal(1.0, plate.Capacity!.Value.Areal!.Value.MilliampHoursPerSquareCentimetre, 9);
        Assert.True(plate.PlatePreviousStrip);
        Assert.Equal(0.785, charge.Current!.Value.Absolute!.Value.Milliamperes, 9);
        Assert.Equal(TimeSpan.FromHours(2), charge.Duration);
        Assert.Equal(3.5, charge.VoltageLimit!.Value.Volts, 9);
    }

    [Theory]
    [InlineData("Strip at 1 mA/cm2 until 2 Q", "unknown unit 'q'")]
    [InlineData("Plate at 1 mA/cm2", "needs an end")]
    [InlineData("Plate at -1 mA/cm2 for 1 mAh/cm2", "positive magnitude")]
    [InlineData("Rest until 2 V", "a rest")]
    [InlineData("Boil at 100 °C for 1 h", "unknown step 'boil'")]
    [InlineData("Hold at 3.5 V", "a hold needs")]
    [InlineData("Strip at 1 mA/cm2 for 1 mAh/cm2 then what was stripped", "Plate or Charge")]
    public void A_bad_step_names_its_location_its_text_and_what_is_wrong(string text, string problem)
    {
        var protocol = $$"""
            { "name": "t", "safety": { "voltage": "-1 V to 3 V", "maxCurrent": "10 mA/cm2" },
              "steps": [ "Rest for 1 min", { "repeat": 2, "steps": [ "Rest for 1 s", "{{text}}" ] } ] }
            """;

        var ex = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(protocol));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("steps[1].steps[1]", error.Location);
        Assert.Equal(text, error.Text);
        Assert.Contains(problem, error.Problem, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("steps[1].steps[1]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_substitute_and_unknown_overrides_or_references_are_refused()
    {
        var protocol = """
            { "name": "t", "parameters": { "capacity": "1 mAh/cm2" },
              "safety": { "voltage": "-1 V to 3 V", "maxCurrent": "10 mA/cm2" },
              "steps": [ "Plate at 1 mA/cm2 for ${capacity}" ] }
            """;

        var plan = ProtocolCompiler.Compile(protocol, new Dictionary<string, string> { ["capacity"] = "3 mAh/cm2" });
        var unknownOverride = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(protocol, new Dictionary<string, string> { ["capcity"] = "3 mAh/cm2" }));
        var unknownReference = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(protocol.Replace("${capacity}", "${cap}", StringComparison.Ordinal)));

        Assert.Equal(3.0, plan.Instructions[0].Step!.Capacity!.Value.Areal!.Value.MilliampHoursPerSquareCentimetre, 9);
        Assert.Contains("no parameter 'capcity'", unknownOverride.Message, StringComparison.Ordinal);
        Assert.Equal("steps[0]", unknownReference.Errors[0].Location);
        Assert.Contains("${cap}", unknownReference.Errors[0].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_protocol_without_a_safety_block_or_with_a_bad_loop_is_refused_with_every_error()
    {
        var protocol = """{ "name": "t", "steps": [ { "repeat": 0, "until": ["retention < lots"], "steps": ["Rest for 1 s"] } ] }""";

        var ex = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(protocol));

        Assert.Contains(ex.Errors, e => e.Location == "safety");
        Assert.Contains(ex.Errors, e => e.Location == "steps[0].repeat");
        Assert.Contains(ex.Errors, e => e.Location == "steps[0].until[0]" && e.Text == "retention < lots");
    }

    [Theory]
    [InlineData("plating-stripping-1mAh")]
    [InlineData("plating-stripping-3mAh")]
    [InlineData("plating-stripping-7mAh")]
    [InlineData("ccd-ramp")]
    [InlineData("anode-free-full-cell")]
    [InlineData("full-cell-rate")]
    [InlineData("dc-polarization")]
    [InlineData("lsv")]
    public void Every_shipped_preset_compiles(string preset)
    {
        var plan = ProtocolCompiler.Compile(SimulatedRig.Preset(preset));

        Assert.NotEmpty(plan.Instructions);
        Assert.All(plan.Instructions.Where(i => i.Step is not null), i => Assert.NotNull(i.Step!.Timeout));
    }

    [Fact]
    public void Full_cell_preset_has_three_formation_cycles_then_400_at_1_mA_per_cm2()
    {
        var plan = ProtocolCompiler.Compile(SimulatedRig.Preset("anode-free-full-cell"));
        var loops = plan.Instructions.Where(i => i.Kind == InstructionKind.LoopStart).ToList();

        Assert.Equal(3, plan.FormationCycles);
        Assert.Equal([3, 400], loops.Select(l => l.Repeat));
        Assert.Equal(10, plan.Safety.MaxStackPressure!.Value.Megapascals - 2, 9);
    }
}
