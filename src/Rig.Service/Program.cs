using Rig.Service.Composition;
using Rig.Service.Configuration;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.UseConfigurationDirectory();
// Bench verbs (loadcell read|tare|span <channel>) run instead of the service: docs/pressure.md.
if (await Rig.Service.PressureSupervision.Cli.LoadCellCli.TryRunAsync(args, builder.Configuration) is { } benchExit) return benchExit;
if (await Rig.Service.Export.ExportCommandLine.TryRunAsync(args, builder.Configuration) is { } exportExitCode)
{
    return exportExitCode;
}
builder.Services.AddSystemd();
// Start-up failures are reported below, once and readably; the host's own report is a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.Services.AddRig(builder.Configuration);

using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (Exception ex) when (StartupError.DescribeConfigurationError(ex) is { } problems)
{
    await Console.Error.WriteLineAsync($"Configuration error, the rig was not started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", problems)}");
    return StartupExitCodes.ConfigurationError;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"The rig could not start: {ex}");
    return 1;
}
await host.WaitForShutdownAsync();
return 0;

/// <summary>Exit codes systemd can tell apart (the unit does not restart on a configuration error).</summary>
internal static class StartupExitCodes
{
    /// <summary>EX_CONFIG from sysexits.h.</summary>
    public const int ConfigurationError = 78;
}
