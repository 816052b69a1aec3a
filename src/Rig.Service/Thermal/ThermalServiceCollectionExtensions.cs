using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;

namespace Rig.Service.Thermal;

public static class ThermalServiceCollectionExtensions
{
    /// <summary>The heater zone controllers (run by <see cref="RigWorker"/>) and <see cref="IHeaterZoneControl"/>.</summary>
    public static IServiceCollection AddHeaterZones(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RigOptions>>().Value;
            IReadOnlyDictionary<string, IReadOnlyList<string>> channelsByZone = options.Channels
                .Where(c => !string.IsNullOrEmpty(c.Value.HeaterZone))
                .GroupBy(c => c.Value.HeaterZone, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(c => c.Key)], StringComparer.Ordinal);
            return new ZoneFaultReaction(
                sp.GetRequiredService<RigEvents>(),
                sp.GetRequiredService<RigState>(),
                sp.GetRequiredService<TimeProvider>(),
                channelsByZone,
                sp.GetRequiredService<ILogger<ZoneFaultReaction>>());
        });
        services.AddSingleton<HeaterZones>();
        services.AddSingleton<IHeaterZoneControl>(sp => sp.GetRequiredService<HeaterZones>());
        services.AddSingleton<IHeaterZoneProvenance>(sp => sp.GetRequiredService<HeaterZones>());
        services.AddSingleton<HeaterCommands>();
        services.AddSingleton<Telemetry.Commands.IHeaterCommands>(sp => sp.GetRequiredService<HeaterCommands>());
        services.AddSingleton<Telemetry.Commands.IFaultCommands>(sp => sp.GetRequiredService<HeaterCommands>());
        services.AddSingleton<Telemetry.Commands.ICommandVerbs, HeaterTuningVerbs>();
        return services;
    }
}
