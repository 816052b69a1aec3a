using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;
using Rig.Service.Control;
using Rig.Service.Recording;

namespace Rig.Service.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>The cycling engine: one <see cref="EngineHost"/> as ITestControl and as a channel observer; an in-memory recorder unless the store registered one.</summary>
    public static IServiceCollection AddCyclingEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>()
            .Bind(configuration.GetSection(EngineOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineOptions>, EngineOptionsValidator>();
        services.TryAddSingleton<ITestRecorder, InMemoryTestRecorder>();
        services.AddSingleton<EngineHost>();
        services.AddSingleton<ITestControl>(sp => sp.GetRequiredService<EngineHost>());
        services.AddSingleton<IChannelObserver>(sp => sp.GetRequiredService<EngineHost>());
        services.AddSingleton<Simulation.DryRunVerbs>();
        services.AddSingleton<Control.ICommandVerbs>(sp => sp.GetRequiredService<Simulation.DryRunVerbs>());
        services.AddSingleton<Simulation.PredictionTracker>();
        // Hosted so it listens for test starts and ends from the first moment, not only once a dry run was asked for.
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp => sp.GetRequiredService<Simulation.PredictionTracker>());
        services.AddSingleton<Control.ICommandVerbs, Metrics.AnalyzeVerbs>();
        services.AddSingleton<Control.ICommandVerbs, Export.ExportDownloadVerbs>();
        return services;
    }
}
