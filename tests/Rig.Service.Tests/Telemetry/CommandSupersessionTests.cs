using System.Buffers;
using System.Text;
using CsCheck;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Telemetry;

/// <summary>
/// Issue 14: an abort supersedes the ordinary commands for its channel that arrived before it and have not started; an
/// all-off every ordinary command; a pause nothing; read-only verbs are never superseded.
/// </summary>
public sealed class CommandSupersessionTests
{
    private static ReadOnlySequence<byte> Payload(string json) => new(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void An_abort_supersedes_only_earlier_state_changing_commands_naming_its_channel()
    {
        var rules = new CommandSupersession(["ch1", "ch2"]);
        rules.Arrived("abort", 10, Payload("""{"channel":"ch1","reason":"cell swelling"}"""));

        var start = rules.Supersedes("start", 7, Payload("""{"channel":"ch1","preset":"plating-stripping-1mAh"}"""));
        Assert.NotNull(start);
        Assert.StartsWith("superseded by abort (cell swelling)", start, StringComparison.Ordinal);
        Assert.Contains("changed nothing", start);
        Assert.NotNull(rules.Supersedes("resume", 9, Payload("""{"channel":"ch1"}""")));
        Assert.NotNull(rules.Supersedes("tare-clamp", 1, Payload("""{"channel":"ch1"}""")));
        Assert.Null(rules.Supersedes("start", 11, Payload("""{"channel":"ch1","preset":"x"}"""))); // sent after the abort
        Assert.Null(rules.Supersedes("start", 7, Payload("""{"channel":"ch2","preset":"x"}""")));  // another channel
        Assert.Null(rules.Supersedes("set-heater", 7, Payload("""{"zone":"zone-a","setpoint_degC":40}"""))); // the zone, not the test
        Assert.Null(rules.Supersedes("dry-run", 7, Payload("""{"channel":"ch1","preset":"x"}""")));  // read-only
        Assert.Null(rules.Supersedes("export", 7, Payload("""{"test_id":"t"}""")));
        Assert.Null(rules.Supersedes("pause", 7, Payload("""{"channel":"ch1"}""")));  // urgent verbs always run
    }

    [Fact]
    public void An_all_off_supersedes_every_earlier_state_changing_command_and_a_pause_supersedes_nothing()
    {
        var rules = new CommandSupersession(["ch1", "ch2"]);
        rules.Arrived("pause", 5, Payload("""{"channel":"ch1"}"""));
        Assert.Null(rules.Supersedes("set-heater", 3, Payload("""{"zone":"zone-a","setpoint_degC":40}""")));
        Assert.Null(rules.Supersedes("start", 3, Payload("""{"channel":"ch1","preset":"x"}""")));

        rules.Arrived("all-off", 8, Payload("""{"reason":"smoke"}"""));
        var heater = rules.Supersedes("set-heater", 3, Payload("""{"zone":"zone-a","setpoint_degC":40}"""));
        Assert.NotNull(heater);
        Assert.StartsWith("superseded by all-off (smoke)", heater, StringComparison.Ordinal);
        Assert.NotNull(rules.Supersedes("clear-fault", 7, Payload("{}")));
        Assert.NotNull(rules.Supersedes("autotune-heater", 6, Payload("""{"zone":"zone-a","target_degC":40}""")));
        Assert.Null(rules.Supersedes("set-heater", 9, Payload("""{"zone":"zone-a","setpoint_degC":40}""")));
        Assert.Null(rules.Supersedes("list-tests", 2, Payload("{}")));
    }

    [Fact]
    public void Aborts_of_channels_the_rig_does_not_have_are_not_kept()
    {
        var rules = new CommandSupersession(["ch1"]);
        rules.Arrived("abort", 10, Payload("""{"channel":"ch9"}"""));
        rules.Arrived("abort", 11, Payload("""not json"""));

        Assert.Null(rules.Supersedes("start", 1, Payload("""{"channel":"ch9","preset":"x"}""")));
        Assert.Null(rules.Supersedes("start", 1, Payload("""{"channel":"ch1","preset":"x"}""")));
    }

    [Fact]
    public void A_command_is_superseded_exactly_when_a_later_arriving_abort_of_its_channel_or_all_off_was_noted()
    {
        string[] verbs = ["start", "resume", "tare-clamp", "export", "dry-run", "abort", "all-off", "pause"];
        var gen = Gen.Select(Gen.Int[0, verbs.Length - 1], Gen.Int[1, 2]).Array[1, 30];
        gen.Sample(commands =>
        {
            var rules = new CommandSupersession(["ch1", "ch2"]);
            for (var i = 0; i < commands.Length; i++)
            {
                var (v, c) = commands[i];
                if (CommandResources.IsUrgent(verbs[v]))
                {
                    rules.Arrived(verbs[v], i, Payload($$"""{"channel":"ch{{c}}"}"""));
                }
            }
            for (var i = 0; i < commands.Length; i++)
            {
                var (v, c) = commands[i];
                var verb = verbs[v];
                var expected = !CommandResources.IsUrgent(verb) && !CommandResources.IsReadOnly(verb)
                    && commands.Skip(i + 1).Any(later => verbs[later.Item1] == "all-off" || (verbs[later.Item1] == "abort" && later.Item2 == c));
                Assert.Equal(expected, rules.Supersedes(verb, i, Payload($$"""{"channel":"ch{{c}}"}""")) is not null);
            }
        }, iter: 300);
    }
}
