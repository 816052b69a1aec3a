using Rig.Drivers.Potentiostats.Scpi.Simulation;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>The simulator's parser follows SCPI-99 §6.2: short or long form, any case, optional nodes, numeric suffixes.</summary>
public sealed class ScpiCommandParserTests
{
    [Theory]
    [InlineData(":SOUR:CURR:VLIM 2", "SOUR:CURR:VLIM", 1)]
    [InlineData(":source:current:vlimit 2", "SOUR:CURR:VLIM", 1)]
    [InlineData(":SOURce1:CURRent:LEVel:IMMediate:AMPLitude -1e-3", "SOUR:CURR", 1)]
    [InlineData(":OUTP2:STAT ON", "OUTP", 2)]
    [InlineData("SYST:ERR:NEXT?", "SYST:ERR", 1)]
    public void Long_and_short_forms_reduce_to_one_canonical_header(string text, string header, int suffix)
    {
        var command = ScpiCommand.Parse(text);

        Assert.NotNull(command);
        Assert.Equal((header, suffix), (command!.Header, command.Suffix));
    }

    [Theory]
    [InlineData(":SOURC:CURR 1")] // neither the short nor the long form
    [InlineData(":FOO:BAR")]
    public void A_keyword_that_is_neither_form_is_undefined(string text) => Assert.Null(ScpiCommand.Parse(text));

    [Fact]
    public void Arguments_keep_quoted_strings_and_channel_lists_whole()
    {
        var command = ScpiCommand.Parse(":READ? \"def,buffer1\", READ, SOUR, REL")!;
        var measure = ScpiCommand.Parse(":MEAS? (@1,2)")!;

        Assert.Equal(["\"def,buffer1\"", "READ", "SOUR", "REL"], command.Arguments);
        Assert.Equal(["(@1,2)"], measure.Arguments);
    }
}
