using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Rig.InstrumentSimulator;

// dotnet run --project src/Rig.InstrumentSimulator -- --port 5025 --model 2450 --cell half   (see docs/instruments.md)
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOptions<SimulatorOptions>()
    .Bind(builder.Configuration)
    .Validate(o => o.Validate().Count == 0, "invalid simulator options")
    .ValidateOnStart();
builder.Services.AddHostedService<SimulatorService>();

var problems = builder.Configuration.Get<SimulatorOptions>()?.Validate() ?? [];
if (problems.Count > 0)
{
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }
    return 2;
}
await builder.Build().RunAsync();
return 0;
