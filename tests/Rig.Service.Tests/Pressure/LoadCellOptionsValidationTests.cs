using Rig.Service.Configuration;

namespace Rig.Service.Tests.PressureSupervision;

public class LoadCellOptionsValidationTests
{
    private static IReadOnlyList<string> Errors(Action<ChannelOptions> change)
    {
        var channel = new ChannelOptions { Cell = new CellOptions { Name = "c" } };
        change(channel);
        var rig = new RigOptions();
        rig.Channels["ch1"] = channel;
        var result = new RigOptionsValidator().Validate(null, rig);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(Errors(_ => { }));

    [Fact]
    public void A_nau7802_rate_the_chip_does_not_have_is_named_by_its_key()
    {
        var errors = Errors(c => { c.Clamp.Kind = LoadCellKind.Nau7802; c.Clamp.Nau7802.SamplesPerSecond = 100; c.Clamp.Nau7802.Gain = 3; c.Clamp.Nau7802.MuxAddress = 0x20; });

        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Clamp:Nau7802:SamplesPerSecond:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Clamp:Nau7802:Gain:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Clamp:Nau7802:MuxAddress:", StringComparison.Ordinal));
    }

    [Fact]
    public void Pressure_bands_out_of_order_are_named_by_their_keys()
    {
        var errors = Errors(c => { c.Pressure.TargetMegapascals = 10; c.Pressure.WarningMegapascals = 2; c.Pressure.WindowMegapascals = 1; c.Pressure.FaultMegapascals = 0.5; });

        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Pressure:WarningMegapascals:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Pressure:FaultMegapascals:", StringComparison.Ordinal));
    }

    [Fact]
    public void Hx711_pins_and_rated_output_are_checked()
    {
        var errors = Errors(c => { c.Clamp.Kind = LoadCellKind.Hx711; c.Clamp.Hx711.ClockPin = c.Clamp.Hx711.DataPin; c.Clamp.RatedOutputMillivoltsPerVolt = 0; });

        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Clamp:Hx711:ClockPin:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Rig:Channels:ch1:Clamp:RatedOutputMillivoltsPerVolt:", StringComparison.Ordinal));
    }
}
