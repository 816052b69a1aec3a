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
    private const int Rounds = 5;
    private const int QueriesPerRound = 1000;

    public static async Task RunAsync()
    {
        var cell = new SimulatedCell(new AnodeFreeHalfCell(0.785, new HalfCellParameters()), TimeProvider.System, () => Temperature.FromDegreesCelsius(25));
        var instrument = new Keithley2450Simulator(new SimulatedSmuChannel(cell), TimeProvider.System);
        await using var server = new ScpiSimulatorServer(instrument, TimeProvider.System);
        server.Start();
        Console.WriteLine($"simulated {instrument.Identity} on {server.Address}; {Rounds} interleaved rounds of {QueriesPerRound} queries each, after {Warmup} warm-up");

        using var raw = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await raw.ConnectAsync("127.0.0.1", server.Port);
        await using var session = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(TimeSpan.FromSeconds(2)), "bench", TimeProvider.System);
        await session.ConnectAsync(CancellationToken.None);
        var driverSession = new ScpiSession(ScpiAddress.Parse(server.Address).CreateTransport(TimeSpan.FromSeconds(2)), "bench-driver", TimeProvider.System);
        await using var driver = new ScpiPotentiostatChannel(Keithley2400SeriesDialect.Keithley2450(), driverSession, TimeProvider.System);
        await driver.SourceCurrentAsync(ElectricCurrent.FromMilliamperes(0.785), ElectricPotential.FromVolts(2.5), CancellationToken.None);

        // Interleaved rounds: on a shared machine, load that comes and goes then falls on every variant alike.
        var operations = new (string Name, Func<Task> Run)[]
        {
            ("raw *OPC?", RawQuery(raw, "*OPC?")),
            ("session *OPC?", () => session.QueryAsync("*OPC?", CancellationToken.None).AsTask()),
            ("raw :READ?", RawQuery(raw, Keithley2400SeriesDialect.ReadQuery)),
            ("session :READ?", () => session.QueryAsync(Keithley2400SeriesDialect.ReadQuery, CancellationToken.None).AsTask()),
            ("measure", () => driver.MeasureAsync(CancellationToken.None).AsTask()),
        };
        var samples = operations.ToDictionary(o => o.Name, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, run) in operations)
            {
                samples[name].AddRange(await SampleAsync(run, round == 0 ? Warmup : 0));
            }
        }
        await driver.OutputOffAsync(CancellationToken.None);
        var rawOpc = Timing.Of(samples["raw *OPC?"]);
        var sessionOpc = Timing.Of(samples["session *OPC?"]);
        var rawRead = Timing.Of(samples["raw :READ?"]);
        var sessionRead = Timing.Of(samples["session :READ?"]);
        var measure = Timing.Of(samples["measure"]);

        Print("raw socket  *OPC?", rawOpc, null);
        Print("session     *OPC?", sessionOpc, rawOpc);
        Print("raw socket  :READ?", rawRead, null);
        Print("session     :READ?", sessionRead, rawRead);
        Console.WriteLine($"driver MeasureAsync (:OUTP?, :READ?, :SOUR:CURR:VLIM:TRIP?): {1e6 / measure.MeanMicroseconds:N0} readings/s, " +
            $"mean {measure.MeanMicroseconds:N1} µs, p50 {measure.P50:N1} µs, p99 {measure.P99:N1} µs " +
            $"({measure.MeanMicroseconds / 3:N1} µs per query)");
    }

    // The floor: one socket, the query and its newline, read to the newline; nothing else.
    private static Func<Task> RawQuery(Socket socket, string query)
    {
        var request = Encoding.ASCII.GetBytes(query + "\n");
        var buffer = new byte[4096];
        return async () =>
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
        };
    }

    private static async Task<double[]> SampleAsync(Func<Task> operation, int warmup)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation();
        }
        var samples = new double[QueriesPerRound];
        for (var i = 0; i < samples.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return samples;
    }

    private static void Print(string name, Timing timing, Timing? floor)
    {
        var overhead = floor is { } f
            ? $"; overhead over raw: {timing.P50 - f.P50:N1} µs at the median, {timing.MeanMicroseconds - f.MeanMicroseconds:N1} µs on the mean"
            : "";
        Console.WriteLine($"{name}: {1e6 / timing.MeanMicroseconds:N0} queries/s, mean {timing.MeanMicroseconds:N1} µs, " +
            $"p50 {timing.P50:N1} µs, p99 {timing.P99:N1} µs{overhead}");
    }

    private readonly record struct Timing(double MeanMicroseconds, double P50, double P99)
    {
        public static Timing Of(List<double> samples)
        {
            var sorted = samples.Order().ToArray();
            return new Timing(sorted.Average(), sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
        }
    }
}
