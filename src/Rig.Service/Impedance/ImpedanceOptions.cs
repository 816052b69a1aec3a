using Rig.Drivers.Potentiostats.Scpi.Transports;

namespace Rig.Service.Impedance;

/// <summary>
/// The "Impedance" section: the rig's impedance analysers by name, each wired to one or more channels (the SMU's
/// output is off while it measures, so the two may sit in parallel on the cell). A channel with no analyser refuses
/// nothing at compile time, but its impedance steps pause the test with a fault saying none is wired.
/// </summary>
public sealed class ImpedanceOptions
{
    public const string SectionName = "Impedance";

    public Dictionary<string, ImpedanceAnalyzerOptions> Analyzers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Problems, each naming its key; empty when the section is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        var wired = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, analyzer) in Analyzers)
        {
            var key = $"{SectionName}:Analyzers:{name}";
            if (analyzer.Kind is not (ImpedanceAnalyzerKind.Solartron1260 or ImpedanceAnalyzerKind.Simulated))
            {
                problems.Add($"{key}:Kind: must be Solartron1260 or Simulated");
            }
            if (analyzer.Kind == ImpedanceAnalyzerKind.Solartron1260)
            {
                try
                {
                    var address = ScpiAddress.Parse(analyzer.Address);
                    if (address.Kind == ScpiLinkKind.Usbtmc)
                    {
                        problems.Add($"{key}:Address: a GPIB adapter is reached by tcp:// (GPIB-ETHERNET, port 1234) or serial:// (GPIB-USB)");
                    }
                }
                catch (FormatException ex)
                {
                    problems.Add($"{key}:Address: {ex.Message}");
                }
            }
            if (analyzer.GpibAddress is < 0 or > 30)
            {
                problems.Add($"{key}:GpibAddress: {analyzer.GpibAddress} must be 0-30");
            }
            if (analyzer.ResetSettleSeconds is < 0 or > 60 || double.IsNaN(analyzer.ResetSettleSeconds))
            {
                problems.Add($"{key}:ResetSettleSeconds: {analyzer.ResetSettleSeconds} must be 0-60");
            }
            if (analyzer.Channels.Count == 0)
            {
                problems.Add($"{key}:Channels: name at least one channel the analyser is wired to");
            }
            foreach (var channel in analyzer.Channels)
            {
                if (!wired.TryAdd(channel, name))
                {
                    problems.Add($"{key}:Channels: {channel} is already wired to analyser {wired[channel]}");
                }
            }
        }
        return problems;
    }
}

public enum ImpedanceAnalyzerKind
{
    Simulated,
    Solartron1260,
}

public sealed class ImpedanceAnalyzerOptions
{
    public ImpedanceAnalyzerKind Kind { get; set; } = ImpedanceAnalyzerKind.Simulated;

    /// <summary>The GPIB adapter: tcp://10.0.0.9:1234 (Prologix GPIB-ETHERNET) or serial:///dev/ttyUSB0?baud=115200 (GPIB-USB).</summary>
    public string Address { get; set; } = "";

    /// <summary>The 1260's primary GPIB address (its rear-panel switches).</summary>
    public int GpibAddress { get; set; } = 5;

    /// <summary>Rig channels whose cell the analyser is wired to.</summary>
    public List<string> Channels { get; set; } = [];

    /// <summary>Wait after the 1260's reset before it takes commands.</summary>
    public double ResetSettleSeconds { get; set; } = 3;

    /// <summary>Simulated only: the noise seed.</summary>
    public int Seed { get; set; } = 1;
}
