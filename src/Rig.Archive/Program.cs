using Microsoft.Extensions.Options;
using Rig.Archive;

// Settings: $CONFIGURATION_DIRECTORY/archive.json (systemd: /etc/anodefreerig-archive), then environment variables
// (Archive__ConnectionString=...), then the command line (--Archive:Broker=...). docs/archive.md.
var builder = Host.CreateApplicationBuilder(args);
if (Environment.GetEnvironmentVariable("CONFIGURATION_DIRECTORY")?.Split(':')[0] is { Length: > 0 } directory)
{
    var file = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = Path.Combine(directory, "archive.json"), Optional = true };
    file.ResolveFileProvider();
    builder.Configuration.Sources.Insert(0, file);
}
builder.Services.AddSystemd();
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
builder.Services.AddArchive(builder.Configuration);

using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"Configuration error, the archive was not started:{Environment.NewLine}  - {string.Join($"{Environment.NewLine}  - ", ex.Failures)}");
    return 78;
}
catch (Exception ex)
{
    await Console.Error.WriteLineAsync($"The archive could not start: {ex.Message}");
    return 1;
}
await host.WaitForShutdownAsync();
return 0;
