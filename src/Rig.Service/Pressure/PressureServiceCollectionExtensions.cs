using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rig.Service.Channels;

namespace Rig.Service.PressureSupervision;

public static class PressureServiceCollectionExtensions
{
    /// <summary>The pressure supervisor, as a channel observer (and as itself, for its latest verdicts).</summary>
    public static IServiceCollection AddPressureSupervision(this IServiceCollection services)
    {
        services.TryAddSingleton<PressureSupervisor>();
        services.AddSingleton<IChannelObserver>(sp => sp.GetRequiredService<PressureSupervisor>());
        services.TryAddSingleton<Telemetry.Commands.IClampCommands, ClampCommands>();
        return services;
    }
}
