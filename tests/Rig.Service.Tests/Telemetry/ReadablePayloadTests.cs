using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MQTTnet;
using Rig.Service.Store;
using Rig.Service.Telemetry;

namespace Rig.Service.Tests.Telemetry;

/// <summary>What a person reads in a payload, a stored record or a log line is the text itself, not its escapes.</summary>
public sealed class ReadablePayloadTests
{
    [Theory]
    [InlineData("+0.2 mA/cm²")]
    [InlineData("can't reach 40 °C")]
    [InlineData("NBH 50 mg at 100 MPa, then electrodes at 370 MPa <die> & spacer")]
    [InlineData("Na₃PS₄ | Na–Sn")]
    public void Human_text_in_a_payload_is_written_as_it_reads(string text)
    {
        var json = Encoding.UTF8.GetString(TelemetryPayloads.Write(w => w.WriteString("message", text)));
        Assert.Equal($"{{\"message\":\"{text}\"}}", json);
        Assert.DoesNotContain("\\u", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_string_still_makes_valid_json_that_reads_back_the_same()
    {
        var random = new Random(15);
        string[] alphabet = ["\"", "\\", "\n", "\t", "\u0000", "\u001f", "<", ">", "&", "'", "+", "/", "é", "°", "€", "𝄞", "\u2028", "\u2029", "a", " "];
        for (var i = 0; i < 2000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            var payload = TelemetryPayloads.Write(w => w.WriteString("t", text));
            Assert.Equal(text, JsonDocument.Parse(payload).RootElement.GetProperty("t").GetString());
        }
    }

    [Fact]
    public void Stored_records_keep_human_text_readable()
    {
        var end = new Rig.Service.Recording.TestEndRecord("t1", "ch1", DateTimeOffset.UnixEpoch, Rig.Service.Control.RunState.Aborted,
            "+0.2 mA/cm² at 40 °C, can't", null, null, null, null, null);
        var json = JsonSerializer.Serialize(end, StoreJson.Info<Rig.Service.Recording.TestEndRecord>());
        Assert.Contains("\"FinalState\":\"Aborted\"", json, StringComparison.Ordinal);
        Assert.Contains("+0.2 mA/cm² at 40 °C, can't", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_broker_is_described_by_its_socket_error_not_a_dotnet_endpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new MqttClientFactory().CreateMqttClient();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).Build()));
        Assert.Contains("Unspecified/", error.ToString(), StringComparison.Ordinal);
        var described = BrokerError.Describe(error);
        Assert.DoesNotContain("Unspecified", described, StringComparison.Ordinal);
        Assert.Contains("refused", described, StringComparison.OrdinalIgnoreCase);
    }
}
