using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Rig.Service.Composition;
using Rig.Service.Configuration;

namespace Rig.Service.CommandLine;

/// <summary>What the command line asked for.</summary>
public enum FrontDoorAction
{
    /// <summary>No verb: run the rig (the arguments, if any, are <c>--Section:Key=value</c> settings).</summary>
    RunService,
    RunVerb,
    ShowHelp,
    ShowVersion,
    /// <summary>Unknown verb, option or argument: print why and the usage, exit <see cref="ExitCodes.Usage"/>.</summary>
    Refuse,
}

/// <summary>The decision, and for <see cref="FrontDoorAction.Refuse"/> the reason.</summary>
public sealed record FrontDoorChoice(FrontDoorAction Action, Verb? Verb = null, string? Reason = null);

/// <summary>
/// Reads the command line before anything else exists: help, version and every argument the program does not know
/// end here, so a mistyped command can never open the hardware, the store or the state directory of a running
/// rig. The rig itself takes only settings overrides (<c>--Rig:Id=rig-02</c>).
/// </summary>
public static partial class FrontDoor
{
    public const string ProgramName = "Rig.Service";

    public static FrontDoorChoice Choose(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return new(FrontDoorAction.RunService);
        }
        var first = args[0];
        if (first is "-h" or "--help" or "-?" or "help")
        {
            return new(FrontDoorAction.ShowHelp);
        }
        if (first is "--version" or "-V" or "version")
        {
            return new(FrontDoorAction.ShowVersion);
        }
        if (Verbs.Find(first) is { } verb)
        {
            return new(FrontDoorAction.RunVerb, verb);
        }
        foreach (var argument in args)
        {
            if (argument is "-h" or "--help" or "--version")
            {
                return new(FrontDoorAction.Refuse, Reason: $"'{argument}' must come first");
            }
            var setting = SettingSwitch().Match(argument);
            if (!setting.Success)
            {
                return new(FrontDoorAction.Refuse, Reason: argument.StartsWith('-')
                    ? $"unknown option '{argument}' (settings are given as --Section:Key=value)"
                    : $"unknown verb '{argument}'{Suggest(argument, Verbs.All.Select(v => v.Name))}");
            }
            var section = setting.Groups["section"].Value;
            if (ConfigurationSections.Find(section) is null)
            {
                return new(FrontDoorAction.Refuse,
                    Reason: $"'{argument}': no settings section '{section}'{Suggest(section, ConfigurationSections.Known)} (sections: {string.Join(", ", ConfigurationSections.Known)})");
            }
        }
        return new(FrontDoorAction.RunService);
    }

    public static string Version =>
        typeof(FrontDoor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(FrontDoor).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string Usage()
    {
        var text = new StringBuilder();
        text.AppendLine($"usage: {ProgramName} [--Section:Key=value ...]      run the rig (stop it with Ctrl+C or SIGTERM)");
        foreach (var verb in Verbs.All)
        {
            text.AppendLine($"       {ProgramName} {verb.Usage}");
            text.AppendLine($"           {verb.Summary}");
        }
        text.AppendLine($"       {ProgramName} --help | --version");
        text.AppendLine();
        text.AppendLine("Settings: appsettings.json beside the program, replaced by $CONFIGURATION_DIRECTORY/appsettings.json");
        text.AppendLine($"  or {ConfigurationDirectory.SystemDirectory}/{ConfigurationDirectory.FileName}; then environment variables");
        text.AppendLine("  (Rig__Id=rig-02) and --Section:Key=value.");
        text.AppendLine("State (store, calibration, checkpoints): Rig:StateDirectory, else $STATE_DIRECTORY (systemd),");
        text.AppendLine("  else $XDG_STATE_HOME/anodefreerig (~/.local/state/anodefreerig). One rig per state directory (rig.lock).");
        text.AppendLine();
        text.AppendLine($"Exit codes: {ExitCodes.Ok} stopped cleanly, {ExitCodes.Failure} could not start, {ExitCodes.Usage} usage, " +
                        $"{ExitCodes.NoInput} no such store/test, {ExitCodes.CannotCreate} state directory not writable,");
        text.AppendLine($"  {ExitCodes.DataError} damaged store file (not modified), {ExitCodes.Software} a service failed (rig made safe first),");
        text.AppendLine($"  {ExitCodes.AlreadyRunning} another instance holds the state directory, {ExitCodes.ConfigurationError} configuration error.");
        return text.ToString();
    }

    /// <summary>" (did you mean 'x'?)" for the closest of <paramref name="candidates"/>, or "" when none is close.</summary>
    public static string Suggest(string given, IEnumerable<string> candidates) =>
        Spelling.Closest(given, candidates) is { } near ? $" (did you mean '{near}'?)" : "";

    [GeneratedRegex(@"^--(?<section>[A-Za-z][A-Za-z0-9_]*)(:[A-Za-z0-9_.\-]+)*=", RegexOptions.CultureInvariant)]
    private static partial Regex SettingSwitch();
}
