using System.Buffers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.Options;
using Rig.Archive.Gaps;
using Rig.Service.Configuration;
using Rig.Service.Store;
using Rig.Service.Telemetry;
using Rig.Service.Telemetry.Commands;

namespace Rig.Service.Tests.Archive;

/// <summary>The archive's replay request (GapMonitor) is what the rig's own "replay" command parses and accepts.</summary>
public sealed class ReplayRequestTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rig-replay-request-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    [Fact]
    public void The_request_bytes_are_the_rigs_documented_replay_body()
    {
        var bytes = new ReplayRequest("ch1/telemetry", 101, 250).ToUtf8Json();

        Assert.Equal("""{"stream":"ch1/telemetry","from_seq":101,"to_seq":250}""", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task Any_request_the_archive_sends_is_parsed_by_the_rigs_command_router_as_the_range_it_asked_for()
    {
        var rig = new RigOptions { StateDirectory = _directory };
        rig.Channels["ch1"] = new ChannelOptions();
        rig.Channels["ch-2_b"] = new ChannelOptions();
        using var store = new RigStore(Path.Combine(_directory, "rig.db"));
        var router = new CommandRouter([], store, Options.Create(rig), Options.Create(new MqttOptions()));
        var streams = Gen.OneOf(Gen.Const("events"), Gen.Const("ch1/telemetry"), Gen.Const("ch1/cycles"), Gen.Const("ch1/spectrum"), Gen.Const("ch-2_b/telemetry"));
        // Seqs up to 2^53: the rig reads JSON numbers as doubles, exact up to there (a rig at 1 kHz takes 285,000 years).
        var ranges = Gen.Select(Gen.Long[1, 1L << 53], Gen.Long[0, ReplayCommand.MaxRange - 1])
            .Where(r => r.Item1 + r.Item2 <= 1L << 53);

        await Gen.Select(streams, ranges).SampleAsync(async sample =>
        {
            var (stream, (from, extra)) = sample;
            var bytes = new ReplayRequest(stream, from, from + extra).ToUtf8Json();

            string? why = null;
            var args = CommandArguments.Parse(bytes, ["stream", "from_seq", "to_seq"], out var parseError);
            Assert.True(args is not null, parseError);
            Assert.Equal(stream, args.String("stream", true, ref why));
            Assert.Equal(from, (long)args.Number("from_seq", true, ref why)!.Value);
            Assert.Equal(from + extra, (long)args.Number("to_seq", true, ref why)!.Value);
            Assert.Null(why);

            var reply = await router.HandleAsync("replay", new ReadOnlySequence<byte>(bytes), CancellationToken.None);
            Assert.True(reply.Ok, reply.Message);
            Assert.Equal(stream, Data(reply).GetProperty("stream").GetString());
        }, iter: 200, threads: 1, print: s => $"{s.Item1} {s.Item2.Item1}+{s.Item2.Item2}");
    }

    private static JsonElement Data(CommandReply reply)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            reply.Data!(writer);
        }
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone();
    }
}
