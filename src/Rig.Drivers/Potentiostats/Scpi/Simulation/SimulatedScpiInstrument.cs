using System.Globalization;

namespace Rig.Drivers.Potentiostats.Scpi.Simulation;

/// <summary>
/// A simulated SCPI instrument: parses each program message, runs the model's handler for it and keeps an error
/// queue the way IEEE 488.2 / SCPI-99 instruments do: a command it cannot run leaves an error (code and text) in
/// the queue and produces no answer; :SYST:ERR? returns the oldest error, then "No error". Thread-safe: several
/// connections may talk to one instrument, one message at a time.
/// </summary>
public abstract class SimulatedScpiInstrument
{
    private const int ErrorQueueCapacity = 20;
    private readonly Queue<ScpiError> _errors = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Func<ScpiCommand, string?>> _handlers = new(StringComparer.Ordinal);

    protected SimulatedScpiInstrument(string identity, TimeProvider time)
    {
        Identity = identity;
        Time = time ?? throw new ArgumentNullException(nameof(time));
        StartedAt = time.GetUtcNow();
        On("*IDN?", _ => Identity);
        On("*RST", _ => { Reset(); return null; });
        On("*CLS", _ => { _errors.Clear(); return null; });
        On("*OPC?", _ => "1");
        On("SYST:ERR?", _ => _errors.TryDequeue(out var error) ? FormatError(error) : FormatError(new ScpiError(0, "No error")));
    }

    /// <summary>The *IDN? answer; tests change it to play a different instrument.</summary>
    public string Identity { get; set; }

    /// <summary>Every message received, in order (for tests that check what the driver sent).</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    protected TimeProvider Time { get; }

    protected DateTimeOffset StartedAt { get; }

    private readonly List<string> _received = [];

    /// <summary>Puts an error in the queue, as the instrument would after a front-panel or internal failure.</summary>
    public void PushError(int code, string message)
    {
        lock (_lock)
        {
            Enqueue(new ScpiError(code, message));
        }
    }

    /// <summary>Runs one line (units separated by ';'); returns the answer, or null when nothing is to be sent back.</summary>
    public string? Execute(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_lock)
        {
            _received.Add(line);
            var answers = new List<string>();
            foreach (var unit in ScpiCommand.SplitUnits(line))
            {
                if (string.IsNullOrWhiteSpace(unit))
                {
                    continue;
                }
                var answer = ExecuteUnit(unit);
                if (answer is not null)
                {
                    answers.Add(answer);
                }
            }
            return answers.Count == 0 ? null : string.Join(';', answers);
        }
    }

    protected abstract void Reset();

    /// <summary>Formats an error as this instrument family does (Keysight prints the sign of the code).</summary>
    protected abstract string FormatError(ScpiError error);

    /// <summary>Registers the handler of a canonical header ("SOUR:CURR:VLIM", "OUTP?").</summary>
    protected void On(string header, Func<ScpiCommand, string?> handler) => _handlers[header] = handler;

    protected void Error(int code, string message) => Enqueue(new ScpiError(code, message));

    /// <summary>Reads a numeric argument; a bad one queues -104/-222 and returns null.</summary>
    protected double? Number(ScpiCommand command, double min, double max)
    {
        if (!double.TryParse(command.Argument(0), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            Error(-104, "Data type error");
            return null;
        }
        if (number < min || number > max)
        {
            Error(-222, "Data out of range");
            return null;
        }
        return number;
    }

    /// <summary>Reads ON|OFF|1|0; a bad one queues -224 and returns null.</summary>
    protected bool? Boolean(ScpiCommand command)
    {
        switch (command.Argument(0).ToUpperInvariant())
        {
            case "ON" or "1":
                return true;
            case "OFF" or "0":
                return false;
            default:
                Error(-224, "Illegal parameter value");
                return null;
        }
    }

    /// <summary>Reads a character argument in short or long form; a bad one queues -224 and returns null.</summary>
    protected string? Choice(ScpiCommand command, params (string Short, string Long)[] allowed)
    {
        var argument = command.Argument(0).Trim('"').ToUpperInvariant();
        foreach (var (shortForm, longForm) in allowed)
        {
            if (argument == shortForm || argument == longForm)
            {
                return shortForm;
            }
        }
        Error(-224, "Illegal parameter value");
        return null;
    }

    protected static string? Do<T>(T? argument, Action<T> apply) where T : struct
    {
        if (argument is { } value)
        {
            apply(value);
        }
        return null;
    }

    protected static string? Do(string? argument, Action<string> apply)
    {
        if (argument is not null)
        {
            apply(argument);
        }
        return null;
    }

    protected static string Flag(bool on) => on ? "1" : "0";

    private string? ExecuteUnit(string unit)
    {
        var command = ScpiCommand.Parse(unit);
        if (command is null)
        {
            Error(-113, "Undefined header");
            return null;
        }
        var key = command.IsQuery ? command.Header + "?" : command.Header;
        if (!_handlers.TryGetValue(key, out var handler))
        {
            Error(-113, "Undefined header");
            return null;
        }
        return handler(command);
    }

    private void Enqueue(ScpiError error)
    {
        if (_errors.Count >= ErrorQueueCapacity)
        {
            return; // SCPI-99: a full queue keeps its oldest entries (the last one becomes -350 Queue overflow)
        }
        _errors.Enqueue(_errors.Count == ErrorQueueCapacity - 1 ? new ScpiError(-350, "Queue overflow") : error);
    }
}
