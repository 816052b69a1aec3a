using System.Net;
using System.Net.Sockets;
using System.Text;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Drivers.Tests.Potentiostats;

/// <summary>
/// The framing shared by the stream transports (TCP and serial): an RS-232 instrument set to CR or CR+LF
/// termination must be read to its terminator and no further. Exercised over a loopback socket with a peer that
/// echoes the instrument's termination.
/// </summary>
public sealed class LineTerminationTests
{
    [Theory]
    [InlineData("\r")]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public async Task Answers_are_read_up_to_the_configured_terminator_and_two_answers_in_one_packet_stay_apart(string terminator)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var received = new StringBuilder();
            var buffer = new byte[256];
            // Wait for both queries, then answer both in one packet: framing, not packet boundaries, must split them.
            while (!received.ToString().EndsWith($":SYST:ERR?{terminator}", StringComparison.Ordinal))
            {
                var count = await socket.ReceiveAsync(buffer);
                received.Append(Encoding.ASCII.GetString(buffer, 0, count));
            }
            await socket.SendAsync(Encoding.ASCII.GetBytes($"1{terminator}0,\"No error\"{terminator}"));
            return received.ToString();
        });
        await using var transport = new TcpScpiTransport("127.0.0.1", port, terminator);
        await transport.ConnectAsync(CancellationToken.None);

        await transport.WriteLineAsync("*OPC?", CancellationToken.None);
        await transport.WriteLineAsync(":SYST:ERR?", CancellationToken.None);
        var first = await transport.ReadLineAsync(CancellationToken.None);
        var second = await transport.ReadLineAsync(CancellationToken.None);

        Assert.Equal("1", first);
        Assert.Equal("0,\"No error\"", second);
        Assert.Equal($"*OPC?{terminator}:SYST:ERR?{terminator}", await peer);
    }

    [Fact]
    public async Task A_peer_that_never_answers_is_a_timeout_fault_within_the_response_bound()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptSocketAsync();
        var timeouts = new ScpiTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300));
        await using var session = new ScpiSession(new TcpScpiTransport("127.0.0.1", port), "silent", TimeProvider.System, timeouts);
        await session.ConnectAsync(CancellationToken.None);
        using var silentPeer = await accepted;

        var started = TimeProvider.System.GetTimestamp();
        var fault = await Assert.ThrowsAsync<Rig.Drivers.Faults.HardwareFaultException>(() => session.QueryAsync("*IDN?", CancellationToken.None).AsTask());
        var waited = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(Rig.Drivers.Faults.FaultKind.DeviceTimeout, fault.Kind);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.False(session.IsConnected); // closed, so a late answer can never be read as the next one
    }
}
