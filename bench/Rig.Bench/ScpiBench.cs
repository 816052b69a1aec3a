using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Rig.Drivers.Cells;
using Rig.Drivers.Potentiostats.Scpi;
using Rig.Drivers.Potentiostats.Scpi.Dialects;
using Rig.Drivers.Potentiostats.Scpi.Simulation;
using Rig.Drivers.Potentiostats.Scpi.Transports;
using UnitsNet;

namespace Rig.Bench;

/// <summary>
/// The SCPI driver's cost over loopback TCP against the in-process simulated 2450: a bare socket doing the same
/// query is the floor (network stack + simulator); the session and the full driver are measured beside it in the
/// same run, so the difference is the driver's own overhead.
/// </summary>
internal static class ScpiBench
{
    private const int Warmup = 500;
    private const int Queries = 5000;

    public static async Task RunAsync()
    {
        var cell = new SimulatedCell(new AnodeFreeHalfCell(0.785, new HalfCellParameters()), TimeProvider.System, () => Temperature.FromDegreesCelsius(25));
        var instrument = new Keithley2450Simulator(new SimulatedSmuChannel(cell), TimeProvider.System);
        await using var server = new ScpiSimulatorServer(instrument, TimeProvider.System);
        server.Start();
        Console.WriteLine($"simulated {instrument.Identity} on {server.Address}; {Queries} queries each after {Warmup} warm-up");

        var rawOpc = await RawSocketAsync(server.Port, "*OPC?");
        var rawRead = await RawSocketAsync(server.Port, Keithley2400SeriesDialect.ReadQuery);

        await using var session = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(TimeSpan.FromSeconds(2)), "bench", TimeProvider.System);
        await session.ConnectAsync(CancellationToken.None);
        var sessionOpc = await TimeAsync(() => session.QueryAsync("*OPC?", CancellationToken.None).AsTask());
        var sessionRead = await TimeAsync(() => session.QueryAsync(Keithley2400SeriesDialect.ReadQuery, CancellationToken.None).AsTask());

        var driverSession = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(TimeSpan.FromSeconds(2)), "bench-driver", TimeProvider.System);
        await using var driver = new ScpiPotentiostatChannel(Keithley2400SeriesDialect.Keithley2450(), driverSession, TimeProvider.System);
        await driver.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.785), ElectricPotential.FromVolts(2.5), CancellationToken.None);
        var measure = await TimeAsync(() => driver.MeasureAsync(CancellationToken.None).AsTask());
        await driver.OutputOffAsync(CancellationToken.None);

        Print("raw socket  *OPC?", rawOpc, null);
        Print("session     *OPC?", sessionOpc, rawOpc);
        Print("raw socket  :READ?", rawRead, null);
        Print("session     :READ?", sessionRead, rawRead);
        Console.WriteLine($"driver MeasureAsync (:OUTP?, :READ?, :SOUR:CURR:VLIM:TRIP?): {1e6 / measure.MeanMicroseconds:N0} readings/s, " +
            $"mean {measure.MeanMicroseconds:N1} µs, p50 {measure.P50:N1} µs, p99 {measure.P99:N1} µs " +
            $"({measure.MeanMicroseconds / 3:N1} µs per query)");
    }

    // The floor: one socket, the query and its newline, read to the newline; nothing else.
    private static async Task<Timing> RawSocketAsync(int port, string query)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        var request = Encoding.ASCII.GetBytes(query + "\n");
        var buffer = new byte[4096];
        async Task RoundTrip()
        {
            await socket.SendAsync(request);
            while (true)
            {
                var count = await socket.ReceiveAsync(buffer);
                if (count == 0 || buffer[count - 1] == (byte)'\n')
                {
                    return;
                }
            }
        }
        return await TimeAsync(RoundTrip);
    }

    private static async Task<Timing> TimeAsync(Func<Task> operation)
    {
        for (var i = 0; i < Warmup; i++)
        {
            await operation();
        }
        var samples = new double[Queries];
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Queries; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        total.Stop();
        Array.Sort(samples);
        return new Timing(total.Elapsed.TotalMicroseconds / Queries, samples[Queries / 2], samples[(int)(Queries * 0.99)]);
    }

    private static void Print(string name, Timing timing, Timing? floor)
    {
        var overhead = floor is { } f ? $", overhead over raw {timing.MeanMicroseconds - f.MeanMicroseconds:N1} µs/query" : "";
        Console.WriteLine($"{name}: {1e6 / timing.MeanMicroseconds:N0} queries/s, mean {timing.MeanMicroseconds:N1} µs, " +
            $"p50 {timing.P50:N1} µs, p99 {timing.P99:N1} µs{overhead}");
    }

    private readonly record struct Timing(double MeanMicroseconds, double P50, double P99);
}
