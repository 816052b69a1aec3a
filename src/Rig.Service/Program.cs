using Rig.Service.CommandLine;
using Rig.Service.Composition;
using Rig.Service.Configuration;
using Rig.Service.Store;

// The front door decides before anything is opened: help, version and unknown arguments never start a rig.
var choice = FrontDoor.Choose(args);
switch (choice.Action)
{
    case FrontDoorAction.ShowHelp:
        Console.Write(FrontDoor.Usage());
        return ExitCodes.Ok;
    case FrontDoorAction.ShowVersion:
        Console.WriteLine($"{FrontDoor.ProgramName} {FrontDoor.Version}");
        return ExitCodes.Ok;
    case FrontDoorAction.Refuse:
        await Console.Error.WriteLineAsync($"{FrontDoor.ProgramName}: {choice.Reason}. Nothing was started.{Environment.NewLine}");
        await Console.Error.WriteAsync(FrontDoor.Usage());
        return ExitCodes.Usage;
}

// Settings beside the program, not in whatever directory it was started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.UseConfigurationDirectory();
var settings = SettingsFiles.Describe(builder.Configuration);
var stateDirectory = RigOptions.ResolveStateDirectory(builder.Configuration[$"{RigOptions.SectionName}:{nameof(RigOptions.StateDirectory)}"], Environment.GetEnvironmentVariable);

if (choice.Verb is { HoldsStateDirectory: false } reader)
{
    return await reader.Run(args, builder.Configuration);
}
using var stateLock = StateDirectoryGate.TryEnter(stateDirectory, out var refused);
if (stateLock is null)
{
    return refused;
}
if (choice.Verb is { } verb)
{
    return await verb.Run(args, builder.Configuration);
}

// Misspelt keys and enum values, named with what was meant, before the binder's less readable messages.
var settingsProblems = SettingsCheck.Problems(builder.Configuration, out var ignoredSections);
foreach (var ignored in ignoredSections)
{
    await Console.Error.WriteLineAsync($"Warning: settings section {ignored} is not read by the rig; sections: {string.Join(", ", ConfigurationSections.Known)}.");
}
if (settingsProblems.Count > 0)
{
    await Console.Error.WriteLineAsync($"Configuration error, the rig was not started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", settingsProblems)}{Environment.NewLine}Settings read: {settings}.");
    return ExitCodes.ConfigurationError;
}

builder.Services.AddSystemd();
// Start-up failures are reported below, once and readably; the host's own report is a stack trace.
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.Services.AddRig(builder.Configuration);

using var host = builder.Build();
host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rig.Service.Startup")
    .LogInformation("Settings: {Settings}. State directory: {StateDirectory}", settings, stateDirectory);
try
{
    await host.StartAsync();
}
catch (Exception ex) when (StartupError.DescribeConfigurationError(ex) is { } problems)
{
    await Console.Error.WriteLineAsync($"Configuration error, the rig was not started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", problems)}{Environment.NewLine}Settings read: {settings}.");
    return ExitCodes.ConfigurationError;
}
catch (Exception ex) when (StoreDamagedException.Find(ex) is { } damaged)
{
    await Console.Error.WriteLineAsync($"The store is damaged, the rig was not started:{Environment.NewLine}  {damaged.Message}");
    return ExitCodes.DataError;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"The rig could not start (settings: {settings}; state directory: {stateDirectory}): {ex}");
    return ExitCodes.Failure;
}
try
{
    await host.WaitForShutdownAsync();
}
catch (Exception ex)
{
    // A service's stop threw: the others have stopped; say so and let systemd restart the service.
    await Console.Error.WriteLineAsync($"The rig did not stop cleanly: {ex.GetBaseException().Message}");
    return ExitCodes.Software;
}
// A hosted service that threw stopped the host "normally": that must not exit 0 (Restart=on-failure ignores 0).
return host.Services.GetRequiredService<ServiceFailureWatch>().ExitCode();
