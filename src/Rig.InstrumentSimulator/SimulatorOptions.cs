using System.Net;

namespace Rig.InstrumentSimulator;

/// <summary>
/// Command-line options (`--port 5025 --model 2450 --cell half`); each is also a configuration key, so
/// `--ReplyDelayMilliseconds 50` and an environment variable work the same way.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>TCP port; 5025 is the instruments' raw SCPI port, 0 picks a free one.</summary>
    public int Port { get; set; } = 5025;

    /// <summary>Address to listen on; loopback unless you mean to expose it.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>2450, 2460 (Keithley), B2901A or B2902A (Keysight), or 1260 (Solartron, behind a Prologix GPIB-ETHERNET adapter).</summary>
    public string Model { get; set; } = "2450";

    /// <summary>half (Na9Sn4 | NBH | Al) or full (NaCrO2 | NBH | Al); a B2902A gets one on each channel.</summary>
    public string Cell { get; set; } = "half";

    public double AreaCm2 { get; set; } = 0.785;

    public double TemperatureCelsius { get; set; } = 25;

    /// <summary>Rig-time seconds per wall-clock second (1 = real time); 60 runs a one-hour step in a minute.</summary>
    public double Speed { get; set; } = 1;

    public int ReplyDelayMilliseconds { get; set; }

    /// <summary>Drop each connection after this many messages (0 = never): exercises the driver's reconnect.</summary>
    public int DropEvery { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>1260 only: the analyser's GPIB address behind the simulated adapter (0-30).</summary>
    public int GpibAddress { get; set; } = 5;

    /// <summary>1260 only: foil or pellet current collector (how the interface grows with cycling, Fig. 2d).</summary>
    public string Collector { get; set; } = "pellet";

    public bool IsImpedanceAnalyzer => Model == "1260";

    /// <summary>Problems, each naming its option; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"--port {Port}: must be 0-65535");
        }
        if (!IPAddress.TryParse(Listen, out _))
        {
            problems.Add($"--listen {Listen}: not an IP address");
        }
        if (Model.ToUpperInvariant() is not ("2450" or "2460" or "B2901A" or "B2902A" or "1260"))
        {
            problems.Add($"--model {Model}: must be 2450, 2460, B2901A, B2902A or 1260");
        }
        if (GpibAddress is < 0 or > 30)
        {
            problems.Add($"--gpibaddress {GpibAddress}: must be 0-30");
        }
        if (Collector.ToLowerInvariant() is not ("foil" or "pellet"))
        {
            problems.Add($"--collector {Collector}: must be foil or pellet");
        }
        if (Cell.ToLowerInvariant() is not ("half" or "full"))
        {
            problems.Add($"--cell {Cell}: must be half or full");
        }
        if (AreaCm2 is <= 0 or > 20)
        {
            problems.Add($"--areacm2 {AreaCm2}: must be above 0 and at most 20 cm²");
        }
        if (Speed is < 1 or > 100_000)
        {
            problems.Add($"--speed {Speed}: must be 1-100000");
        }
        if (ReplyDelayMilliseconds is < 0 or > 60_000)
        {
            problems.Add($"--replydelaymilliseconds {ReplyDelayMilliseconds}: must be 0-60000");
        }
        if (DropEvery < 0)
        {
            problems.Add($"--dropevery {DropEvery}: must not be negative");
        }
        return problems;
    }
}
