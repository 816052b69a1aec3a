using CsCheck;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine.Protocols;
using Rig.Service.Engine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: every number that enters a protocol is finite and in range, refused at compile time with its location.</summary>
public sealed class ProtocolNumberTests : IDisposable
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "rig-hostile-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }

    private static string Protocol(string step, string safety = "\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"10 mA/cm2\"") =>
        $$"""{ "name": "x", "safety": { {{safety}} }, "steps": [ "{{step}}" ] }""";

    [Theory]
    [InlineData("Plate at NaN mA/cm2 for 1 mAh/cm2", "not a finite number")]
    [InlineData("Plate at 1 mA/cm2 for NaN mAh/cm2", "not a finite number")]
    [InlineData("Plate at Infinity mA/cm2 for 1 mAh/cm2", "not a finite number")]
    [InlineData("Plate at 1 mA/cm2 rising NaN mA/cm2 per cycle for 1 mAh/cm2", "not a finite number")]
    [InlineData("Plate at 1 mA/cm2 for 1e400 mAh/cm2", "unknown unit")]
    [InlineData("Rest for 1000000000000000 s", "beyond the largest Duration")]
    [InlineData("Rest for 99999999999 h", "beyond the largest Duration")]
    [InlineData("Plate at 1 mA/cm2 for 1 mAh/cm2 timeout 999999999999999999999999999999 d", "beyond the largest Duration")]
    [InlineData("Hold at -Infinity V for 10 s", "not a finite number")]
    [InlineData("Sweep from OCV to 1 V at NaN mV/s", "not a finite number")]
    [InlineData("Plate at 1 mA/cm2 for 0 mAh/cm2", "a capacity must be positive")]
    [InlineData("Plate at 1 mA/cm2 for -1 mAh/cm2", "a capacity must be positive")]
    [InlineData("Plate at 1 mA/cm2 rising -0.2 mA/cm2 per cycle for 1 mAh/cm2", "must not be negative")]
    [InlineData("Hold at 1 V until -1 mA/cm2", "positive magnitude")]
    [InlineData("Plate at 1 mA/cm2 for 1 mAh/cm2 timeout -5 s", "a time-out must be positive")]
    public void A_step_with_a_number_no_step_can_use_is_refused_with_its_location(string step, string why)
    {
        var error = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(Protocol(step)));

        Assert.Contains("steps[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"voltage\": \"NaN V to 3 V\", \"maxCurrent\": \"10 mA/cm2\"", "safety.voltage")]
    [InlineData("\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"Infinity mA/cm2\"", "safety.maxCurrent")]
    [InlineData("\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"10 mA/cm2\", \"maxTemperature\": \"NaN °C\"", "safety.maxTemperature")]
    [InlineData("\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"10 mA/cm2\", \"stackPressure\": \"1 MPa to 1e999 MPa\"", "safety.stackPressure")]
    public void A_safety_block_with_a_non_finite_number_is_refused_naming_the_key(string safety, string key)
    {
        var error = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(Protocol("Rest for 1 s", safety)));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("capacity", "NaN mAh/cm2", "not a finite number")]
    [InlineData("capacity", "1 s", "the protocol expects a capacity")]
    [InlineData("capacity", "1 mAh/cm2 or until 5 V", "only one number and its unit")]
    [InlineData("current", "1 mA/cm2 for 1 s", "only one number and its unit")]
    [InlineData("current", "1 V", "the protocol expects a current")]
    [InlineData("cycles", "NaN", "must be a whole number")]
    [InlineData("cycles", "3 mAh/cm2", "must be a whole number")]
    [InlineData("rest", "100000000000000000000 s", "beyond the largest Duration")]
    public void A_parameter_override_is_one_value_of_the_kind_its_default_has(string name, string value, string why)
    {
        var text = PresetLibraryText("plating-stripping-1mAh");

        var error = Assert.Throws<ProtocolException>(() => ProtocolCompiler.Compile(text, new Dictionary<string, string> { [name] = value }));

        Assert.Contains($"parameters.{name}", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_per_area_override_may_be_given_as_an_absolute_amount()
    {
        var plan = ProtocolCompiler.Compile(PresetLibraryText("plating-stripping-1mAh"),
            new Dictionary<string, string> { ["capacity"] = "0.5 mAh", ["current"] = "0.8 mA", ["cycles"] = "2" });

        Assert.Equal("0.5 mAh", plan.Parameters["capacity"]);
    }

    [Fact]
    public void Any_text_in_a_step_or_a_parameter_compiles_or_is_refused_but_never_throws_anything_else()
    {
        var numbers = Gen.OneOf(Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            Gen.OneOf("NaN", "Infinity", "-Infinity", "1e400", "-0", "0", "1e-400", "∞", "1,5", "0x10", "79228162514264337593543950335"));
        var units = Gen.OneOf("mA/cm2", "mA", "A", "mAh/cm2", "mAh", "V", "mV", "s", "min", "h", "d", "mV/s", "%", "MPa", "°C", "", "q");
        var heads = Gen.OneOf("Plate at", "Strip at", "Hold at", "Rest for", "Sweep from OCV to", "Plate at 1 mA/cm2 rising", "Plate at 1 mA/cm2 for");
        var tails = Gen.OneOf("", " for 1 mAh/cm2", " per cycle for 1 mAh/cm2", " until 2 V", " at 1 mV/s", " timeout", " then what was stripped");
        Gen.Select(heads, numbers, units, tails, numbers, units).Sample((head, number, unit, tail, other, otherUnit) =>
        {
            var step = $"{head} {number} {unit}{tail}";
            var plans = new List<Func<ProtocolPlan>>
            {
                () => ProtocolCompiler.Compile(Protocol(step)),
                () => ProtocolCompiler.Compile(PresetLibraryText("ccd-ramp"), new Dictionary<string, string> { ["rise"] = $"{other} {otherUnit}" }),
                () => ProtocolCompiler.Compile(Protocol("Rest for 1 s", $"\"voltage\": \"-{number} V to {other} V\", \"maxCurrent\": \"{other} {otherUnit}\"")),
            };
            foreach (var compile in plans)
            {
                try
                {
                    var plan = compile();
                    // What compiles is usable: every duration fits a TimeSpan and every step's numbers are finite.
                    Assert.All(plan.Instructions.Where(i => i.Step is not null), i => Assert.True(i.Step!.Timeout is { } t && t > TimeSpan.Zero));
                }
                catch (ProtocolException)
                {
                }
            }
        }, iter: 3_000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task A_safety_window_beyond_the_instrument_or_the_channel_ceiling_is_refused_naming_the_limit()
    {
        var host = HostWithLimits(new ChannelLimitsOptions { MaxVoltageVolts = 5, MaxCurrentMilliamps = 2 });

        var thousandVolts = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Rest for 1 s", "\"voltage\": \"-1000 V to 1000 V\", \"maxCurrent\": \"1 mA/cm2\"")), CancellationToken.None);
        var sixVolts = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Rest for 1 s", "\"voltage\": \"-1 V to 6 V\", \"maxCurrent\": \"1 mA/cm2\"")), CancellationToken.None);
        var fiveMilliamps = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Rest for 1 s", "\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"5 mA\"")), CancellationToken.None);
        var holdOutside = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Hold at 4 V for 10 s", "\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"1 mA/cm2\"")), CancellationToken.None);
        var fine = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Rest for 1 s", "\"voltage\": \"-1 V to 3 V\", \"maxCurrent\": \"1 mA/cm2\"")), CancellationToken.None);

        Assert.False(thousandVolts.Accepted);
        Assert.Contains("can source", thousandVolts.Message, StringComparison.Ordinal);
        Assert.False(sixVolts.Accepted);
        Assert.Contains("Rig:Channels:ch1:Limits:MaxVoltageVolts", sixVolts.Message, StringComparison.Ordinal);
        Assert.False(fiveMilliamps.Accepted);
        Assert.Contains("Rig:Channels:ch1:Limits:MaxCurrentMilliamps", fiveMilliamps.Message, StringComparison.Ordinal);
        Assert.False(holdOutside.Accepted);
        Assert.Contains("outside safety.voltage", holdOutside.Message, StringComparison.Ordinal);
        Assert.True(fine.Accepted, fine.Message);
    }

    [Theory]
    [InlineData("Rest for 1 h (timeout 13 h)", "steps[0] \"Rest for 1 h (timeout 13 h)\": may run 13 h (its time-out), beyond this channel's ceiling Rig:Channels:ch1:Limits:MaxStepDuration")]
    [InlineData("Rest for 1 h", "steps[0] \"Rest for 1 h\": may run 2 d (its time-out)")] // the default stepTimeout is 48 h
    [InlineData("Plate at 1 mA for 60 mAh (timeout 12 h)", "Rig:Channels:ch1:Limits:MaxStepCapacityMilliampHours (50 mAh)")]
    [InlineData("Plate at 1 mA for 20 mAh (timeout 10 h)", "steps[0] \"Plate at 1 mA for 20 mAh (timeout 10 h)\": 20 mAh on this cell cannot be reached at 1 mA within the step's time-out of 10 h")]
    public async Task A_step_beyond_the_channels_time_or_capacity_ceiling_or_unreachable_is_refused_at_its_location(string step, string refusal)
    {
        var host = HostWithLimits(new ChannelLimitsOptions { MaxStepDuration = TimeSpan.FromHours(12), MaxStepCapacityMilliampHours = 50 });
        var result = await host.StartAsync(new StartTestRequest("ch1", null, Protocol(step)), CancellationToken.None);
        Assert.False(result.Accepted);
        Assert.True(result.Message.Contains(refusal, StringComparison.Ordinal), result.Message);
    }

    [Fact]
    public async Task A_protocol_whose_worst_case_outlasts_the_channels_test_ceiling_is_refused_naming_its_longest_part()
    {
        var host = HostWithLimits(new ChannelLimitsOptions { MaxTestDuration = TimeSpan.FromDays(30) });
        // 10 h time-outs: 2 steps × 40 cycles = 800 h = 33 d at worst; 35 cycles = 700 h = 29 d fits.
        static string Looped(int cycles) => $$"""
            { "name": "x", "stepTimeout": "10 h", "safety": { "voltage": "-1 V to 3 V", "maxCurrent": "10 mA/cm2" },
              "steps": [ "Rest for 1 min", { "repeat": {{cycles}}, "steps": [ "Plate at 1 mA/cm2 for 1 mAh/cm2", "Strip at 1 mA/cm2 until 1 V" ] } ] }
            """;
        var tooLong = await host.StartAsync(new StartTestRequest("ch1", null, Looped(40)), CancellationToken.None);
        Assert.False(tooLong.Accepted);
        Assert.Contains("may run up to 33.8 d", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("most of it in steps[1]", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("Rig:Channels:ch1:Limits:MaxTestDuration (30 d)", tooLong.Message, StringComparison.Ordinal);
        var fits = await host.StartAsync(new StartTestRequest("ch1", null, Looped(35)), CancellationToken.None);
        Assert.True(fits.Accepted, fits.Message);
    }

    [Fact]
    public async Task Without_time_limits_a_long_protocol_still_starts_and_reachable_capacities_pass()
    {
        var host = HostWithLimits(new ChannelLimitsOptions());
        var result = await host.StartAsync(new StartTestRequest("ch1", null, Protocol("Plate at 1 mA for 20 mAh (timeout 21 h)")), CancellationToken.None);
        Assert.True(result.Accepted, result.Message);
    }

    private EngineHost HostWithLimits(ChannelLimitsOptions limits) =>
        new EngineRig(_stateDirectory, new ChannelOptions { Limits = limits }).NewHost();

    private static string PresetLibraryText(string name) => new PresetLibrary().Text(name) ?? throw new InvalidOperationException($"no preset {name}");
}
