using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rig.Drivers.Impedance.Gpib;
using Rig.Drivers.Simulation;

namespace Rig.Drivers.Impedance.Simulation;

/// <summary>
/// A Prologix GPIB-ETHERNET controller with a simulated GPIB bus behind it, on a TCP socket (port 0 picks a free
/// one). It speaks the adapter's protocol (Prologix manual §8, §9): a line starting with "++" is an adapter command
/// (addr, auto, eoi, eos, mode, read, read_tmo_ms, spoll, clr, ver, ifc, loc, rst, savecfg, trg, srq, status);
/// any other line is unescaped and written to the device at the current address. <c>++read</c> sends the device's
/// next message with CR LF, or nothing once read_tmo_ms has passed on the simulator's clock, as the adapter does
/// when the instrument does not talk; a poll or read of an empty address answers nothing either. For tests it can
/// drop every connection and refuse new ones. Each connection keeps its own address and settings.
/// </summary>
public sealed class PrologixSimulatorServer : IAsyncDisposable
{
    private const byte Escape = 27;
    private readonly ConcurrentDictionary<int, IGpibDevice> _bus = new();
    private readonly TimeProvider _time;
    private readonly SimulatorSocketHost _host;
    private long _lines;

    public PrologixSimulatorServer(TimeProvider time, IPAddress? address = null, int port = 0)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _host = new SimulatorSocketHost(ConverseAsync, address, port);
    }

    public int Port => _host.Port;

    public string Host => _host.Host;

    /// <summary>"tcp://127.0.0.1:&lt;port&gt;".</summary>
    public string Address => _host.Address;

    /// <summary>The adapter's ++ver answer; tests change it to play something that is not a GPIB adapter.</summary>
    public string Version { get; set; } = "Prologix GPIB-ETHERNET Controller version 01.06.06.00 (simulated)";

    /// <summary>When false, new connections are closed as soon as they are accepted.</summary>
    public bool AcceptingConnections
    {
        get => _host.AcceptingConnections;
        set => _host.AcceptingConnections = value;
    }

    public long LinesReceived => Interlocked.Read(ref _lines);

    /// <summary>Puts a device on the bus at a primary address (0-30).</summary>
    public void Attach(int gpibAddress, IGpibDevice device)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gpibAddress);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gpibAddress, 30);
        _bus[gpibAddress] = device ?? throw new ArgumentNullException(nameof(device));
    }

    public void Start() => _host.Start();

    public void DropConnections() => _host.DropConnections();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task ConverseAsync(NetworkStream stream, CancellationToken stopping)
    {
        var state = new AdapterState();
        var reader = new EscapedLineReader(stream);
        while (!stopping.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(stopping);
            if (line is null)
            {
                return;
            }
            Interlocked.Increment(ref _lines);
            var answer = line.StartsWith("++", StringComparison.Ordinal)
                ? await AdapterCommandAsync(state, line[2..].Trim(), stopping)
                : ToDevice(state, PrologixGpibAdapter.UnescapeData(line));
            if (answer is not null)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + "\r\n"), stopping);
            }
        }
    }

    private string? ToDevice(AdapterState state, string message)
    {
        if (!_bus.TryGetValue(state.Address, out var device))
        {
            return null; // nobody listens: the bytes go nowhere
        }
        device.Write(message);
        return state.Auto ? device.Read() : null;
    }

    private async Task<string?> AdapterCommandAsync(AdapterState state, string command, CancellationToken stopping)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        var name = (space < 0 ? command : command[..space]).ToLowerInvariant();
        var argument = space < 0 ? "" : command[(space + 1)..].Trim();
        _bus.TryGetValue(state.Address, out var device);
        switch (name)
        {
            case "ver":
                return Version;
            case "addr":
                if (argument.Length == 0)
                {
                    return state.Address.ToString(CultureInfo.InvariantCulture);
                }
                if (int.TryParse(argument.Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var address) && address is >= 0 and <= 30)
                {
                    state.Address = address;
                }
                return null;
            case "auto":
                return SetOrQuery(argument, v => state.Auto = v == 1, state.Auto ? 1 : 0);
            case "read_tmo_ms":
                return SetOrQuery(argument, v => state.ReadTimeoutMs = Math.Clamp(v, 1, 3000), state.ReadTimeoutMs);
            case "mode" or "eoi" or "eos" or "eot_enable" or "eot_char":
                return argument.Length == 0 ? "1" : null;
            case "read":
                return await ReadFromDeviceAsync(state, device, stopping);
            case "spoll":
                return device?.StatusByte.ToString(CultureInfo.InvariantCulture);
            case "clr":
                device?.Clear();
                return null;
            case "srq":
                return "0";
            case "status":
                return "0";
            default:
                return null; // ifc, loc, llo, rst, savecfg, trg: nothing to answer
        }
    }

    private async Task<string?> ReadFromDeviceAsync(AdapterState state, IGpibDevice? device, CancellationToken stopping)
    {
        var message = device?.Read();
        if (message is not null)
        {
            return message;
        }
        // The adapter waits read_tmo_ms for a first byte, then gives up without a word.
        await Task.Delay(TimeSpan.FromMilliseconds(state.ReadTimeoutMs), _time, stopping);
        return device?.Read();
    }

    private static string? SetOrQuery(string argument, Action<int> set, int current)
    {
        if (argument.Length == 0)
        {
            return current.ToString(CultureInfo.InvariantCulture);
        }
        if (int.TryParse(argument, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            set(value);
        }
        return null;
    }

    private sealed class AdapterState
    {
        public int Address { get; set; } = 10;

        public bool Auto { get; set; } = true;

        public int ReadTimeoutMs { get; set; } = 500;
    }

    /// <summary>Reads lines ended by an unescaped LF (a CR before it dropped); ESC and the byte after it are kept for unescaping.</summary>
    private sealed class EscapedLineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[4096];
        private readonly StringBuilder _line = new();
        private int _count;
        private int _position;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            _line.Clear();
            var escaped = false;
            while (true)
            {
                while (_position < _count)
                {
                    var b = _buffer[_position++];
                    if (escaped)
                    {
                        _line.Append((char)b);
                        escaped = false;
                        continue;
                    }
                    if (b == Escape)
                    {
                        _line.Append((char)b);
                        escaped = true;
                        continue;
                    }
                    if (b == '\n')
                    {
                        return _line.ToString().TrimEnd('\r');
                    }
                    _line.Append((char)b);
                }
                _count = await stream.ReadAsync(_buffer, cancellationToken);
                _position = 0;
                if (_count == 0)
                {
                    return null;
                }
            }
        }
    }
}
