using Rig.Service.Impedance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Configuration;
using Rig.Service.Engine;
using Rig.Service.Hardware;
using Rig.Service.Interlocks;
using Rig.Service.Thermal;
using Rig.Service.Timing;
using Rig.Service.PressureSupervision;
using Rig.Service.Telemetry;

namespace Rig.Service.Composition;

/// <summary>How the service is put together. Each area adds itself with one call here.</summary>
public static class RigServiceCollectionExtensions
{
    public static IServiceCollection AddRig(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRigConfiguration(configuration);
        services.AddRigHardware();
        services.AddChannelLoops();
        services.AddSystemdWatchdog();
        services.AddHeaterZones();
        services.AddPressureSupervision();
        services.AddTelemetry(configuration);
        services.AddCyclingEngine(configuration);
        services.AddImpedance(configuration);
        services.AddSingleton<ServiceFailureWatch>();
        return services;
    }

    public static IServiceCollection AddRigConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RigOptions>()
            .Bind(configuration.GetSection(RigOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RigOptions>, RigOptionsValidator>();
        return services;
    }

    public static IServiceCollection AddRigHardware(this IServiceCollection services)
    {
        // The system's clock with precise timers (Timing/PreciseTimeProvider.cs): the loops' waits end within a fraction
        // of a millisecond of their due time, not the system timer queue's 4-12 ms (issue 19). Tests register a virtual
        // clock instead. The logger hears if the timers fall back to millisecond waits (a failed timerfd call).
        services.AddSingleton<TimeProvider>(sp => new PreciseTimeProvider(sp.GetRequiredService<ILogger<PreciseTimeProvider>>()));
        services.AddSingleton<RigHardwareBuilder>();
        services.AddSingleton(sp => sp.GetRequiredService<RigHardwareBuilder>().Build());
        return services;
    }

    public static IServiceCollection AddChannelLoops(this IServiceCollection services)
    {
        services.AddSingleton<RigEvents>();
        services.AddSingleton(sp =>
        {
            var state = new RigState();
            // Every interlock raised or cleared is an event: logged, stored, published.
            InterlockAlarms.Attach(state.Interlocks, sp.GetRequiredService<RigEvents>());
            return state;
        });
        services.AddSingleton<RigSafety>();
        services.AddSingleton<InterlockCommands>();
        services.AddSingleton<Store.StoreAvailability>();
        services.AddHostedService<RigWorker>();
        services.AddHostedService<LiveReadout>();
        return services;
    }
}
