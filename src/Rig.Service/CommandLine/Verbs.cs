using Rig.Service.Export;
using Rig.Service.PressureSupervision.Cli;

namespace Rig.Service.CommandLine;

/// <summary>
/// The verbs the program knows besides running the rig. One line per verb: add a verb here and --help, the
/// unknown-argument check and the state-directory lock pick it up.
/// </summary>
public static class Verbs
{
    public static IReadOnlyList<Verb> All { get; } =
    [
        new("loadcell", "loadcell read|tare|span <channel> [samples|load]",
            "read, tare or span a channel's load cell at the bench (docs/pressure.md)", HoldsStateDirectory: true,
            async (args, configuration) => await LoadCellCli.TryRunAsync(args, configuration) ?? ExitCodes.Usage),
        new("export", "export <testId> <directory>",
            "write one test from the store as Battery Data Format CSV (works beside the running service)", HoldsStateDirectory: false,
            async (args, configuration) => await ExportCommandLine.TryRunAsync(args, configuration) ?? ExitCodes.Usage),
        new("analyze", "analyze <file.bdf.csv> [--formation-cycles=N]",
            "the engine's cycle and test metrics on a Battery Data Format CSV from anywhere, as JSON (docs/metrics.md)", HoldsStateDirectory: false,
            async (args, configuration) => await Metrics.AnalyzeCommandLine.RunAsync(args)),
        new("dry-run", Engine.Simulation.DryRunCommandLine.Usage,
            "run a protocol on the configured channel's twin and print the prediction as JSON; touches no hardware (docs/engine.md#dry-run)", HoldsStateDirectory: false,
            Engine.Simulation.DryRunCommandLine.RunAsync),
        new("heater", Thermal.Cli.HeaterCli.Usage,
            "heater zone status, autotune, accept/reject its gains, set gains: sent to the running service over MQTT (docs/heater.md)", HoldsStateDirectory: false,
            Thermal.Cli.HeaterCli.RunAsync),
    ];

    public static Verb? Find(string name) =>
        All.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase));
}
