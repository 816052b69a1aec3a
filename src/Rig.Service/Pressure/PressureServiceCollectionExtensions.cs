using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rig.Service.Channels;
using Rig.Service.Control;

namespace Rig.Service.PressureSupervision;

public static class PressureServiceCollectionExtensions
{
    /// <summary>The pressure supervisor, as a channel observer (and as itself, for its latest verdicts).</summary>
    public static IServiceCollection AddPressureSupervision(this IServiceCollection services)
    {
        // The engine is optional (a rig that only watches its clamps): absent, the interlock alone holds the channel.
        services.TryAddSingleton(sp => new PressureSupervisor(
            sp.GetRequiredService<Hardware.RigHardware>(),
            sp.GetRequiredService<RigEvents>(),
            sp.GetRequiredService<RigState>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<Control.ITestControl>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.RigOptions>>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<PressureSupervisor>>()));
        services.AddSingleton<IChannelObserver>(sp => sp.GetRequiredService<PressureSupervisor>());
        services.TryAddSingleton<IClampCommands, ClampCommands>();
        return services;
    }
}
