using System.Globalization;
using System.Numerics;
using Rig.Drivers.Impedance.Solartron1260;
using UnitsNet;

namespace Rig.Drivers.Impedance.Simulation;

/// <summary>
/// A simulated Solartron 1260 on GPIB: understands the mnemonics <see cref="Solartron1260Commands"/> sends, measures
/// the circuit it is given at the set frequency with seeded Gaussian noise (relative to |Z| on each part), and flags
/// an overload (error field 1) when the current the amplitude drives through the cell exceeds
/// <see cref="CurrentLimit"/>. A result is ready after the point's measuring time on the simulator's clock
/// (integration, or one cycle), or at once when <see cref="InstantMeasurements"/> is set; the time the sweep would
/// have taken is added to <see cref="MeasuringTime"/> either way. An unknown mnemonic or a value out of range sets
/// the command-error bit. Thread-safe.
/// </summary>
public sealed class SimulatedSolartron1260 : IGpibDevice
{
    private readonly Lock _lock = new();
    private readonly Func<EquivalentCircuit> _circuit;
    private readonly TimeProvider _time;
    private readonly Random _noise;
    private readonly List<string> _received = [];
    private double _hertz = 1000;
    private double _amplitude;
    private double _bias;
    private double _integrationSeconds;
    private string? _output;
    private DateTimeOffset _readyAt;
    private bool _commandError;

    public SimulatedSolartron1260(Func<EquivalentCircuit> circuit, TimeProvider time, int seed = 1)
    {
        _circuit = circuit ?? throw new ArgumentNullException(nameof(circuit));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _noise = new Random(seed);
    }

    /// <summary>Relative noise (one standard deviation, on each of Z' and Z'', as a fraction of |Z|).</summary>
    public double RelativeNoise { get; set; } = 0.002;

    /// <summary>Current amplitude beyond which the current input overloads (the simulator's rule).</summary>
    public ElectricCurrent CurrentLimit { get; set; } = ElectricCurrent.FromMilliamperes(60);

    /// <summary>Results ready at once (tests, benchmarks); the time they would have taken still adds up.</summary>
    public bool InstantMeasurements { get; set; } = true;

    /// <summary>A hung analyser: SI starts a measurement that never finishes.</summary>
    public bool NeverFinishes { get; set; }

    /// <summary>Simulated measuring time of every SI so far.</summary>
    public TimeSpan MeasuringTime { get { lock (_lock) { return _measuringTime; } } }

    public int Measurements { get { lock (_lock) { return _measurements; } } }

    public double AmplitudeVolts { get { lock (_lock) { return _amplitude; } } }

    public double BiasVolts { get { lock (_lock) { return _bias; } } }

    /// <summary>Every command received, in order.</summary>
    public IReadOnlyList<string> Received { get { lock (_lock) { return [.. _received]; } } }

    private TimeSpan _measuringTime;
    private int _measurements;

    public byte StatusByte
    {
        get
        {
            lock (_lock)
            {
                var status = Solartron1260StatusByte.None;
                if (OutputReady)
                {
                    status |= Solartron1260StatusByte.DataReady;
                }
                if (_commandError)
                {
                    status |= Solartron1260StatusByte.CommandError;
                }
                return (byte)status;
            }
        }
    }

    private bool OutputReady => _output is not null && (InstantMeasurements || _time.GetUtcNow() >= _readyAt);

    public void Write(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            foreach (var command in message.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                _received.Add(command);
                Execute(command);
            }
        }
    }

    public string? Read()
    {
        lock (_lock)
        {
            if (!OutputReady)
            {
                return null;
            }
            var output = _output;
            _output = null;
            return output;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _output = null;
        }
    }

    private void Execute(string command)
    {
        var mnemonic = (command.Length >= 2 ? command[..2] : command).ToUpperInvariant();
        var arguments = command.Length > 2 ? command[2..].Trim() : "";
        switch (mnemonic)
        {
            case "TT":
                _hertz = 1000;
                _amplitude = 0;
                _bias = 0;
                _integrationSeconds = 0;
                _output = null;
                _commandError = false;
                break;
            case "OS" or "OT" or "OP" or "CZ" or "RA" or "IP" or "OU" or "DC" or "UW" or "SO":
                break; // data path and input settings: accepted; the simulator always answers in the driver's format
            case "FR":
                Number(arguments, 1e-5, 32e6, v => _hertz = v);
                break;
            case "VA":
                Number(arguments, 0, 3, v => _amplitude = v);
                break;
            case "VB":
                Number(arguments, -40.95, 40.95, v => _bias = v);
                break;
            case "IS":
                Number(arguments, 0, 1e5, v => _integrationSeconds = v);
                break;
            case "SI":
                Measure();
                break;
            default:
                _commandError = true;
                break;
        }
    }

    private void Number(string text, double min, double max, Action<double> set)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            set(value);
        }
        else
        {
            _commandError = true;
        }
    }

    private void Measure()
    {
        var duration = TimeSpan.FromSeconds(Math.Max(_integrationSeconds, 1 / _hertz));
        _measuringTime += duration;
        _measurements++;
        if (NeverFinishes)
        {
            _output = null;
            return;
        }
        _readyAt = _time.GetUtcNow() + duration;
        var z = _circuit().Impedance(_hertz);
        var noisy = z + z.Magnitude * RelativeNoise * new Complex(Gaussian(), Gaussian());
        var overload = _amplitude / z.Magnitude > CurrentLimit.Amperes;
        _output = string.Create(CultureInfo.InvariantCulture,
            $"{Sci(_hertz)},{Sci(noisy.Real)},{Sci(noisy.Imaginary)},{(overload ? 1 : 0)},00");
    }

    private static string Sci(double value) =>
        value.ToString("+0.0000000E+00;-0.0000000E+00", CultureInfo.InvariantCulture);

    private double Gaussian()
    {
        // Box–Muller on the seeded generator: the same seed gives the same spectrum.
        var u1 = 1.0 - _noise.NextDouble();
        var u2 = _noise.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
