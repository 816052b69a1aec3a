using System.Diagnostics;
using System.Globalization;

namespace Rig.Bench;

/// <summary>
/// Counts what arrives on a topic filter with <c>mosquitto_sub</c> (QoS 1), a C client in its own process that stamps
/// each message's arrival itself (<c>-F '%U …'</c>: Unix time with nanoseconds). The bench used to count with an
/// MQTTnet client in its own process; on a loaded machine that subscriber fell behind mosquitto_pub itself (188 msg/s
/// end to end), so the 64-channel figure measured the bench, not the service. With <c>parseTimes</c>, the latency of
/// each message is its arrival stamp − the payload's <c>unix_time_s</c> (the sample's time, ms resolution).
/// </summary>
internal sealed class MosquittoSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _probeTopic;
    private readonly bool _parseTimes;
    private readonly List<double> _latenciesMs = [];
    private readonly TaskCompletionSource _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;
    private long _received;
    private double _firstArrival = double.NaN;
    private double _lastArrival = double.NaN;

    private MosquittoSubscriber(Process process, string probeTopic, bool parseTimes)
    {
        _process = process;
        _probeTopic = probeTopic;
        _parseTimes = parseTimes;
        _reading = Task.Run(ReadAsync);
    }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Seconds between the first and the last counted arrival (mosquitto_sub's own clock).</summary>
    public double ArrivalSpanSeconds
    {
        get
        {
            lock (_latenciesMs)
            {
                return _lastArrival - _firstArrival;
            }
        }
    }

    /// <summary>Starts mosquitto_sub and returns once it is subscribed (a probe message published to it came back).</summary>
    public static async Task<MosquittoSubscriber> StartAsync(int port, string topic, bool parseTimes)
    {
        var id = $"bench-sub-{Guid.NewGuid():N}"[..22];
        var probe = $"bench/probe/{id}";
        var start = new ProcessStartInfo("mosquitto_sub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-i", id,
            "-t", topic, "-t", probe, "-F", "%U %t %p"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var subscriber = new MosquittoSubscriber(Process.Start(start)!, probe, parseTimes);
        var patience = Stopwatch.StartNew();
        while (!subscriber._probed.Task.IsCompleted)
        {
            if (patience.Elapsed > TimeSpan.FromSeconds(20) || subscriber._process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto_sub did not subscribe to {topic} on port {port}");
            }
            using var pub = Process.Start(new ProcessStartInfo("mosquitto_pub", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", probe, "-m", "probe"]))!;
            await pub.WaitForExitAsync();
            await Task.WhenAny(subscriber._probed.Task, Task.Delay(200));
        }
        return subscriber;
    }

    private async Task ReadAsync()
    {
        var output = _process.StandardOutput;
        while (await output.ReadLineAsync() is { } line)
        {
            // "<seconds.nanoseconds> <topic> <payload>"; topics have no spaces.
            var first = line.IndexOf(' ', StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
            if (second < 0)
            {
                continue;
            }
            var topic = line.AsSpan(first + 1, second - first - 1);
            if (topic.SequenceEqual(_probeTopic))
            {
                _probed.TrySetResult();
                continue;
            }
            var arrival = double.Parse(line.AsSpan(0, first), CultureInfo.InvariantCulture);
            lock (_latenciesMs)
            {
                if (double.IsNaN(_firstArrival))
                {
                    _firstArrival = arrival;
                }
                _lastArrival = arrival;
                if (_parseTimes && SampleTime(line.AsSpan(second + 1)) is { } sampled)
                {
                    _latenciesMs.Add((arrival - sampled) * 1000);
                    _arrivals.Add(new Arrival(topic.ToString(), Seq(line.AsSpan(second + 1)), sampled, arrival));
                }
            }
            Interlocked.Increment(ref _received);
        }
    }

    /// <summary>One message as it arrived: its topic, "seq", the sample's time and the arrival (Unix seconds).</summary>
    public sealed record Arrival(string Topic, long Seq, double SampleTime, double ArrivalTime)
    {
        public double LatencyMs => (ArrivalTime - SampleTime) * 1000;
    }

    private readonly List<Arrival> _arrivals = [];

    /// <summary>Every message with a sample time (with <c>parseTimes</c>), in arrival order.</summary>
    public IReadOnlyList<Arrival> Arrivals()
    {
        lock (_latenciesMs)
        {
            return [.. _arrivals];
        }
    }

    private static long Seq(ReadOnlySpan<char> payload)
    {
        const string key = "\"seq\":";
        var at = payload.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return -1;
        }
        var rest = payload[(at + key.Length)..];
        var end = rest.IndexOfAny(',', '}');
        return long.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    /// <summary>The payload's "unix_time_s" number, found by text (no JSON parse per message on the counting path).</summary>
    private static double? SampleTime(ReadOnlySpan<char> payload)
    {
        const string key = "\"unix_time_s\":";
        var at = payload.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var rest = payload[(at + key.Length)..];
        var end = rest.IndexOfAny(',', '}');
        return double.TryParse(end < 0 ? rest : rest[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public async Task WaitForAsync(long count, TimeSpan patience)
    {
        var stopwatch = Stopwatch.StartNew();
        while (Received < count && stopwatch.Elapsed < patience)
        {
            await Task.Delay(20);
        }
    }

    public double[] Latencies()
    {
        lock (_latenciesMs)
        {
            return [.. _latenciesMs.Order()];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
    }
}
