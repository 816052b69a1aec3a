using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Rig.Service.CommandLine;
using Rig.Service.Configuration;
using Rig.Service.Engine.Protocols;

namespace Rig.Service.Engine.Simulation;

/// <summary>
/// "Rig.Service dry-run --channel ch1 (--preset NAME | --protocol FILE) [--param key=value ...] [--temperature C]
/// [--stack-pressure MPa] [--Section:Key=value ...]": the MQTT dry-run on the configured channel's twin, without the
/// service (and beside it: it touches no hardware and no state), printing the prediction as JSON. Refusals exit with
/// a sentence: 64 for the arguments, 66 for a protocol file that is not there, 2 for a protocol the channel refuses,
/// 78 for configuration; Ctrl+C stops the twin and prints what it had.
/// </summary>
public static partial class DryRunCommandLine
{
    public const string Usage = "dry-run --channel <id> (--preset <name> | --protocol <file.json>) [--param key=value ...] [--temperature <°C>] [--stack-pressure <MPa>]";

    /// <summary>A protocol file larger than this is refused (the shipped presets are ~2 KB).</summary>
    public const int MaxProtocolBytes = 256 * 1024;

    private const int MaxParameters = 64;

    public static Task<int> RunAsync(string[] args, IConfiguration configuration) =>
        RunAsync(args, configuration, Console.Out, Console.Error, CancelledByCtrlC());

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var (options, why) = Parse(args);
        if (options is null)
        {
            await error.WriteLineAsync($"{why}\nusage: {FrontDoor.ProgramName} {Usage}");
            return ExitCodes.Usage;
        }
        RigOptions rig;
        EngineOptions engine;
        try
        {
            configuration = new ConfigurationBuilder().AddConfiguration(configuration).AddCommandLine([.. options.Settings]).Build();
            rig = configuration.GetSection(RigOptions.SectionName).Get<RigOptions>() ?? new RigOptions();
            engine = configuration.GetSection(EngineOptions.SectionName).Get<EngineOptions>() ?? new EngineOptions();
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync($"Configuration error: {ex.Message}");
            return ExitCodes.ConfigurationError;
        }
        var invalid = new RigOptionsValidator().Validate(null, rig);
        var engineInvalid = new EngineOptionsValidator().Validate(null, engine);
        if (invalid.Failed || engineInvalid.Failed)
        {
            await error.WriteLineAsync($"Configuration error: {string.Join("; ", (invalid.Failures ?? []).Concat(engineInvalid.Failures ?? []))}");
            return ExitCodes.ConfigurationError;
        }
        if (!rig.Channels.TryGetValue(options.Channel, out var channel))
        {
            await error.WriteLineAsync($"unknown channel '{options.Channel}' (this rig has: {string.Join(", ", rig.Channels.Keys)})");
            return ExitCodes.VerbRefused;
        }
        string? protocolText = null;
        if (options.ProtocolFile is { } file)
        {
            (protocolText, var problem, var code) = await ReadProtocolAsync(file, cancellationToken);
            if (protocolText is null)
            {
                await error.WriteLineAsync(problem);
                return code;
            }
        }
        var presets = new PresetLibrary(string.IsNullOrWhiteSpace(engine.PresetDirectory) ? null : engine.PresetDirectory);
        var (plan, conditions, refused) = new DryRunRequest(options.Preset, protocolText, options.Parameters, options.TemperatureCelsius, options.StackPressureMegapascals)
            .Prepare(options.Channel, channel, presets);
        if (refused is not null)
        {
            await error.WriteLineAsync(refused);
            return ExitCodes.VerbRefused;
        }
        var runOptions = new DryRunOptions
        {
            SamplePeriod = engine.DryRun.SamplePeriod,
            EndSamplePeriod = engine.DryRun.EndSamplePeriod ?? rig.SamplePeriod,
            WallTimeLimit = engine.DryRun.WallTimeLimit,
            SimulatedTimeLimit = engine.DryRun.SimulatedTimeLimit,
        };
        var prediction = await DryRunner.RunAsync(plan!, options.Channel, channel, runOptions, conditions, cancellationToken);
        await output.WriteLineAsync(Encoding.UTF8.GetString(DryRunVerbs.Serialize(prediction)));
        return ExitCodes.Ok;
    }

    private static CancellationToken CancelledByCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // stop the twin and print what it had, rather than die mid-line
            cts.Cancel();
        };
        return cts.Token;
    }

    private static async Task<(string? Text, string Problem, int Code)> ReadProtocolAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return (null, $"No protocol file {path}", ExitCodes.NoInput);
            }
            if (info.Length > MaxProtocolBytes)
            {
                return (null, $"Protocol file {path} is {info.Length} bytes; at most {MaxProtocolBytes} are read", ExitCodes.Usage);
            }
            // Bounded even if the file grows between the check and the read.
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[MaxProtocolBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
            {
                read += n;
            }
            if (read > MaxProtocolBytes)
            {
                return (null, $"Protocol file {path} is larger than {MaxProtocolBytes} bytes", ExitCodes.Usage);
            }
            return (new UTF8Encoding(false, true).GetString(buffer, 0, read), "", ExitCodes.Ok);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or DecoderFallbackException)
        {
            return (null, $"Cannot read protocol file '{path}': {ex.Message}", ExitCodes.NoInput);
        }
    }

    /// <summary>The parsed options, or why they are refused. Settings (--Section:Key=value) are passed on to configuration.</summary>
    internal static (DryRunArguments? Options, string? Why) Parse(IReadOnlyList<string> args)
    {
        string? channel = null, preset = null, protocol = null;
        double? celsius = null, megapascals = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var settings = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var argument = args[i];
            if (argument.Length > 4096 || argument.Any(char.IsControl))
            {
                return (null, "an argument is longer than 4096 characters or holds control characters");
            }
            if (SettingSwitch().IsMatch(argument))
            {
                settings.Add(argument);
                continue;
            }
            string? value = null;
            var name = argument;
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (argument.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = argument[..equals];
                value = argument[(equals + 1)..];
            }
            if (name is not ("--channel" or "--preset" or "--protocol" or "--param" or "--temperature" or "--stack-pressure"))
            {
                return (null, argument.StartsWith('-')
                    ? $"unknown option '{argument}'{FrontDoor.Suggest(name, ["--channel", "--preset", "--protocol", "--param", "--temperature", "--stack-pressure"])}"
                    : $"unexpected argument '{argument}'");
            }
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return (null, $"{name} needs a value");
                }
                value = args[++i];
                if (value.Length > 4096 || value.Any(char.IsControl))
                {
                    return (null, $"{name}: the value is longer than 4096 characters or holds control characters");
                }
            }
            switch (name)
            {
                case "--channel" when channel is null && Identifier().IsMatch(value):
                    channel = value;
                    break;
                case "--preset" when preset is null && Identifier().IsMatch(value):
                    preset = value;
                    break;
                case "--protocol" when protocol is null && value.Length > 0:
                    protocol = value;
                    break;
                case "--param":
                    var split = value.IndexOf('=', StringComparison.Ordinal);
                    if (split <= 0 || !Identifier().IsMatch(value[..split]) || value.Length - split - 1 > 256)
                    {
                        return (null, $"--param takes key=value (a key of letters, digits, '_', '-'; a value of at most 256 characters), not '{value}'");
                    }
                    if (parameters.Count >= MaxParameters || !parameters.TryAdd(value[..split], value[(split + 1)..]))
                    {
                        return (null, $"--param {value[..split]}: given twice, or more than {MaxParameters} parameters");
                    }
                    break;
                case "--temperature" when celsius is null && Number(value) is { } c:
                    celsius = c;
                    break;
                case "--stack-pressure" when megapascals is null && Number(value) is { } p:
                    megapascals = p;
                    break;
                default:
                    return (null, $"{name} '{value}': given twice, or not a valid value");
            }
        }
        if (channel is null)
        {
            return (null, "--channel is required");
        }
        if ((preset is null) == (protocol is null))
        {
            return (null, "give either --preset or --protocol, not both or neither");
        }
        return (new DryRunArguments(channel, preset, protocol, parameters, celsius, megapascals, settings), null);
    }

    private static double? Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^--[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_.\-]+)+=", RegexOptions.CultureInvariant)]
    private static partial Regex SettingSwitch();
}

/// <summary>The dry-run command line, parsed.</summary>
internal sealed record DryRunArguments(
    string Channel,
    string? Preset,
    string? ProtocolFile,
    IReadOnlyDictionary<string, string> Parameters,
    double? TemperatureCelsius,
    double? StackPressureMegapascals,
    IReadOnlyList<string> Settings);
