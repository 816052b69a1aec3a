using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Configuration;
using Rig.Service.Metrics;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Metrics;

public sealed class AnalyzeVerbsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-analyze-verb-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public async Task Analyze_over_mqtt_answers_another_labs_file_from_the_exports_folder_and_refuses_paths()
    {
        var exports = Directory.CreateDirectory(Path.Combine(_directory, "exports")).FullName;
        var rows = string.Join("\n", Enumerable.Range(0, 40).Select(t => FormattableString.Invariant($"{t},{(t % 20 < 10 ? 0.001 : -0.0009)},3.2")));
        await File.WriteAllTextAsync(Path.Combine(exports, "other-lab.csv"), "Test Time / s,Current / A,Voltage / V\n" + rows);
        var verbs = new AnalyzeVerbs(Options.Create(new RigOptions { StateDirectory = _directory }), new ServiceCollection().BuildServiceProvider());

        var reply = await HandleAsync(verbs, """{ "file": "other-lab.csv" }""");
        // A path is refused before the verb runs (a file is an id: no '/'), and by the verb itself if it got one.
        var parsed = CommandArguments.Parse(Encoding.UTF8.GetBytes("""{ "file": "../../etc/passwd" }"""), verbs.Verbs["analyze"], out var why);
        var dotted = await HandleAsync(verbs, """{ "file": "..passwd" }""");

        Assert.True(reply.Ok, reply.Message);
        using var json = JsonDocument.Parse(Data(reply));
        Assert.Equal(2, json.RootElement.GetProperty("cycles").GetInt32());
        Assert.InRange(json.RootElement.GetProperty("per_cycle")[0].GetProperty("coulombic_efficiency").GetDouble(), 0.85, 0.95);
        Assert.Null(parsed);
        Assert.Contains("'/'", why, StringComparison.Ordinal);
        Assert.False(dotted.Ok);
        Assert.Contains("not a path", dotted.Message, StringComparison.Ordinal);
    }

    private static Task<CommandReply> HandleAsync(AnalyzeVerbs verbs, string payload)
    {
        var args = CommandArguments.Parse(Encoding.UTF8.GetBytes(payload), verbs.Verbs["analyze"], out var why);
        Assert.True(args is not null, why);
        return verbs.HandleAsync("analyze", args!, CancellationToken.None);
    }

    private static string Data(CommandReply reply)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            reply.Data!(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
