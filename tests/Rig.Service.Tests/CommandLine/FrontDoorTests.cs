using Rig.Service.CommandLine;

namespace Rig.Service.Tests.CommandLine;

public sealed class FrontDoorTests
{
    [Theory]
    [InlineData("--help", FrontDoorAction.ShowHelp)]
    [InlineData("-h", FrontDoorAction.ShowHelp)]
    [InlineData("help", FrontDoorAction.ShowHelp)]
    [InlineData("--version", FrontDoorAction.ShowVersion)]
    [InlineData("-V", FrontDoorAction.ShowVersion)]
    [InlineData("--verbose", FrontDoorAction.Refuse)]
    [InlineData("-x", FrontDoorAction.Refuse)]
    [InlineData("start", FrontDoorAction.Refuse)]
    [InlineData("/Rig:Id=x", FrontDoorAction.Refuse)]
    [InlineData("--Rig:Id", FrontDoorAction.Refuse)]
    [InlineData("--Rgi:Id=rig-02", FrontDoorAction.Refuse)]
    [InlineData("--Rig:Id=rig-02", FrontDoorAction.RunService)]
    [InlineData("--mqtt:Port=1884", FrontDoorAction.RunService)]
    [InlineData("export", FrontDoorAction.RunVerb)]
    [InlineData("loadcell", FrontDoorAction.RunVerb)]
    public void Only_settings_overrides_start_the_rig_everything_else_is_help_a_verb_or_refused(string argument, FrontDoorAction expected) =>
        Assert.Equal(expected, FrontDoor.Choose([argument]).Action);

    [Fact]
    public void No_arguments_run_the_rig() => Assert.Equal(FrontDoorAction.RunService, FrontDoor.Choose([]).Action);

    [Fact]
    public void A_help_after_a_setting_is_refused_rather_than_starting_the_rig() =>
        Assert.Equal(FrontDoorAction.Refuse, FrontDoor.Choose(["--Rig:Id=rig-02", "--help"]).Action);

    [Fact]
    public void A_misspelt_verb_or_section_is_named_with_a_suggestion()
    {
        Assert.Contains("did you mean 'export'", FrontDoor.Choose(["exprot", "t1", "out"]).Reason, StringComparison.Ordinal);
        var section = FrontDoor.Choose(["--Mqt:Port=1884"]).Reason!;
        Assert.Contains("did you mean 'Mqtt'", section, StringComparison.Ordinal);
        Assert.Contains("Rig, Mqtt", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_lists_every_verb_and_every_exit_code()
    {
        var usage = FrontDoor.Usage();
        Assert.All(Verbs.All, verb => Assert.Contains(verb.Usage, usage, StringComparison.Ordinal));
        foreach (var code in typeof(ExitCodes).GetFields().Where(f => f.IsLiteral && f.Name != nameof(ExitCodes.VerbRefused)).Select(f => (int)f.GetRawConstantValue()!))
        {
            Assert.Contains($"{code} ", usage, StringComparison.Ordinal);
        }
    }
}
