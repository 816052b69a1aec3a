using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Control;

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
        services.TryAddSingleton<IHeaterCommands>(sp => sp.GetRequiredService<HeaterCommands>()); // a test may hold set-point changes open
        services.AddSingleton<IFaultCommands>(sp => sp.GetRequiredService<HeaterCommands>());
        services.AddSingleton<ICommandVerbs, HeaterTuningVerbs>();
        return services;
    }
}
