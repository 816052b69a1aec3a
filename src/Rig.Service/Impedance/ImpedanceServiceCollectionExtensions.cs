using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rig.Service.Channels;

namespace Rig.Service.Impedance;

public static class ImpedanceServiceCollectionExtensions
{
    /// <summary>Impedance steps: the "Impedance" section (validated at start, naming the key) and the runner as a channel observer.</summary>
    public static IServiceCollection AddImpedance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ImpedanceOptions>()
            .Bind(configuration.GetSection(ImpedanceOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ImpedanceOptions>, ImpedanceOptionsValidator>();
        services.AddSingleton(sp => new ImpedanceRunner(
            sp.GetRequiredService<IOptions<ImpedanceOptions>>(),
            sp.GetRequiredService<IOptions<Configuration.RigOptions>>(),
            sp.GetRequiredService<Engine.EngineHost>(),
            sp.GetService<Store.RigStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ImpedanceRunner>>(),
            sp.GetRequiredService<Hardware.RigHardware>(),
            sp.GetRequiredService<RigState>(),
            sp.GetRequiredService<RigEvents>()));
        services.AddSingleton<IChannelObserver>(sp => sp.GetRequiredService<ImpedanceRunner>());
        return services;
    }
}

/// <summary>Fails the start naming every bad key of the Impedance section.</summary>
public sealed class ImpedanceOptionsValidator : IValidateOptions<ImpedanceOptions>
{
    public ValidateOptionsResult Validate(string? name, ImpedanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
