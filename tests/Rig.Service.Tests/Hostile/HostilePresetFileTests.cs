using System.Diagnostics;
using Rig.Service.Configuration;
using Rig.Service.Control;
using Rig.Service.Engine;
using Rig.Service.Tests.Support;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: hostile preset files (links to /dev/zero and /dev/urandom, a FIFO, a link loop, a dangling link, a
/// directory, a 64 MiB file, binary, invalid UTF-8, deep nesting, trailing garbage, NaN, unknown keys, 30,000 steps,
/// an unreachable capacity) are refused with a message, never read unbounded, and a good preset still starts.
/// </summary>
public sealed class HostilePresetFileTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("rig-preset-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Hostile_preset_files_are_refused_naming_the_file_and_the_engine_stays_usable()
    {
        var presets = Directory.CreateDirectory(Path.Combine(_state, "presets")).FullName;
        var files = new Dictionary<string, Action<string>>
        {
            ["zero"] = p => File.CreateSymbolicLink(p, "/dev/zero"),
            ["urandom"] = p => File.CreateSymbolicLink(p, "/dev/urandom"),
            ["fifo"] = p => HostileFiles.MakeFifo(p),
            ["dangling"] = p => File.CreateSymbolicLink(p, Path.Combine(presets, "nowhere.json")),
            ["loop"] = p => File.CreateSymbolicLink(p, p),
            ["directory"] = p => Directory.CreateDirectory(p),
            ["huge"] = p => { using var f = File.Create(p); f.SetLength(64L * 1024 * 1024); },
            ["binary"] = p => File.WriteAllBytes(p, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 256))]),
            ["bad-utf8"] = p => File.WriteAllBytes(p, [0x7b, 0xff, 0xfe, 0x22, 0x7d]),
            ["empty"] = p => File.WriteAllText(p, ""),
            ["array"] = p => File.WriteAllText(p, "[1,2,3]"),
            ["deep"] = p => File.WriteAllText(p, new string('[', 100_000) + new string(']', 100_000)),
            ["nan"] = p => File.WriteAllText(p, """{"name":"x","safety":{"voltage":"-1 V to 3 V","maxCurrent":"NaN mA/cm2"},"steps":["Rest for 1 s"]}"""),
            ["no-steps"] = p => File.WriteAllText(p, """{"name":"x","safety":{"voltage":"-1 V to 3 V","maxCurrent":"1 mA/cm2"},"steps":[]}"""),
            ["thousand-volts"] = p => File.WriteAllText(p, """{"name":"x","safety":{"voltage":"-1000 V to 1000 V","maxCurrent":"1 mA/cm2"},"steps":["Rest for 1 s"]}"""),
            ["trailing"] = p => File.WriteAllText(p, """{"name":"x","safety":{"voltage":"-1 V to 3 V","maxCurrent":"1 mA/cm2"},"steps":["Rest for 1 s"]}} garbage"""),
            ["steps-flood"] = p => File.WriteAllText(p, """{"name":"x","safety":{"voltage":"-1 V to 3 V","maxCurrent":"1 mA/cm2"},"steps":[""" + string.Join(',', Enumerable.Repeat("\"Rest for 1 s\"", 30_000)) + "]}"),
            ["unreachable"] = p => File.WriteAllText(p, """{"name":"x","stepTimeout":"1 h","safety":{"voltage":"-1 V to 3 V","maxCurrent":"10 mA/cm2"},"steps":["Plate at 1 mA/cm2 for 5 mAh/cm2"]}"""),
            ["unknown-key"] = p => File.WriteAllText(p, """{"name":"x","exec":"rm -rf /","safety":{"voltage":"-1 V to 3 V","maxCurrent":"1 mA/cm2"},"steps":["Rest for 1 s"]}"""),
        };
        foreach (var (name, make) in files)
        {
            make(Path.Combine(presets, name + ".json"));
        }
        File.WriteAllText(Path.Combine(presets, "fine.json"), """{"name":"fine","safety":{"voltage":"-1 V to 3 V","maxCurrent":"1 mA/cm2"},"steps":["Rest for 1 s"]}""");
        var host = Host(presets);

        var refusals = new List<string>();
        foreach (var name in files.Keys)
        {
            var clock = Stopwatch.StartNew();
            var result = await host.StartAsync(new StartTestRequest("ch1", name, null), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(result.Accepted, $"{name}: accepted");
            Assert.False(string.IsNullOrWhiteSpace(result.Message), name);
            Assert.DoesNotContain("   at ", result.Message, StringComparison.Ordinal);
            // Every refusal in the user's words: no JSON reader internals, no runtime exception text.
            foreach (var internals in RuntimeWording)
            {
                Assert.False(result.Message.Contains(internals, StringComparison.Ordinal), $"{name}: '{internals}' in: {result.Message}");
            }
            refusals.Add($"{name} ({clock.ElapsedMilliseconds} ms): {result.Message[..Math.Min(160, result.Message.Length)]}");
        }
        Console.WriteLine(string.Join("\n", refusals));
        var fine = await host.StartAsync(new StartTestRequest("ch1", "fine", null), CancellationToken.None);
        Assert.True(fine.Accepted, fine.Message);
    }

    /// <summary>Text that only the runtime writes (System.Text.Json's reader, IOException messages).</summary>
    internal static readonly string[] RuntimeWording =
    [
        "LineNumber", "BytePositionInLine", "System.", "Exception", "invalid start of", "isFinalBlock", "Could not find",
        "Too many levels", "The maximum configured depth", "Expected end of data", "'0x",
    ];

    [Fact]
    public async Task Malformed_presets_are_refused_naming_the_line_column_key_and_what_was_expected()
    {
        var presets = Directory.CreateDirectory(Path.Combine(_state, "presets")).FullName;
        var files = new Dictionary<string, (string Text, string[] Expected)>
        {
            ["binary"] = ("\0\u0001\u0002", ["line 1, column 1", "a control character (U+0000), not text"]),
            ["trailing"] = ("{\"name\":\"x\",\"steps\":[\"Rest for 1 s\"]}} garbage", ["line 1, column 38", "after the end of the JSON value"]),
            ["empty"] = ("  \n", ["the text is empty; expected a JSON object"]),
            ["deep"] = (new string('[', 200), ["nested deeper than 64 levels"]),
            ["nan"] = ("{\"name\":\"x\",\n  \"safety\": {\"voltage\": NaN}}", ["line 2, column 25 (after safety.voltage)", "'N' is not allowed here; expected a value"]),
            ["colon"] = ("{\"name\" \"x\"}", ["line 1, column 9", "expected ':' after the key"]),
            ["comma"] = ("{\"steps\": [\"Rest for 1 s\" \"Rest for 2 s\"]}", ["(after steps[0])", "expected ',' or ']'"]),
            ["unclosed"] = ("{\"name\": \"x\",\n\"steps\": [\"Rest for 1 s\"", ["line 2", "the text ends too early", "expected ',' or ']'"]),
            ["raw-tab"] = ("{\"name\": \"a\tb\"}", ["line 1, column 12 (after name)", "a tab (U+0009) inside a quoted string"]),
        };
        foreach (var (name, (text, _)) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(presets, name + ".json"), text);
        }
        var host = Host(presets);

        foreach (var (name, (_, expected)) in files)
        {
            var result = await host.StartAsync(new StartTestRequest("ch1", name, null), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(result.Accepted, name);
            foreach (var words in expected)
            {
                Assert.True(result.Message.Contains(words, StringComparison.Ordinal), $"{name}: expected '{words}' in: {result.Message}");
            }
            foreach (var internals in RuntimeWording)
            {
                Assert.False(result.Message.Contains(internals, StringComparison.Ordinal), $"{name}: '{internals}' in: {result.Message}");
            }
        }
    }

    private EngineHost Host(string presets) => new EngineRig(_state).NewHost(new EngineOptions { PresetDirectory = presets });
}
