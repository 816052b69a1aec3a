using System.Text;
using CsCheck;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Hostile;

/// <summary>Issue 22: a command body is exactly one JSON object of the documented shape, every field typed.</summary>
public sealed class CommandPayloadTests
{
    private static readonly string[] Allowed = ["channel", "reason", "zone", "setpoint_degC", "parameters", "force", "notes"];

    // What System.Text.Json and the runtime say in their own words; none of it may reach a reply.
    private static readonly string[] RuntimeWords = ["Exception", "LineNumber", "BytePositionInLine", "Parameter '", "is invalid after", "   at "];

    [Theory]
    [InlineData("{\"channel\":\"ch1\"}}", "malformed JSON")]
    [InlineData("{\"channel\":\"ch1\"} {\"channel\":\"ch2\"}", "malformed JSON at line 1, byte 19")]
    [InlineData("{\"channel\":\"ch1\"}x", "malformed JSON")]
    [InlineData("{\"channel\":\"ch1\",\"channel\":\"ch2\"}", "given twice")]
    [InlineData("{\"channel\":\"ch1\",\"reason\":5}", "'reason' must be a string")]
    [InlineData("{\"channel\":5}", "'channel' must be a string")]
    [InlineData("{\"channel\":\"ch 1\"}", "must not contain spaces")]
    [InlineData("{\"channel\":\"ch1\\u0000\"}", "control characters")]
    [InlineData("{\"channel\":\"a/+/#\"}", "'/', '+' or '#'")]
    [InlineData("{\"zone\":\"z\",\"setpoint_degC\":1e999}", "'setpoint_degC' must be a finite number")]
    [InlineData("{\"zone\":\"z\",\"setpoint_degC\":\"40\"}", "'setpoint_degC' must be a finite number")]
    [InlineData("{\"zone\":\"z\",\"setpoint_degC\":-300}", "'setpoint_degC' must be between")]
    [InlineData("{\"force\":\"yes\"}", "'force' must be true or false")]
    [InlineData("{\"parameters\":{\"capacity\":3}}", "'parameters.capacity' must be a string")]
    [InlineData("{\"parameters\":[\"3 mAh/cm2\"]}", "'parameters' must be an object of strings")]
    [InlineData("[{\"channel\":\"ch1\"}]", "must be a JSON object")]
    [InlineData("\"ch1\"", "must be a JSON object")]
    [InlineData("{\"channel\":\"ch1\",\"shell\":\"rm -rf /\"}", "unknown property 'shell'")]
    [InlineData("{\"channel\":\"ch1\"", "malformed JSON")]
    [InlineData("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}", "malformed JSON")]
    public void A_payload_that_is_not_one_object_of_the_documented_shape_is_refused_saying_why(string payload, string why)
    {
        var args = CommandArguments.Parse(Encoding.UTF8.GetBytes(payload), Allowed, out var problem);

        Assert.Null(args);
        Assert.Contains(why, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(RuntimeWords, w => problem.Contains(w, StringComparison.Ordinal));
    }

    [Fact]
    public void A_well_formed_payload_with_whitespace_around_it_is_accepted()
    {
        var args = CommandArguments.Parse(Encoding.UTF8.GetBytes(" {\"channel\":\"ch1\",\"reason\":\"lunch\",\"parameters\":{\"capacity\":\"3 mAh/cm2\"}}\n"), Allowed, out var problem);

        Assert.NotNull(args);
        Assert.Equal("", problem);
    }

    [Fact]
    public void Any_bytes_are_accepted_or_refused_in_the_services_own_words_and_never_throw()
    {
        var fragments = Gen.OneOf("{", "}", "[", "]", ",", ":", "\"channel\"", "\"reason\"", "\"setpoint_degC\"", "\"parameters\"", "\"x\"",
            "\"ch1\"", "5", "-1e999", "1e308", "NaN", "null", "true", "\"\\u0000\"", "\"\\ud800\"", " ", "\n", "\u00ff", "\"é\"");
        var texts = Gen.OneOf(fragments.Array[0, 40].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))), Gen.Byte.Array[0, 200]);
        texts.Sample(payload =>
        {
            var args = CommandArguments.Parse(payload, Allowed, out var problem);
            if (args is null)
            {
                Assert.False(string.IsNullOrWhiteSpace(problem));
                Assert.DoesNotContain(RuntimeWords, w => problem.Contains(w, StringComparison.Ordinal));
            }
        }, iter: 20_000);
    }
}
