using CsCheck;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Tests.Hostile;

/// <summary>
/// Issue 22: a protocol that is not JSON is refused in the user's words. Property: every shipped preset, corrupted
/// by a few generated edits (a character inserted, deleted or replaced anywhere), either compiles or is refused
/// with a located message that carries none of the JSON reader's or the runtime's own text.
/// </summary>
public sealed class ProtocolJsonWordingTests
{
    private static readonly string[] Presets =
        [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Presets"), "*.json").Order(StringComparer.Ordinal).Select(File.ReadAllText)];

    // Characters that break JSON in different places: structure, quotes, escapes, control characters, non-text.
    private static readonly char[] Breakers = ['{', '}', '[', ']', ',', ':', '"', '\\', 'N', '0', '-', '\t', '\n', '\0', '\uFFFD', 'é', ' '];

    [Fact]
    public void Corrupted_presets_are_refused_with_a_located_message_in_plain_words()
    {
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Double[0, 1], Gen.OneOf(Breakers));
        var cases = Gen.Select(Gen.Int[0, Presets.Length - 1], edit.Array[1, 3]);
        cases.Sample(sample =>
        {
            var (preset, edits) = sample;
            var text = Presets[preset];
            foreach (var (kind, where, c) in edits)
            {
                var at = (int)(where * text.Length);
                text = kind switch
                {
                    0 => text.Insert(at, c.ToString()),
                    1 when at < text.Length => text.Remove(at, 1),
                    _ when at < text.Length => text.Remove(at, 1).Insert(at, c.ToString()),
                    _ => text + c,
                };
            }
            try
            {
                ProtocolCompiler.Compile(text);
            }
            catch (ProtocolException ex)
            {
                foreach (var internals in HostilePresetFileTests.RuntimeWording)
                {
                    Assert.False(ex.Message.Contains(internals, StringComparison.Ordinal), $"'{internals}' in: {ex.Message}");
                }
                if (ex.Message.Contains("not valid JSON", StringComparison.Ordinal))
                {
                    Assert.Matches(@"line \d+, column \d+", ex.Message);
                }
            }
        }, iter: 2000);
    }
}
