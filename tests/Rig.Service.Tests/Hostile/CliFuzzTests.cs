using CsCheck;
using Microsoft.Extensions.Configuration;
using Rig.Service.CommandLine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: every CLI verb (<see cref="Verbs.All"/>) given generated hostile arguments answers with a message and a
/// non-zero exit, never an exception (found: analyze of /dev/zero threw ArgumentOutOfRangeException).
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class CliFuzzTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("rig-cli-fuzz-").FullName;

    public void Dispose()
    {
        // The FIFO and the links first: a recursive delete must not follow a link.
        Directory.Delete(_state, recursive: true);
    }

    // Tokens no verb may accept: non-numbers where numbers go, files that are not files, ids that are not ids.
    private string[] HostileTokens() =>
    [
        "NaN", "Infinity", "-Infinity", "1e400", "-1", "0", "99999999999999999999999999", "1,5", "0x10", "5N5", "NaN N", "-500N",
        "/dev/zero", "/dev/urandom", "/proc/self/mem", Fifo(), _state, "../../etc/passwd", "/nonexistent/x.bdf.csv", "",
        " ", "\t", "a\u0000b", "\u202eexe", "ch1/../ch2", "#", "+", new string('z', 10_000), "--formation-cycles=NaN",
        "--formation-cycles=-3", "--formation-cycles=1e9", "--unknown", "--Rig:Id=", "kp=NaN", "ki=1e999", "kd=-0",
    ];

    private static readonly string[] Words = ["read", "tare", "span", "status", "autotune", "cancel", "accept", "reject", "set-gains", "ch1", "zone", "5", "100N"];

    [Fact]
    public async Task Every_verb_answers_hostile_arguments_with_a_message_and_a_nonzero_exit_never_an_exception()
    {
        var configuration = Configuration();
        var hostile = HostileTokens();
        var cases = Gen.Select(Gen.OneOf([.. Verbs.All]), Gen.OneOf(Words).Array[0, 2], Gen.OneOf(hostile).Array[1, 2], Gen.Int[0, 3])
            .Select((verb, words, bad, at) =>
            {
                var rest = words.Concat(bad).ToList();
                // The hostile token anywhere after the verb: in the place of a sub-verb, a channel, a number, a file.
                var first = bad[0];
                rest.Remove(first);
                rest.Insert(Math.Min(at, rest.Count), first);
                return (Verb: verb, Args: new[] { verb.Name }.Concat(rest).ToArray());
            });
        var failures = new List<string>();
        var seen = 0;
        var original = (Console.Out, Console.Error);
        try
        {
            foreach (var (verb, args) in Check.Single(cases.Array[400], _ => true, "0N0XIzNsQ0O2"))
            {
                var output = new StringWriter();
                Console.SetOut(output);
                Console.SetError(output);
                int exit;
                try
                {
                    // A hang guard, not a timing: a verb that never returns fails here instead of hanging the run.
                    exit = await verb.Run(args, configuration).WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (Exception ex)
                {
                    failures.Add($"{Show(args)}: threw {ex.GetType().Name}: {ex.Message}");
                    continue;
                }
                seen++;
                var text = output.ToString();
                if (exit == 0)
                {
                    failures.Add($"{Show(args)}: exit 0\n{Trim(text)}");
                }
                else if (text.Trim().Length == 0)
                {
                    failures.Add($"{Show(args)}: exit {exit} without a word");
                }
                else if (text.Contains("   at ", StringComparison.Ordinal) && text.Contains("Exception", StringComparison.Ordinal))
                {
                    failures.Add($"{Show(args)}: a stack trace\n{Trim(text)}");
                }
            }
        }
        finally
        {
            Console.SetOut(original.Out);
            Console.SetError(original.Error);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of 400 cases ({seen} returned):\n" + string.Join("\n", failures.Distinct().Take(25)));
    }

    private IConfiguration Configuration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rig:StateDirectory"] = _state,
        ["Rig:Channels:ch1:Cell:Name"] = "HC-bench",
        ["Rig:Channels:ch1:Clamp:Kind"] = "Simulated",
        ["Rig:HeaterZones:zone:MaxCelsius"] = "80",
        // The heater verbs talk to the running service: here nothing listens, so they must say so, not hang.
        ["Mqtt:Broker"] = "127.0.0.1",
        ["Mqtt:Port"] = "1",
    }).Build();

    private string Fifo()
    {
        var path = Path.Combine(_state, "fifo");
        if (!File.Exists(path))
        {
            HostileFiles.MakeFifo(path);
        }
        return path;
    }

    private static string Show(string[] args) => string.Join(' ', args.Select(a => a.Length > 40 ? $"<{a.Length} chars>" : $"'{a}'"));

    private static string Trim(string text) => text.Length > 400 ? text[..400] + "…" : text;
}
