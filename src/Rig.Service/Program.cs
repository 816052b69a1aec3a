using Microsoft.Extensions.Options;
using Rig.Service.Composition;

var builder = Host.CreateApplicationBuilder(args);
if (await Rig.Service.Export.ExportCommandLine.TryRunAsync(args, builder.Configuration) is { } exportExitCode)
{
    return exportExitCode;
}
builder.Services.AddSystemd();
builder.Services.AddRig(builder.Configuration);

using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error, the rig was not started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", ex.Failures)}");
    return StartupExitCodes.ConfigurationError;
}
catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
{
    // The binder's own message names the key and the value it could not convert.
    await Console.Error.WriteLineAsync($"Configuration error, the rig was not started:{Environment.NewLine}  - {ex.Message}");
    return StartupExitCodes.ConfigurationError;
}
await host.WaitForShutdownAsync();
return 0;

/// <summary>Exit codes systemd can tell apart (the unit does not restart on a configuration error).</summary>
internal static class StartupExitCodes
{
    /// <summary>EX_CONFIG from sysexits.h.</summary>
    public const int ConfigurationError = 78;
}
